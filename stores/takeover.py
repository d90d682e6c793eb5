"""The SQL behind the artist's replies: which lead a reply is about (the message of ours it
answers, or the short ref the artist typed), and queueing the reply with the client's own
messages so the relay hands both to the lead's workflow in order, once."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from consultation.messages import Inbound
from models import LeadRecord, OutboundMessage


@dataclass(frozen=True)
class LeadTarget:
    lead_id: str
    contact_key: str
    workflow_id: str


async def lead_for_reply(session: AsyncSession, provider_id: str) -> LeadTarget | None:
    """The lead a message we sent the artist was about, by the id Meta gave that message."""
    lead_id = await session.scalar(
        select(OutboundMessage.lead_id)
        .where(OutboundMessage.provider_message_id == provider_id)
        .where(OutboundMessage.recipient == "artist")
    )
    return await lead_by_id(session, lead_id) if lead_id else None


async def lead_by_id(session: AsyncSession, lead_id: str) -> LeadTarget | None:
    row = (
        await session.execute(
            select(LeadRecord.lead_id, LeadRecord.contact_key, LeadRecord.workflow_id).where(
                LeadRecord.lead_id == lead_id
            )
        )
    ).first()
    return LeadTarget(*row) if row else None


async def lead_by_ref(session: AsyncSession, ref: str) -> LeadTarget | None:
    """The lead whose id starts with `ref` (the short ref in the artist's messages); the latest
    one should two ever share it."""
    row = (
        await session.execute(
            select(LeadRecord.lead_id, LeadRecord.contact_key, LeadRecord.workflow_id)
            .where(LeadRecord.lead_id.startswith(ref.lower(), autoescape=True))
            .order_by(LeadRecord.created_at.desc())
            .limit(1)
        )
    ).first()
    return LeadTarget(*row) if row else None


QUEUE = text(
    """
    INSERT INTO inbound_messages
        (message_id, contact_key, kind, payload, state, sent_at, task_queue)
    VALUES (:message_id, :contact_key, :kind, CAST(:payload AS jsonb), :state, :sent_at,
            :task_queue)
    ON CONFLICT (message_id) DO NOTHING
    RETURNING message_id
    """
)


async def queue(
    session: AsyncSession, contact_key: str, message: Inbound, task_queue: str, *, handled: bool
) -> bool:
    """Store one of the artist's messages by its id (a redelivery is not new: returns False).
    For the client's contact, it waits for the relay like the client's own (`pending`); one the
    edge dealt with itself (help, a hand-back tap) is kept under the artist's key, `handled`."""
    stored = await session.scalar(
        QUEUE,
        {
            "message_id": message.message_id,
            "contact_key": contact_key,
            "kind": "artist" if message.from_artist else message.kind,
            "payload": json.dumps(dataclasses.asdict(message)),
            "state": "handled" if handled else "pending",
            "sent_at": message.sent_at,
            "task_queue": task_queue,
        },
    )
    return stored is not None


async def seen(session: AsyncSession, message_id: str) -> bool:
    found = await session.scalar(
        text("SELECT 1 FROM inbound_messages WHERE message_id = :id"), {"id": message_id}
    )
    return found is not None
