"""The dev server `make run` keeps in `.var/`: a database made by an older build gets the search
attributes added since, or every lead that sets one fails its workflow tasks."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import devstack
from workflows.visibility import REGISTRY


def listed(address: str) -> set[str]:
    """Our search attributes the server has. Asked until it answers: its port opens a moment
    before its namespace is served."""
    args = [devstack.bin_path("temporal"), "operator", "search-attribute", "list"]
    for _ in range(40):
        out = subprocess.run([*args, "--address", address, "--output", "json"],
                             capture_output=True, text=True, timeout=30)  # fmt: skip
        if out.returncode == 0:
            return {name for name in REGISTRY if f'"{name}"' in out.stdout}
        time.sleep(0.5)
    raise AssertionError(f"the dev server never listed its search attributes: {out.stderr}")


def test_a_database_from_an_older_build_gets_the_search_attributes_added_since(
    tmp_path: Path,
) -> None:
    db_file = tmp_path / "temporal.db"
    # An older build's server: it made the database knowing none of today's attributes.
    port = devstack.free_port()
    older = subprocess.Popen(
        [devstack.bin_path("temporal"), "server", "start-dev", "--headless", "--ip", "127.0.0.1",
         "--port", str(port), "--db-filename", str(db_file), "--log-level", "error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        devstack.wait_for_port(port, timeout=90)
        assert listed(f"127.0.0.1:{port}") == set()
    finally:
        older.terminate()
        older.wait(timeout=15)

    with devstack.temporal_dev_server(db_file, devstack.free_port(), None) as address:
        assert listed(address) == set(REGISTRY)
