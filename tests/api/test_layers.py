"""The edge's shape: routers (`api/routes/`) import `api/deps.py` and the services beside it,
never each other; nothing below the edge imports it; and /docs describes every admin answer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from api.app import create_app
from settings import Settings

# The checkout, wherever in tests/ this module sits.
ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
API = ROOT / "api"
ROUTES = API / "routes"
SKIP = {".venv", ".git", ".var", "node_modules", "tests"}


def imported(path: Path) -> set[str]:
    """Every module `path` imports, with `from a import b` also counted as `a.b`."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def python_files() -> list[Path]:
    return [
        path for path in ROOT.rglob("*.py") if not SKIP & set(path.relative_to(ROOT).parts[:-1])
    ]


def routers() -> list[Path]:
    return sorted(path for path in ROUTES.glob("*.py") if path.name != "__init__.py")


def test_the_layer_test_sees_every_router():
    names = {path.stem for path in routers()}
    assert {"admin", "actions", "demo", "webhooks"} <= names


@pytest.mark.parametrize("router", routers(), ids=lambda path: path.stem)
def test_a_router_never_imports_another_router(router: Path):
    others = {module_name(path) for path in routers()} - {module_name(router)}
    assert not imported(router) & (others | {"api.routes"})


def test_only_the_app_factory_assembles_routers():
    services = [path for path in API.rglob("*.py") if ROUTES not in path.parents]
    assemblers = {
        module_name(path)
        for path in services
        if any(name.startswith("api.routes") for name in imported(path))
    }
    assert assemblers == {"api.app"}


def test_nothing_outside_the_edge_imports_it():
    # The app is started by name ("api.app:app", in run.py and the Dockerfile); tests may import it.
    outside = [path for path in python_files() if path.parts[len(ROOT.parts)] != "api"]
    assert len(outside) > 20  # the walk found the project
    importers = {
        module_name(path)
        for path in outside
        if any(name == "api" or name.startswith("api.") for name in imported(path))
    }
    assert importers == set()


# Each admin JSON route and the schema /docs shows for its success answer.
ADMIN_SCHEMAS = {
    ("get", "/admin/leads"): "LeadList",
    ("get", "/admin/leads/{lead_id}"): "LeadDetail",
    ("post", "/admin/leads/{lead_id}/{action}"): "ActionOutcome",
    ("get", "/admin/events"): "EventList",
    ("get", "/admin/funnel"): "Funnel",
    ("post", "/admin/paused/release"): "Released",
    ("get", "/admin/calendar"): "CalendarAgenda",
    ("post", "/admin/calendar/busy"): "BusyBlock",
    ("delete", "/admin/calendar/busy/{block_id}"): "BusyRemoved",
    ("post", "/admin/contacts/export"): "ContactExport",
    ("post", "/admin/contacts/erase"): "Erasure",
}


def success_schema(operation: dict) -> str | None:
    for status in ("200", "201"):
        if status in operation["responses"]:
            content = operation["responses"][status].get("content", {})
            ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
            return ref.rsplit("/", 1)[-1] or None
    return None


def test_openapi_names_a_schema_for_every_admin_json_route():
    spec = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
    found = {
        (method, path): success_schema(operation)
        for path, operations in spec["paths"].items()
        if path.startswith("/admin") and path != "/admin/leads.csv"
        for method, operation in operations.items()
    }
    assert found == ADMIN_SCHEMAS
    conflict = spec["paths"]["/admin/leads/{lead_id}/{action}"]["post"]["responses"]["409"]
    assert conflict["content"]["application/json"]["schema"]["$ref"].endswith("/ActionOutcome")
    assert {"from", "busy", "events", "holds"} <= set(
        spec["components"]["schemas"]["CalendarAgenda"]["properties"]
    )
