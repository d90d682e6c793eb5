"""The sandbox's Checkout Sessions (`checkout_sessions`), for the one-command demo: a row per
session, paid from the demo page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker

from models import CheckoutSessionRow

COLUMNS = (
    CheckoutSessionRow.id,
    CheckoutSessionRow.url,
    CheckoutSessionRow.expires_at,
    CheckoutSessionRow.status,
    CheckoutSessionRow.lead_id,
    CheckoutSessionRow.workflow_id,
    CheckoutSessionRow.amount_pence,
)


class CheckoutSessions:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    async def get(self, session_id: str) -> Row[Any] | None:
        async with self.sessions() as session:
            return (
                await session.execute(select(*COLUMNS).where(CheckoutSessionRow.id == session_id))
            ).first()

    async def expire(self, session_id: str) -> None:
        """Close an open session; one already expired or paid is left as it is."""
        async with self.sessions.begin() as session:
            await session.execute(
                update(CheckoutSessionRow)
                .where(CheckoutSessionRow.id == session_id, CheckoutSessionRow.status == "open")
                .values(status="expired")
            )

    async def open(self, row: dict[str, Any]) -> Row[Any]:
        """Store a new session, or find the one its idempotency key already names."""
        async with self.sessions.begin() as session:
            # A concurrent insert with the same key waits on the unique index, then does
            # nothing; the select after it sees the winner's committed row.
            await session.execute(
                insert(CheckoutSessionRow)
                .values(**row)
                .on_conflict_do_nothing(index_elements=[CheckoutSessionRow.idempotency_key])
            )
            return (
                await session.execute(
                    select(*COLUMNS).where(
                        CheckoutSessionRow.idempotency_key == row["idempotency_key"]
                    )
                )
            ).one()
