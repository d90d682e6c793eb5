"""A campaign's results, counted from its recipients, the status webhooks of their messages
(`outbound_messages.delivery`) and the leads of theirs that began or moved within the
attribution window after the message. Deposits and revenue are what Stripe took: the paid
Checkout Sessions the Stripe webhook recorded (`provider_events`), not the estimated deposit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Subquery, and_, cast, func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from consultation.money import format_money
from models import CampaignRecipient, Contact, LeadRecord, OutboundMessage, ProviderEvent


def paid_sessions() -> Subquery:
    """Each paid Checkout Session once, with its lead, amount and currency, as Stripe's
    `checkout.session.completed` (or `async_payment_succeeded`) event reported them. Stripe
    may send a session's payment more than once (`paid_session` marks each)."""
    session = ProviderEvent.payload["data"]["object"]
    return (
        select(
            ProviderEvent.lead_id.label("lead_id"),
            ProviderEvent.paid_session.label("session_id"),
            func.max(cast(session["amount_total"].astext, BigInteger)).label("amount"),
            func.upper(func.max(session["currency"].astext)).label("currency"),
        )
        .where(ProviderEvent.provider == "stripe", ProviderEvent.paid_session.is_not(None))
        .group_by(ProviderEvent.lead_id, ProviderEvent.paid_session)
        .subquery()
    )


def attributed(attribution: timedelta) -> Any:
    """A lead the recipient began within the window after the campaign's message."""
    lead, recipient = LeadRecord, CampaignRecipient
    return and_(
        lead.contact_key == recipient.contact_key,
        lead.created_at >= recipient.sent_at,
        lead.created_at < recipient.sent_at + attribution,
    )


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
    deposits: int = 0  # leads with a deposit paid
    revenue: dict[str, int] = field(default_factory=dict)  # paid, minor units by currency
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
            lead = LeadRecord
            leads = (
                await session.execute(
                    select(func.count(), func.count().filter(lead.status == "BOOKED"))
                    .select_from(recipient)
                    .join(lead, attributed(attribution))
                    .where(mine, recipient.state == "sent")
                )
            ).one()
            paid = paid_sessions()
            payments = (
                await session.execute(
                    select(
                        paid.c.currency,
                        func.count(func.distinct(lead.lead_id)),
                        func.sum(paid.c.amount),
                    )  # fmt: skip
                    .select_from(recipient)
                    .join(lead, attributed(attribution))
                    .join(paid, paid.c.lead_id == lead.lead_id)
                    .where(mine, recipient.state == "sent")
                    .group_by(paid.c.currency)
                )
            ).all()
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
            deposits=sum(int(count) for _, count, _ in payments),
            revenue={str(currency): int(total) for currency, _, total in payments},
            bookings=leads[1],
        )

    async def paid_by_recipient(
        self, campaign_id: str, attribution: timedelta
    ) -> dict[str, dict[str, int]]:
        """What each recipient's attributed leads paid, by contact key: minor units by currency."""
        recipient, lead, paid = CampaignRecipient, LeadRecord, paid_sessions()
        async with self.sessions() as session:
            rows = await session.execute(
                select(recipient.contact_key, paid.c.currency, func.sum(paid.c.amount))
                .select_from(recipient)
                .join(lead, attributed(attribution))
                .join(paid, paid.c.lead_id == lead.lead_id)
                .where(recipient.campaign_id == campaign_id, recipient.state == "sent")
                .group_by(recipient.contact_key, paid.c.currency)
            )
            found: dict[str, dict[str, int]] = {}
            for key, currency, total in rows.all():
                found.setdefault(key, {})[str(currency)] = int(total)
        return found

    async def rows(self, campaign_id: str) -> list[Any]:
        """One row per recipient for the CSV: name, state, reason, times, delivery."""
        recipient = CampaignRecipient
        async with self.sessions() as session:
            query = (
                select(
                    recipient.contact_key,
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


def amounts(by_currency: dict[str, int]) -> str:
    """ "£123.45", or "£10 + €20" for payments in several currencies; "" for none."""
    return " + ".join(
        format_money(minor, currency) for currency, minor in sorted(by_currency.items())
    )
