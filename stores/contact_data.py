"""Everything PostgreSQL holds about one contact, to export (a subject access request) or to
erase (a deletion request, or retention). Found through the contact's key: its messages by key,
the rest by its leads' ids."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import (
    ActionToken,
    Attachment,
    CheckoutSessionRow,
    Contact,
    InboundMessage,
    LeadLogRow,
    LeadRecord,
    OutboundMessage,
    ProviderEvent,
    SystemEvent,
)

# Rows found by lead id, exported under these names and erased in this order.
BY_LEAD: dict[str, Any] = {
    "events": SystemEvent,
    "provider_events": ProviderEvent,
    "checkout_sessions": CheckoutSessionRow,
    "action_tokens": ActionToken,
    "attachments": Attachment,
    "lead_log_rows": LeadLogRow,
}
# What an export leaves out: hashes and secrets that mean nothing to the person.
NOT_EXPORTED = {"action_tokens"}


def plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def as_dict(row: Any) -> dict[str, Any]:
    return {column.key: plain(getattr(row, column.key)) for column in row.__table__.columns}


@dataclass
class ErasedRows:
    lead_ids: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class ContactData:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    async def key_for(self, *, lead_id: str = "", wa_id: str = "") -> str | None:
        async with self.sessions() as session:
            if lead_id:
                query = select(LeadRecord.contact_key).where(LeadRecord.lead_id == lead_id)
            else:
                query = select(Contact.key).where(Contact.wa_id == wa_id)
            return await session.scalar(query)

    async def lead_ids(self, key: str) -> list[str]:
        async with self.sessions() as session:
            return await self._lead_ids(session, key)

    async def export(self, key: str) -> dict[str, Any]:
        async with self.sessions() as session:
            contact = await session.get(Contact, key)
            lead_ids = await self._lead_ids(session, key)

            async def rows(query: Select) -> list[dict[str, Any]]:
                return [as_dict(row) for row in (await session.scalars(query)).all()]

            data: dict[str, Any] = {
                "contact": as_dict(contact) if contact else None,
                "leads": await rows(select(LeadRecord).where(LeadRecord.contact_key == key)),
                "messages_received": await rows(
                    select(InboundMessage).where(InboundMessage.contact_key == key)
                ),
                "messages_sent": await rows(
                    select(OutboundMessage).where(OutboundMessage.contact_key == key)
                ),
            }
            for name, model in BY_LEAD.items():
                if name not in NOT_EXPORTED:
                    data[name] = await rows(select(model).where(model.lead_id.in_(lead_ids)))
            return data

    async def media(self, key: str) -> list[tuple[str, str]]:
        """(storage, object key) of every image kept for the contact's leads."""
        async with self.sessions() as session:
            lead_ids = await self._lead_ids(session, key)
            found = await session.execute(
                select(Attachment.storage, Attachment.object_key).where(
                    Attachment.lead_id.in_(lead_ids), Attachment.object_key.is_not(None)
                )
            )
            return [(row.storage or "local", row.object_key) for row in found]

    async def erase(self, key: str, reason: str) -> ErasedRows:
        """Delete every row of the contact in one transaction, recording a `contact.erased`
        event with counts only (nothing that was erased)."""
        erased = ErasedRows()
        async with self.sessions.begin() as session:
            erased.lead_ids = await self._lead_ids(session, key)
            for name, model in BY_LEAD.items():
                erased.counts[name] = await self._delete(
                    session, delete(model).where(model.lead_id.in_(erased.lead_ids))
                )
            erased.counts["messages_received"] = await self._delete(
                session, delete(InboundMessage).where(InboundMessage.contact_key == key)
            )
            erased.counts["messages_sent"] = await self._delete(
                session,
                delete(OutboundMessage).where(
                    (OutboundMessage.contact_key == key)
                    | OutboundMessage.lead_id.in_(erased.lead_ids)
                ),
            )
            erased.counts["leads"] = await self._delete(
                session, delete(LeadRecord).where(LeadRecord.contact_key == key)
            )
            erased.counts["contact"] = await self._delete(
                session, delete(Contact).where(Contact.key == key)
            )
            if any(erased.counts.values()):
                detail = {"reason": reason, **erased.counts}
                session.add(SystemEvent(level="INFO", type="contact.erased", detail=detail))
        return erased

    async def finished_before(self, cutoff: datetime, final: frozenset[str]) -> list[str]:
        """Contacts whose every lead finished (a final status) and last changed before
        `cutoff`: what retention erases."""
        async with self.sessions() as session:
            keys = select(LeadRecord.contact_key).where(LeadRecord.updated_at < cutoff)
            open_or_recent = select(LeadRecord.contact_key).where(
                LeadRecord.status.not_in(final) | (LeadRecord.updated_at >= cutoff)
            )
            found = await session.scalars(
                keys.where(LeadRecord.status.in_(final)).except_(open_or_recent)
            )
            return sorted(found.all())

    @staticmethod
    async def _lead_ids(session: AsyncSession, key: str) -> list[str]:
        found = await session.scalars(
            select(LeadRecord.lead_id).where(LeadRecord.contact_key == key)
        )
        return list(found.all())

    @staticmethod
    async def _delete(session: AsyncSession, statement: Any) -> int:
        return int((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]
