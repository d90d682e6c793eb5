"""The layering rules, read from the source with `ast` so they can never quietly regress:
dependencies point down (api → workflows → activities → stores → models), the conversation core
imports none of them, activities leave SQL to the stores, every table the migrations create is
declared in `models/`, and the bottom's modules stay small."""

import ast
import re
from pathlib import Path

import pytest

from models import Base

ROOT = Path(__file__).resolve().parent.parent
# What each part may not import: the parts above it.
FORBIDDEN = {
    "consultation": {"api", "workflows", "activities", "stores", "models"},
    # The campaigns' pure part, like the core: no I/O, no layer above.
    "campaigns": {"api", "workflows", "activities", "stores", "models", "settings", "sqlalchemy"},
    "activities": {"api", "workflows"},
    "stores": {"api", "workflows", "activities"},
    "models": {"api", "workflows", "activities", "stores"},
    # The edge reaches PostgreSQL through stores and models, and activities only through a
    # workflow: no module under api/ is worker-facing.
    "api": {"activities"},
}
MAX_LINES = 300  # a module past this becomes a package (STYLE.md)
SMALL = ("activities", "stores", "models")


def modules(part: str) -> list[Path]:
    return sorted((ROOT / part).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """The top-level packages a module imports, wherever the import statement is."""
    return {name.split(".")[0] for name in imported_modules(path)}


def imported_modules(path: Path) -> set[str]:
    """The full names of the modules a module imports from."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_no_module_imports_a_layer_above_its_own(part: str) -> None:
    assert modules(part), f"no modules under {part}/"
    breaches = {
        str(path.relative_to(ROOT)): sorted(imported(path) & FORBIDDEN[part])
        for path in modules(part)
    }
    assert {path: names for path, names in breaches.items() if names} == {}


def test_the_rule_sees_an_import_inside_a_block(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("with x:\n    from workflows.contracts import LeadInput\nimport api.app\n")
    assert imported(module) == {"workflows", "api"}


def test_activities_leave_sql_to_the_stores() -> None:
    # A session factory to hand to a store, and the database's errors to classify, are fine.
    allowed = {"sqlalchemy.ext.asyncio", "sqlalchemy.exc"}
    sql = {
        str(path.relative_to(ROOT)): sorted(found)
        for path in modules("activities")
        if (found := {n for n in imported_modules(path) if n.startswith("sqlalchemy")} - allowed)
    }
    assert sql == {}


def test_every_table_the_migrations_create_is_declared_in_models() -> None:
    created = set()
    for migration in (ROOT / "migrations" / "versions").glob("*.py"):
        created.update(re.findall(r'create_table\(\s*"(\w+)"', migration.read_text()))
    assert created, "no create_table found in the migrations"
    assert created - set(Base.metadata.tables) == set()


@pytest.mark.parametrize("part", SMALL)
def test_modules_at_the_bottom_stay_small(part: str) -> None:
    long = {
        str(path.relative_to(ROOT)): count
        for path in modules(part)
        if (count := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
