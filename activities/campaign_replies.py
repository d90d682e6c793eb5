"""What a reply to a campaign needs from PostgreSQL: the tour stop the campaign announced and
the contact's latest waitlisted enquiry. A local activity of the lead workflow, called only for
a campaign reply that may answer a tour announcement (`engine.wants_context`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity

from consultation.engine import Waitlisted
from consultation.lead import TourStop
from stores.campaign_replies import CampaignReplies


@dataclass
class WaitlistedRequest:
    campaign_id: str
    contact_key: str


class CampaignReplyActivities:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.replies = CampaignReplies(sessions)

    @activity.defn(name="campaign_reply_waitlisted")
    async def waitlisted(self, request: WaitlistedRequest) -> Waitlisted:
        stop = await self.replies.tour_stop(request.campaign_id)
        if not stop:
            return Waitlisted()
        # The stop as the tours page saved it: a field added to TourStop since reads as "".
        tour_stop = TourStop(**{k: str(stop.get(k) or "") for k in TourStop.__dataclass_fields__})
        lead = await self.replies.waitlisted(request.contact_key)
        if lead is None:
            return Waitlisted(tour_stop)
        return Waitlisted(tour_stop, lead.lead_id, lead.step, dict(lead.answers), dict(lead.parsed))
