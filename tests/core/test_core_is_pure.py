"""The core does no I/O: no module under consultation/ imports the parts that do (the
workflows, activities, edge, database models, settings) or the libraries they do it with."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "consultation"
WITH_IO = frozenset(
    {"workflows", "activities", "api", "models", "settings", "sqlalchemy", "httpx", "temporalio"}
)
MODULES = sorted(CORE.rglob("*.py"))


def imported(path: Path) -> set[str]:
    """The top-level package of everything `path` imports, wherever in the module."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(CORE)))
def test_a_core_module_imports_nothing_that_does_io(path: Path) -> None:
    assert not imported(path) & WITH_IO


def test_the_check_reads_every_kind_of_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import httpx.x\nfrom api import deps\ndef f():\n    import temporalio\n")
    assert imported(module) & WITH_IO == {"httpx", "api", "temporalio"}


def test_the_core_has_modules_to_check() -> None:
    assert len(MODULES) > 30 and CORE / "engine" / "__init__.py" in MODULES
