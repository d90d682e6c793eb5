"""The edge's part in campaigns: an inbound message that gives or withdraws marketing consent is
recorded with its evidence (in the transaction that stores the message), a reply to a campaign
message is counted for that campaign, and Meta's own marketing stop (a failed status with
131050) withdraws consent. The message itself still goes to the lead's workflow by the relay,
which starts or resumes the contact's lead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns import consent_change
from campaigns.consent import CONSENT_YES
from consultation.copy import render
from consultation.messages import Inbound
from models import CampaignRecipient, OutboundMessage
from settings import Settings
from stores.consent import record_consent

MARKETING_STOPPED = 131050


def consent_wording(settings: Settings, how: str, text: str) -> str:
    """The exact words a consent change answered: the question and the button tapped, or what
    the client typed."""
    if how == f"button:{CONSENT_YES}":
        question = render("consent.ask", artist=settings.ARTIST_NAME or "the artist")
        return f"{question} [{render('consent.yes')}]"
    return text[:500]


async def note_inbound(
    session: AsyncSession, settings: Settings, contact_key: str, message: Inbound
) -> None:
    """Record what a new inbound message means for campaigns, in `session`."""
    now = datetime.now(UTC)
    window = now - timedelta(days=settings.CAMPAIGN_ATTRIBUTION_DAYS)
    recent = (
        update(CampaignRecipient)
        .where(CampaignRecipient.contact_key == contact_key)
        .where(CampaignRecipient.state == "sent")
        .where(CampaignRecipient.sent_at >= window)
    )
    await session.execute(
        recent.where(CampaignRecipient.replied_at.is_(None)).values(replied_at=now)
    )
    change = consent_change(message.text, message.choice_id)
    if change is None:
        return
    at = datetime.fromtimestamp(message.sent_at, UTC) if message.sent_at else now
    wording = consent_wording(settings, change.how, message.text)
    await record_consent(
        session, contact_key, change.granted, change.how, at, wording=wording,
        message_id=message.message_id,
    )  # fmt: skip
    if not change.granted:
        await session.execute(
            recent.where(CampaignRecipient.opted_out_at.is_(None)).values(opted_out_at=now)
        )


async def note_failed_status(
    session: AsyncSession, provider_id: str, error_codes: tuple[int, ...]
) -> None:
    """A message Meta did not deliver because the user stopped marketing messages (131050):
    their consent is withdrawn, whichever message told us."""
    if MARKETING_STOPPED not in error_codes:
        return
    contact_key = await session.scalar(
        select(OutboundMessage.contact_key).where(
            OutboundMessage.provider_message_id == provider_id
        )
    )
    if contact_key:
        await record_consent(
            session, contact_key, False, f"meta:{MARKETING_STOPPED}", datetime.now(UTC)
        )
