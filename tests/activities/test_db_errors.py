"""A database error never carries its statement's parameters (phone numbers, what clients wrote)
into a log line."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy.exc import DBAPIError

from models import Contact
from models.base import make_engine, make_sessions

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_failed_insert_logs_no_phone_number(database_url, caplog):
    phone = "447700900913"
    engine = make_engine(database_url, pool_size=1)
    with pytest.raises(DBAPIError) as raised:
        async with make_sessions(engine).begin() as session:
            # Longer than the column: PostgreSQL refuses the row (its message names no value).
            session.add(Contact(key=uuid.uuid4().hex, wa_id=phone * 3, profile_name="Tess"))
    logging.getLogger("api").exception("could not store the contact", exc_info=raised.value)
    await engine.dispose()

    assert "value too long" in caplog.text  # the log still says what broke
    assert phone not in caplog.text
    assert "Tess" not in caplog.text
