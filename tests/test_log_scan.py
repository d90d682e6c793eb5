"""The log scan itself (tests/log_scan.py): what it must catch, and what it must let pass. The
scan over the whole session runs from conftest's hooks."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from models import Contact
from models.base import async_url, make_sessions
from tests.log_scan import LeakScan, ScanHandler

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.mark.parametrize(
    ("line", "leaks"),
    [
        ("sent reply to 447700900123", True),
        ("contact +44 7700 900123 opted out", True),
        ("allowlist: +44-7700-900-123", True),
        ("signature check with whsec_scan_secret failed", True),
        ("lead lead-4477009001234567 moved to BOOKED", False),  # an id, not a number
        ("workflow wa-3f9c0a77009001 started", False),
        ("deposit of 447700 pence", False),
    ],
)
async def test_scan_finds_phone_numbers_and_secrets_in_a_line(line, leaks):
    scan = LeakScan(("whsec_scan_secret",))
    scan.scan(line, "log test")
    assert bool(scan.leaks) == leaks


async def test_scan_catches_a_database_error_logged_with_its_parameters(database_url):
    """What the scan is for: an engine without hide_parameters puts the number in the log."""
    scan = LeakScan(())
    logger = logging.getLogger("tests.log_scan.probe")
    logger.addHandler(ScanHandler(scan))
    logger.propagate = False  # a leak on purpose: kept out of the session's own scan
    engine = create_async_engine(async_url(database_url))  # as make_engine was before
    try:
        async with make_sessions(engine).begin() as session:
            # A name longer than its column: PostgreSQL refuses the row.
            session.add(Contact(key=uuid.uuid4().hex, wa_id="447700900871", profile_name="x" * 300))
    except DBAPIError as error:
        logger.error("could not store the contact", exc_info=error)
    finally:
        await engine.dispose()
        logger.handlers.clear()
    assert scan.leaks and "447700900871" in scan.leaks[0]
