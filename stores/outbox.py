"""Every message we send (or decided not to), one row per outbound id the workflow derives, so a
retried send never goes out twice; also the sandbox's outbox the demo page reads.

A reply's path (look up, attempt, finish) is the hottest database path there is: each step is one
statement in autocommit, prepared once here (bench/RESULTS.md, issue 14)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, bindparam, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker

from models import Contact, OutboundMessage, SystemEvent
from models.base import autocommit

OUTBOUND: Table = OutboundMessage.__table__  # type: ignore[assignment]  # a Table, typed as FromClause

# What became of an outbound id so far (status, provider id, attempted_at), and who the client
# is (key, wa_id, user_id, opted_out). Joined to a single row, so an artist alert with no
# contact still finds its own row.
_ONE = select(literal(1).label("one")).subquery()
LOOK_UP = (
    select(
        OutboundMessage.status,
        OutboundMessage.provider_message_id,
        OutboundMessage.attempted_at,
        Contact.key,
        Contact.wa_id,
        Contact.user_id,
        Contact.opted_out,
    )
    .select_from(_ONE)
    .outerjoin(OutboundMessage, OutboundMessage.id == bindparam("outbound_id"))
    .outerjoin(Contact, Contact.key == bindparam("contact_key"))
)

# An attempt, recorded unless a status webhook already confirmed the message.
_attempt = insert(OUTBOUND)
ATTEMPT = _attempt.on_conflict_do_update(
    index_elements=[OUTBOUND.c.id],
    set_={"status": _attempt.excluded.status, "attempted_at": _attempt.excluded.attempted_at,
          "error": None},
    where=OUTBOUND.c.provider_message_id.is_(None),
).returning(OUTBOUND.c.id)  # fmt: skip
CONFIRMED = select(OUTBOUND.c.provider_message_id).where(OUTBOUND.c.id == bindparam("id"))

_finish = insert(OUTBOUND)
FINISH = _finish.on_conflict_do_update(
    index_elements=[OUTBOUND.c.id],
    set_={"status": _finish.excluded.status,
          "provider_message_id": _finish.excluded.provider_message_id,
          "error": _finish.excluded.error},
)  # fmt: skip

MARK = (
    update(OUTBOUND)
    .where(OUTBOUND.c.id == bindparam("outbound_id"))
    .where(OUTBOUND.c.provider_message_id.is_(None))
    .values(status=bindparam("status"))
)

LAST_INBOUND = select(Contact.last_inbound_at).where(Contact.wa_id == bindparam("wa_id"))


class Outbox:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions
        self.db = autocommit(sessions)

    async def look_up(self, outbound_id: str, contact_key: str) -> Row[Any]:
        """In one round trip: what became of this outbound id, and who the client is."""
        async with self.db.connect() as conn:
            result = await conn.execute(
                LOOK_UP, {"outbound_id": outbound_id, "contact_key": contact_key}
            )
            return result.one()  # type: ignore[return-value]

    async def attempt(self, row: dict[str, Any], status: str, at: datetime) -> str | None:
        """Record an attempt (`status`, `at`), committed before the provider is called. Returns
        the provider's id instead when a status webhook already confirmed the message."""
        async with self.db.connect() as conn:
            recorded = await conn.scalar(ATTEMPT, {**row, "status": status, "attempted_at": at})
            if recorded is not None:
                return None
            confirmed: str | None = await conn.scalar(CONFIRMED, {"id": row["id"]})
            return confirmed

    async def mark(self, outbound_id: str, status: str) -> None:
        """Set the status of a message no status webhook has confirmed."""
        async with self.db.connect() as conn:
            await conn.execute(MARK, {"outbound_id": outbound_id, "status": status})

    async def finish(
        self, row: dict[str, Any], status: str, provider_id: str | None, error: str | None,
        event: SystemEvent | None = None,
    ) -> None:  # fmt: skip
        """Record how the message ended, with the system event that tells of it, if any (the
        two in one transaction)."""
        values = {**row, "status": status, "provider_message_id": provider_id, "error": error}
        if event is None:
            async with self.db.connect() as conn:
                await conn.execute(FINISH, values)
            return
        async with self.sessions.begin() as session:
            await session.execute(FINISH, values)
            session.add(event)

    async def last_inbound_at(self, wa_id: str) -> datetime | None:
        """When `wa_id` last wrote to the business number (None: never)."""
        async with self.db.connect() as conn:
            last: datetime | None = await conn.scalar(LAST_INBOUND, {"wa_id": wa_id})
        return last
