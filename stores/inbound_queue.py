"""The SQL of the inbound queue: stored messages waiting to be handed to their workflows.

Several API replicas run a relay each. A relay claims, with `FOR UPDATE SKIP LOCKED`, only the
first waiting message of each contact, so while one relay hands a contact's message over, no
other relay can take that contact's next one: a contact's messages go over one at a time, in
the order the client sent them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

Outcome = Literal["signalled", "told", "refused"]

# The head of each contact's queue (on this task queue), oldest first, locked for this relay.
# A head another relay has locked is skipped; the rows behind it are not heads while it waits.
CLAIM = text(
    """
    SELECT m.message_id, m.contact_key, m.state, m.payload, c.opted_out
    FROM inbound_messages m JOIN contacts c ON c.key = m.contact_key
    WHERE m.task_queue = :task_queue AND m.state IN ('pending', 'paused')
      AND NOT EXISTS (
          SELECT 1 FROM inbound_messages e
          WHERE e.task_queue = m.task_queue AND e.contact_key = m.contact_key
            AND e.state IN ('pending', 'paused')
            AND (e.sent_at, e.received_at, e.message_id)
                < (m.sent_at, m.received_at, m.message_id)
      )
    ORDER BY m.received_at
    LIMIT :limit
    FOR UPDATE OF m SKIP LOCKED
    """
)

# What became of each message a round handed over, in one statement for the whole round.
SETTLE = text(
    """
    UPDATE inbound_messages m
    SET state = s.state,
        signalled_at = CASE WHEN s.state = 'signalled' THEN now() ELSE m.signalled_at END
    FROM unnest(CAST(:message_ids AS text[]), CAST(:states AS text[])) AS s(message_id, state)
    WHERE m.message_id = s.message_id
    """
)

# Handed over and not yet read by a turn (the lead's projection stamps `last_read_at`): the
# relay keeps these few (admission). One never read (a redelivery the workflow dropped, a run
# that failed) stops counting after a while.
IN_FLIGHT = text(
    """
    SELECT count(*) FROM inbound_messages m JOIN contacts c ON c.key = m.contact_key
    WHERE m.task_queue = :task_queue AND m.state = 'signalled'
      AND m.signalled_at > now() - make_interval(secs => :seconds)
      AND (c.last_read_at IS NULL OR c.last_read_at < m.signalled_at)
    """
)

READ = text("UPDATE contacts SET last_read_at = now() WHERE key = :contact_key")

RELEASE = text("UPDATE inbound_messages SET state = 'pending' WHERE state = 'told'")
REPLAY = text(
    "UPDATE inbound_messages SET state = 'pending' "
    "WHERE message_id = :message_id AND state IN ('signalled', 'refused')"
)


@dataclass(frozen=True)
class Waiting:
    message_id: str
    contact_key: str
    paused: bool  # automation paused: tell the workflow (a pause notice), not the message
    payload: dict[str, Any]  # the stored `Inbound`
    opted_out: bool


async def claim(session: AsyncSession, task_queue: str, limit: int) -> list[Waiting]:
    """At most one message per contact; the locks last until the session's transaction ends."""
    rows = await session.execute(CLAIM, {"task_queue": task_queue, "limit": limit})
    return [
        Waiting(row.message_id, row.contact_key, row.state == "paused", row.payload, row.opted_out)
        for row in rows
    ]


async def in_flight(session: AsyncSession, task_queue: str, seconds: float) -> int:
    return int(await session.scalar(IN_FLIGHT, {"task_queue": task_queue, "seconds": seconds}) or 0)


async def settle(session: AsyncSession, outcomes: list[tuple[str, Outcome]]) -> None:
    """Record (message id, outcome) for each message of a round."""
    if outcomes:
        ids, states = zip(*outcomes, strict=True)
        await session.execute(SETTLE, {"message_ids": list(ids), "states": list(states)})


async def release_paused(session: AsyncSession) -> int:
    """Give messages kept while paused back to the relay (its trigger wakes the relays)."""
    result = await session.execute(RELEASE)
    return int(result.rowcount)  # type: ignore[attr-defined]  # CursorResult of an UPDATE


async def replay(session: AsyncSession, message_id: str) -> bool:
    """Hand a stored message to its workflow again (the ops CLI): the relay takes it as new;
    a run that has it already drops it as a duplicate, one that lost it (ended) reads it."""
    result = await session.execute(REPLAY, {"message_id": message_id})
    return bool(result.rowcount)  # type: ignore[attr-defined]
