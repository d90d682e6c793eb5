"""The edge's part in campaigns: an inbound message that gives or withdraws marketing consent is
recorded with its evidence (in the transaction that stores the message), a reply to a campaign
message is counted for that campaign, and Meta's own marketing stop (a failed status with
131050) withdraws consent. The message itself still goes to the lead's workflow by the relay,
which starts or resumes the contact's lead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns import Outcome, consent_change
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


# The campaigns that messaged the contact within the attribution window: each one's first reply
# is stamped, and the latest names the campaign this message answers. One round trip: every
# inbound message passes here, and the data-modifying CTE runs whether or not it is read.
CAMPAIGN_REPLY = text(
    """
    WITH recent AS (
        SELECT campaign_id, sent_at FROM campaign_recipients
        WHERE contact_key = :contact_key AND state = 'sent' AND sent_at >= :since
    ), replied AS (
        UPDATE campaign_recipients r SET replied_at = :now
        FROM recent
        WHERE r.contact_key = :contact_key AND r.campaign_id = recent.campaign_id
          AND r.replied_at IS NULL
        RETURNING r.campaign_id
    )
    SELECT campaign_id FROM recent ORDER BY sent_at DESC LIMIT 1
    """
)
# The stored message carries the campaign to the lead's workflow (the relay hands the payload
# over as it is), which tags the lead with it.
TAG_MESSAGE = text(
    "UPDATE inbound_messages SET payload = jsonb_set(payload, '{campaign_id}', "
    "to_jsonb(CAST(:campaign_id AS text))) WHERE message_id = :message_id"
)


async def note_inbound(
    session: AsyncSession, settings: Settings, contact_key: str, message: Inbound
) -> str | None:
    """Record what a new inbound message means for campaigns, in `session` (the one that stored
    it); returns the campaign it answers, if any."""
    now = datetime.now(UTC)
    since = now - timedelta(days=settings.CAMPAIGN_ATTRIBUTION_DAYS)
    campaign_id = await session.scalar(
        CAMPAIGN_REPLY, {"contact_key": contact_key, "since": since, "now": now}
    )
    if campaign_id:
        await session.execute(
            TAG_MESSAGE, {"campaign_id": campaign_id, "message_id": message.message_id}
        )
    change = consent_change(message.text, message.choice_id)
    if change is None:
        return campaign_id
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
            .where(CampaignRecipient.sent_at >= since)
            .where(CampaignRecipient.opted_out_at.is_(None))
            .values(opted_out_at=now)
        )
    return campaign_id


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
