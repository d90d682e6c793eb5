"""Everything the lead page shows about one lead, and the studio's own system events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Attachment,
    CalendarHold,
    Campaign,
    Contact,
    InboundMessage,
    LeadRecord,
    OutboundMessage,
    SystemEvent,
)


@dataclass
class Moment:
    """One line of a lead's timeline: a system event or a message either way."""

    at: datetime
    kind: str  # event | client | bot | you (the artist's reply) | artist (to the artist)
    title: str
    text: str = ""
    level: str = "INFO"
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Image:
    object_key: str
    mime_type: str


@dataclass
class LeadView:
    lead: LeadRecord
    name: str
    timeline: list[Moment]
    holds: list[CalendarHold]
    images: list[Image]
    # The campaign the enquiry answered, (id, name): "came from campaign X".
    campaign: tuple[str, str] | None = None


async def enquiry_messages(session: AsyncSession, lead: LeadRecord) -> list[ColumnElement[bool]]:
    """Where the client's messages of this enquiry are. They belong to the contact: this
    enquiry's are those from its start (its first message came just before the lead existed)
    until the contact's next enquiry. The artist's own replies show as sent to the client."""
    following = await session.scalar(
        select(func.min(LeadRecord.created_at)).where(
            LeadRecord.contact_key == lead.contact_key, LeadRecord.created_at > lead.created_at
        )
    )
    window = [
        InboundMessage.contact_key == lead.contact_key,
        InboundMessage.received_at >= lead.created_at - timedelta(minutes=5),
        InboundMessage.kind != "artist",
    ]
    if following is not None:
        window.append(InboundMessage.received_at < following)
    return window


async def lead_view(session: AsyncSession, lead_id: str) -> LeadView | None:
    lead = await session.get(LeadRecord, lead_id)
    if lead is None:
        return None
    name = await session.scalar(select(Contact.profile_name).where(Contact.key == lead.contact_key))
    events = list(
        await session.scalars(
            select(SystemEvent).where(SystemEvent.lead_id == lead_id).order_by(SystemEvent.id)
        )
    )
    sent = await session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.lead_id == lead_id)
        .order_by(OutboundMessage.seq)
    )
    received = await session.scalars(
        select(InboundMessage)
        .where(*await enquiry_messages(session, lead))
        .order_by(InboundMessage.sent_at, InboundMessage.received_at)
    )
    timeline = [
        Moment(e.created_at, "event", e.type, level=e.level, detail=dict(e.detail or {}))
        for e in events
    ]
    timeline += [Moment(m.created_at, _sender(m), m.key, m.body) for m in sent]
    for m in received:
        payload = m.payload or {}
        timeline.append(
            Moment(
                m.received_at,
                "client",
                str(payload.get("kind", m.kind)),
                str(payload.get("text", "")),
            )
        )
    timeline.sort(key=lambda moment: moment.at)
    holds = await session.scalars(
        select(CalendarHold).where(CalendarHold.lead_id == lead_id).order_by(CalendarHold.id)
    )
    images = await session.execute(
        select(Attachment.object_key, Attachment.mime_type)
        .where(Attachment.lead_id == lead_id, Attachment.status == "STORED")
        .order_by(Attachment.id)
    )
    return LeadView(
        lead,
        name or "",
        timeline,
        list(holds),
        [Image(key, mime or "") for key, mime in images if key],
        await _campaign(session, events),
    )


async def _campaign(session: AsyncSession, events: list[SystemEvent]) -> tuple[str, str] | None:
    """The campaign the lead's workflow last tagged it with (`lead.campaign_reply`)."""
    tags = [e.detail.get("campaign_id") for e in events if e.type == "lead.campaign_reply"]
    campaign_id = str(tags[-1] or "") if tags else ""
    if not campaign_id:
        return None
    name = await session.scalar(select(Campaign.name).where(Campaign.id == campaign_id))
    return campaign_id, name or campaign_id


def _sender(message: OutboundMessage) -> str:
    """bot (to the client), you (the artist's own reply to the client), artist (to the artist)."""
    if message.recipient != "client":
        return "artist"
    return "you" if message.key == "artist.reply" else "bot"


async def record_event(
    session: AsyncSession, type_: str, lead_id: str | None, **detail: Any
) -> None:
    """A system event from the studio (who decided what). Never a phone number."""
    session.add(SystemEvent(level="INFO", type=type_, lead_id=lead_id, detail=detail))
