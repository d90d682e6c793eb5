"""The edge's part in campaigns: an inbound message that gives or withdraws marketing consent is
recorded with its evidence (in the transaction that stores the message; a reply to a campaign
is tagged and counted by the statement that stores it, `api/contacts.ARRIVE`), and Meta's own
marketing stop (a failed status with 131050) withdraws consent. The message itself still goes to
the lead's workflow by the relay, which starts or resumes the contact's lead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns import ConsentChange, Outcome
from campaigns.consent import CONSENT_YES
from campaigns.outcomes import MARKETING_STOPPED
from consultation.copy import render
from consultation.messages import Inbound
from models import CampaignRecipient, OutboundMessage
from settings import Settings
from stores.consent import record_consent

STOPPED = "the user stopped marketing messages from this business"


def consent_wording(settings: Settings, how: str, text: str) -> str:
    """The exact words a consent change answered: the question and the button tapped, or what
    the client typed."""
    if how == f"button:{CONSENT_YES}":
        question = render("consent.ask", artist=settings.ARTIST_NAME or "the artist")
        return f"{question} [{render('consent.yes')}]"
    return text[:500]


def campaigns_since(settings: Settings) -> datetime:
    """The oldest campaign send an inbound message may answer (the attribution window)."""
    return datetime.now(UTC) - timedelta(days=settings.CAMPAIGN_ATTRIBUTION_DAYS)


async def note_consent(
    session: AsyncSession,
    settings: Settings,
    contact_key: str,
    message: Inbound,
    change: ConsentChange,
) -> None:
    """Record the consent `change` a new inbound message makes, in `session` (the one that
    stored it). A reply to a campaign was counted as the message was stored (api/contacts.py)."""
    now = datetime.now(UTC)
    at = datetime.fromtimestamp(message.sent_at, UTC) if message.sent_at else now
    wording = consent_wording(settings, change.how, message.text)
    await record_consent(
        session, contact_key, change.granted, change.how, at, wording=wording,
        message_id=message.message_id,
    )  # fmt: skip
    if not change.granted:
        await session.execute(
            update(CampaignRecipient)
            .where(CampaignRecipient.contact_key == contact_key)
            .where(CampaignRecipient.state == "sent")
            .where(CampaignRecipient.sent_at >= campaigns_since(settings))
            .where(CampaignRecipient.opted_out_at.is_(None))
            .values(opted_out_at=now)
        )


async def note_failed_status(
    session: AsyncSession, provider_id: str, error_codes: tuple[int, ...], timestamp: int
) -> None:
    """A message Meta did not deliver because the user stopped marketing messages (131050):
    their consent is withdrawn, whichever message told us, with Meta's report as the evidence,
    and a campaign's recipient of that message is counted as opted out."""
    if MARKETING_STOPPED not in error_codes:
        return
    sent = (
        await session.execute(
            select(OutboundMessage.id, OutboundMessage.contact_key).where(
                OutboundMessage.provider_message_id == provider_id
            )
        )
    ).first()
    if sent is None:
        return
    at = datetime.fromtimestamp(timestamp, UTC) if timestamp else datetime.now(UTC)
    wording = f"Meta refused message {provider_id[:200]} with {MARKETING_STOPPED}: {STOPPED}"
    # Keyed by the refused message: a redelivered status records nothing twice.
    await record_consent(
        session, sent.contact_key, False, f"meta:{MARKETING_STOPPED}", at, wording=wording,
        message_id=f"status:{provider_id}"[:256],
    )  # fmt: skip
    await session.execute(
        update(CampaignRecipient)
        .where(CampaignRecipient.outbound_id == sent.id)
        .where(CampaignRecipient.opted_out_at.is_(None))
        .values(opted_out_at=at, reason=Outcome.CONSENT_WITHDRAWN.value)
    )
