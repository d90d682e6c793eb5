"""What a reply to a campaign needs to know: the tour stop the campaign announces, and the
contact's latest waitlisted enquiry (its answers, from the read model)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from consultation.statuses import Status
from models import Campaign, LeadRecord


class CampaignReplies:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    async def tour_stop(self, campaign_id: str) -> dict[str, Any] | None:
        async with self.sessions() as session:
            return await session.scalar(
                select(Campaign.tour_stop).where(Campaign.id == campaign_id)
            )

    async def waitlisted(self, contact_key: str) -> Row[Any] | None:
        """(lead_id, step, answers, parsed) of the contact's latest WAITLISTED enquiry."""
        async with self.sessions() as session:
            query = (
                select(LeadRecord.lead_id, LeadRecord.step, LeadRecord.answers, LeadRecord.parsed)
                .where(LeadRecord.contact_key == contact_key)
                .where(LeadRecord.status == Status.WAITLISTED)
                .order_by(LeadRecord.created_at.desc())
                .limit(1)
            )
            return (await session.execute(query)).first()
