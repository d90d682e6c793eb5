"""A campaign's results, counted from its recipients, the status webhooks of their messages
(`outbound_messages.delivery`) and the leads of theirs that began or moved within the
attribution window after the message."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, and_, cast, func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from models import CampaignRecipient, Contact, LeadRecord, OutboundMessage

# A lead in one of these has paid its deposit; BOOKED is also a booking.
PAID = ("DEPOSIT_PAID", "BOOKING_PENDING", "BOOKED", "COLLECTING_TIME_WINDOWS")


@dataclass
class Results:
    audience: int = 0
    sent: int = 0
    delivered: int = 0
    read: int = 0
    failed: int = 0
    failed_by_reason: dict[str, int] = field(default_factory=dict)
    replied: int = 0
    opted_out: int = 0
    enquiries: int = 0
    deposits: int = 0
    revenue_pence: int = 0
    bookings: int = 0

    def funnel(self) -> list[tuple[str, int]]:
        """The funnel's steps, widest first."""
        return [
            ("Audience", self.audience),
            ("Sent", self.sent),
            ("Delivered", self.delivered),
            ("Read", self.read),
            ("Replied", self.replied),
            ("New enquiries", self.enquiries),
            ("Deposits paid", self.deposits),
            ("Booked", self.bookings),
        ]


class CampaignResults:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    async def results(self, campaign_id: str, attribution: timedelta) -> Results:
        recipient = CampaignRecipient
        mine = recipient.campaign_id == campaign_id
        delivery = OutboundMessage.delivery
        async with self.sessions() as session:
            counts = (
                await session.execute(
                    select(
                        func.count(),
                        func.count().filter(recipient.state == "sent"),
                        func.count().filter(delivery.in_(("delivered", "read", "played"))),
                        func.count().filter(delivery.in_(("read", "played"))),
                        func.count().filter(recipient.replied_at.is_not(None)),
                        func.count().filter(recipient.opted_out_at.is_not(None)),
                    )
                    .select_from(recipient)
                    .outerjoin(OutboundMessage, OutboundMessage.id == recipient.outbound_id)
                    .where(mine)
                )
            ).one()
            reasons = dict(
                (
                    await session.execute(
                        select(recipient.reason, func.count())
                        .where(mine, recipient.state == "failed")
                        .group_by(recipient.reason)
                    )
                ).all()
            )
            # Leads begun by recipients within the window after their message.
            lead = LeadRecord
            attributed = and_(
                lead.contact_key == recipient.contact_key,
                lead.created_at >= recipient.sent_at,
                lead.created_at < recipient.sent_at + attribution,
            )
            deposit = cast(lead.estimate["deposit_pence"].astext, Integer)
            leads = (
                await session.execute(
                    select(
                        func.count(),
                        func.count().filter(lead.status.in_(PAID)),
                        func.coalesce(func.sum(deposit).filter(lead.status.in_(PAID)), 0),
                        func.count().filter(lead.status == "BOOKED"),
                    )
                    .select_from(recipient)
                    .join(lead, attributed)
                    .where(mine, recipient.state == "sent")
                )
            ).one()
        return Results(
            audience=counts[0],
            sent=counts[1],
            delivered=counts[2],
            read=counts[3],
            failed=sum(reasons.values()),
            failed_by_reason={str(k or "failed"): int(v) for k, v in reasons.items()},
            replied=counts[4],
            opted_out=counts[5],
            enquiries=leads[0],
            deposits=leads[1],
            revenue_pence=int(leads[2]),
            bookings=leads[3],
        )

    async def rows(self, campaign_id: str) -> list[Any]:
        """One row per recipient for the CSV: name, state, reason, times, delivery."""
        recipient = CampaignRecipient
        async with self.sessions() as session:
            query = (
                select(
                    Contact.profile_name,
                    recipient.state,
                    recipient.reason,
                    recipient.sent_at,
                    OutboundMessage.delivery,
                    recipient.replied_at,
                    recipient.opted_out_at,
                )
                .select_from(recipient)
                .join(Contact, Contact.key == recipient.contact_key)
                .outerjoin(OutboundMessage, OutboundMessage.id == recipient.outbound_id)
                .where(recipient.campaign_id == campaign_id)
                .order_by(recipient.sent_at.nulls_last(), Contact.profile_name)
            )
            return list((await session.execute(query)).all())


def when(value: datetime | None) -> str:
    return value.isoformat() if value else ""
