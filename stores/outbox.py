"""Every message we send (or decided not to), one row per outbound id the workflow derives, so a
retried send never goes out twice; also the sandbox's outbox the demo page reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker

from models import Contact, OutboundMessage, SystemEvent


class Outbox:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    async def look_up(self, outbound_id: str, contact_key: str) -> Row[Any]:
        """In one round trip: what became of this outbound id so far (status, provider id,
        attempted_at), and who the client is (key, wa_id, user_id, opted_out). Joined to a
        single row, so an artist alert with no contact still finds its own row."""
        one = select(literal(1).label("one")).subquery()
        async with self.sessions() as session:
            return (
                await session.execute(
                    select(
                        OutboundMessage.status,
                        OutboundMessage.provider_message_id,
                        OutboundMessage.attempted_at,
                        Contact.key,
                        Contact.wa_id,
                        Contact.user_id,
                        Contact.opted_out,
                    )
                    .select_from(one)
                    .outerjoin(OutboundMessage, OutboundMessage.id == outbound_id)
                    .outerjoin(Contact, Contact.key == contact_key)
                )
            ).one()

    async def attempt(self, row: dict[str, Any], status: str, at: datetime) -> str | None:
        """Record an attempt (`status`, `at`) in its own transaction, before the provider is
        called. Returns the provider's id instead when a status webhook already confirmed the
        message."""
        values = {**row, "status": status, "attempted_at": at}
        async with self.sessions.begin() as session:
            statement = insert(OutboundMessage).values(**values)
            recorded = await session.scalar(
                statement.on_conflict_do_update(
                    index_elements=[OutboundMessage.id],
                    set_={"status": status, "attempted_at": at, "error": None},
                    where=OutboundMessage.provider_message_id.is_(None),
                ).returning(OutboundMessage.id)
            )
            if recorded is not None:
                return None
            return await session.scalar(
                select(OutboundMessage.provider_message_id).where(OutboundMessage.id == row["id"])
            )

    async def mark(self, outbound_id: str, status: str) -> None:
        """Set the status of a message no status webhook has confirmed."""
        async with self.sessions.begin() as session:
            await session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.id == outbound_id)
                .where(OutboundMessage.provider_message_id.is_(None))
                .values(status=status)
            )

    async def finish(
        self, row: dict[str, Any], status: str, provider_id: str | None, error: str | None,
        event: SystemEvent | None = None,
    ) -> None:  # fmt: skip
        """Record how the message ended, with the system event that tells of it, if any."""
        values = {**row, "status": status, "provider_message_id": provider_id, "error": error}
        async with self.sessions.begin() as session:
            statement = insert(OutboundMessage).values(**values)
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[OutboundMessage.id],
                    set_={"status": status, "provider_message_id": provider_id, "error": error},
                )
            )
            if event is not None:
                session.add(event)

    async def last_inbound_at(self, wa_id: str) -> datetime | None:
        """When `wa_id` last wrote to the business number (None: never)."""
        async with self.sessions() as session:
            last: datetime | None = await session.scalar(
                select(Contact.last_inbound_at).where(Contact.wa_id == wa_id)
            )
        return last
