"""The inbox's SQL: the leads that need the artist first, then the rest; one lead's conversation
with the client (both ways, with delivery ticks and images); the nav's badges (what came since
the account last looked at its inbox)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Attachment,
    Contact,
    InboundMessage,
    LeadRecord,
    OutboundMessage,
    StudioSeen,
    SystemEvent,
)
from stores.studio.lead_page import enquiry_messages

NEEDS_YOU = ("NEEDS_ARTIST_REPLY", "NEEDS_FOLLOW_UP")
REST = 50  # leads listed after those needing the artist
FIRST_LOOK = timedelta(days=7)  # an account that never looked: badges count the last week


@dataclass
class InboxLead:
    lead_id: str
    name: str
    status: str
    handover_reason: str | None
    taken_over: bool
    waiting_since: datetime | None
    updated_at: datetime


@dataclass
class Bubble:
    """One message of the conversation: from the client, the bot, or the artist in person."""

    at: datetime
    side: str  # client | bot | artist
    text: str
    delivery: str = ""  # sent | delivered | read | failed ("" for the client's own)
    image: str = ""  # the stored image's object key, when one came with it
    media: str = ""  # what kind of attachment came, when it is not (yet) stored


async def inbox(session: AsyncSession) -> tuple[list[InboxLead], list[InboxLead]]:
    """(leads needing the artist, longest waiting first; the rest, latest change first)."""
    needing = or_(LeadRecord.taken_over, LeadRecord.status.in_(NEEDS_YOU))
    columns = (
        LeadRecord.lead_id,
        func.coalesce(Contact.profile_name, ""),
        LeadRecord.status,
        LeadRecord.handover_reason,
        LeadRecord.taken_over,
        LeadRecord.waiting_since,
        LeadRecord.updated_at,
    )
    base = select(*columns).outerjoin(Contact, Contact.key == LeadRecord.contact_key)
    first = await session.execute(
        base.where(needing).order_by(
            LeadRecord.waiting_since.asc().nulls_last(), LeadRecord.updated_at
        )
    )
    rest = await session.execute(
        base.where(~needing).order_by(LeadRecord.updated_at.desc()).limit(REST)
    )
    return [InboxLead(*row) for row in first], [InboxLead(*row) for row in rest]


async def conversation(session: AsyncSession, lead: LeadRecord) -> list[Bubble]:
    """The client's messages in this enquiry and every message sent to them, in time order."""
    window = await enquiry_messages(session, lead)
    received = list(await session.scalars(select(InboundMessage).where(*window)))
    media_ids = [
        str((m.payload.get("media") or {}).get("media_id"))
        for m in received
        if isinstance(m.payload, dict) and m.payload.get("media")
    ]
    stored = dict(
        (
            await session.execute(
                select(Attachment.media_id, Attachment.object_key).where(
                    Attachment.media_id.in_(media_ids), Attachment.status == "STORED"
                )
            )
        ).all()
    ) if media_ids else {}  # fmt: skip
    bubbles = []
    for m in received:
        payload = m.payload if isinstance(m.payload, dict) else {}
        media = payload.get("media") or {}
        key = stored.get(str(media.get("media_id"))) if media else None
        bubbles.append(
            Bubble(
                m.received_at,
                "client",
                str(payload.get("text", "")),
                image=key or "",
                media="" if key or not media else str(media.get("kind", "file")),
            )
        )
    sent = await session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.lead_id == lead.lead_id, OutboundMessage.recipient == "client")
        .where(OutboundMessage.status.in_(("SENT", "TEMPLATE", "SENDING", "RETRYING")))
    )
    for o in sent:
        side = "artist" if o.key == "artist.reply" else "bot"
        image = (o.message or {}).get("extra", {}).get("image_id") if o.message else None
        text = o.body.strip() or ("[image]" if image else "")
        bubbles.append(Bubble(o.created_at, side, text, delivery=o.delivery or "sent"))
    bubbles.sort(key=lambda bubble: bubble.at)
    return bubbles


@dataclass
class Badges:
    new_leads: int
    handovers: int
    payments: int

    @property
    def total(self) -> int:
        return self.new_leads + self.handovers + self.payments


async def badges(session: AsyncSession, account: str) -> Badges:
    seen = await session.scalar(select(StudioSeen.seen_at).where(StudioSeen.account == account))
    since = seen or datetime.now(UTC) - FIRST_LOOK

    async def count(*where: ColumnElement[bool]) -> int:
        statement = select(func.count()).select_from(SystemEvent)
        found = await session.scalar(statement.where(SystemEvent.created_at > since, *where))
        return int(found or 0)

    return Badges(
        new_leads=await count(
            SystemEvent.type == "lead.status",
            SystemEvent.detail["to"].astext == "PENDING_APPROVAL",
        ),
        handovers=await count(SystemEvent.type == "lead.handover"),
        payments=await count(SystemEvent.type == "deposit.paid"),
    )


async def mark_seen(session: AsyncSession, account: str) -> None:
    now = datetime.now(UTC)
    statement = insert(StudioSeen).values(account=account, seen_at=now)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[StudioSeen.account], set_={"seen_at": now})
    )
