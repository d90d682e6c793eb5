"""Every message we send (or decided not to), one row per outbound id the workflow derives, so a
retried send never goes out twice; also the sandbox's outbox the demo page reads.

A reply's path (look up, attempt, finish) is the hottest database path there is: each step is one
statement in autocommit, prepared once here (bench/RESULTS.md, issue 14)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, bindparam, literal, select, text, update
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
    .add_columns(literal(False).label("attempted"))
)

# The look-up, and the attempt with it when the outbound id is new and the client can be written
# to (known, with a number or BSUID, and not opted out unless this is the opt-out's own answer):
# a reply's usual case in one round trip. Anything else (a retry, the artist, a closed window)
# is looked up only, and decided as before. In CTEs and a SELECT, so that a turn's projection
# can carry its first reply's look-up in the same statement (stores/leads.py).
ATTEMPT_CTES = """
    contact AS (
        SELECT key, wa_id, user_id, opted_out FROM contacts WHERE key = :contact_key
    ), prior AS (
        SELECT status, provider_message_id, attempted_at FROM outbound_messages
        WHERE id = :outbound_id
    ), attempt AS (
        INSERT INTO outbound_messages
            (id, contact_key, recipient, lead_id, key, body, message, status, attempted_at)
        SELECT :outbound_id, :contact_key, :recipient, :send_lead_id, :send_key, :body,
               CAST(:message AS jsonb), :send_status, :attempted_at
        FROM contact
        WHERE NOT EXISTS (SELECT 1 FROM prior)
          AND coalesce(nullif(contact.wa_id, ''), nullif(contact.user_id, '')) IS NOT NULL
          AND (NOT contact.opted_out OR :opt_out_reply)
        ON CONFLICT (id) DO NOTHING
        RETURNING id
    )
"""
LOOKED_UP = """
    SELECT p.status, p.provider_message_id, p.attempted_at,
           c.key, c.wa_id, c.user_id, c.opted_out, EXISTS (SELECT 1 FROM attempt) AS attempted
    FROM (SELECT 1) AS one LEFT JOIN prior AS p ON true LEFT JOIN contact AS c ON true
"""
LOOK_UP_AND_ATTEMPT = text("WITH" + ATTEMPT_CTES + LOOKED_UP)

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


# A look-up's row: status, provider_message_id, attempted_at (of the outbound id, if known), key,
# wa_id, user_id, opted_out (of the contact, if known), and whether the look-up attempted it.
LookedUp = Row[Any]


@dataclass(frozen=True)
class Attempt:
    """An attempt to record with the look-up: the outbound row, its status and time."""

    row: dict[str, Any]
    status: str
    at: datetime
    opt_out_reply: bool  # the answer to an opt-out, which an opted-out client still gets

    def params(self) -> dict[str, Any]:
        """ATTEMPT_CTES' parameters; the row's own `id` and `contact_key` are those looked up."""
        row = self.row
        return {
            "outbound_id": row["id"],
            "contact_key": row["contact_key"],
            "recipient": row["recipient"],
            "send_lead_id": row["lead_id"],
            "send_key": row["key"],
            "body": row["body"],
            "message": json.dumps(row["message"]),
            "send_status": self.status,
            "attempted_at": self.at,
            "opt_out_reply": self.opt_out_reply,
        }


class Outbox:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions
        self.db = autocommit(sessions)

    async def look_up(self, outbound_id: str, contact_key: str) -> LookedUp:
        """In one round trip: what became of this outbound id, and who the client is."""
        query = {"outbound_id": outbound_id, "contact_key": contact_key}
        async with self.db.connect() as conn:
            return (await conn.execute(LOOK_UP, query)).one()  # type: ignore[return-value]

    async def look_up_and_attempt(self, attempt: Attempt) -> LookedUp:
        """The look-up, with `attempt` recorded too when its outbound id is new and the client
        can be written to (`attempted` says whether it was)."""
        async with self.db.connect() as conn:
            return (await conn.execute(LOOK_UP_AND_ATTEMPT, attempt.params())).one()  # type: ignore[return-value]

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
