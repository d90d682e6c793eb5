"""What a reply to a campaign needs from PostgreSQL: the tour stop the campaign announced and
the contact's latest waitlisted enquiry (its answers from the read model). A local activity of
the lead workflow, called only for a campaign reply that may answer a tour announcement."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity

from consultation.engine import Waitlisted
from consultation.lead import TourStop
from consultation.statuses import Status
from models import Campaign, LeadRecord


@dataclass
class WaitlistedRequest:
    campaign_id: str
    contact_key: str


class CampaignReplyActivities:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    @activity.defn(name="campaign_reply_waitlisted")
    async def waitlisted(self, request: WaitlistedRequest) -> Waitlisted:
        async with self.sessions() as session:
            stop = await session.scalar(
                select(Campaign.tour_stop).where(Campaign.id == request.campaign_id)
            )
            if not stop:
                return Waitlisted()
            lead = (
                await session.execute(
                    select(
                        LeadRecord.lead_id, LeadRecord.step, LeadRecord.answers, LeadRecord.parsed
                    )  # fmt: skip
                    .where(LeadRecord.contact_key == request.contact_key)
                    .where(LeadRecord.status == Status.WAITLISTED)
                    .order_by(LeadRecord.created_at.desc())
                    .limit(1)
                )
            ).first()
        known = {name: str(stop.get(name) or "") for name in TourStop.__dataclass_fields__}
        tour_stop = TourStop(**known)
        if lead is None:
            return Waitlisted(tour_stop)
        return Waitlisted(tour_stop, lead.lead_id, lead.step, dict(lead.answers),
                          dict(lead.parsed))  # fmt: skip
