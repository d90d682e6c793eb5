"""A reply to a campaign that announced a tour stop. A client waitlisted for a city the artist
did not visit (their enquiry ended WAITLISTED) comes back through the tour offer they once
declined: their answers are taken up again, the stop is offered, and their "yes" goes to the
artist for approval (`completion.tour_answer`), as a "yes" to the offer in the consultation
does. A client still weighing a tour offer is offered the announced stop instead."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from consultation import consent
from consultation.engine.completion import tour_answer
from consultation.engine.conversation import handle, tag_campaign
from consultation.intents import is_opt_out
from consultation.lead import Lead, Policy, TourStop, Turn
from consultation.messages import Inbound
from consultation.reply import Reply
from consultation.statuses import Status
from consultation.text import normalize
from consultation.tour import dates_text


@dataclass
class Waitlisted:
    """What a campaign reply needs to know (an activity reads it): the stop the campaign
    announced, and the contact's latest waitlisted enquiry, if any."""

    stop: TourStop | None = None
    lead_id: str = ""  # the waitlisted enquiry; "" when the contact has none
    step: int = 0
    answers: dict[str, str] = field(default_factory=dict)
    parsed: dict[str, Any] = field(default_factory=dict)


@dataclass
class TourReply:
    message: Inbound
    waitlisted: Waitlisted


def wants_context(lead: Lead, msg: Inbound) -> bool:
    """Whether `msg` may answer a tour announcement for this lead: a campaign reply to a lead
    that has just begun or is weighing a tour offer."""
    return (
        bool(msg.campaign_id)
        and not lead.taken_over
        and lead.status
        in (
            Status.NEW,
            Status.TOUR_CONVERSION_OFFERED,
        )
    )


def handle_tour_reply(lead: Lead, item: TourReply, now: datetime, policy: Policy) -> Turn:
    msg, waitlisted = item.message, item.waitlisted
    stop = waitlisted.stop
    text = normalize(msg.text)
    revives = lead.status == Status.NEW and bool(waitlisted.lead_id)
    offering = lead.status == Status.TOUR_CONVERSION_OFFERED
    if (
        stop is None
        or not (revives or offering)
        or msg.kind == "reaction"
        or is_opt_out(text)
        or is_opt_out(msg.choice_id)
        or msg.choice_id in consent.ACKNOWLEDGEMENTS
    ):
        return handle(lead, msg, now, policy)  # not an answer to the announcement
    reply = Reply(deepcopy(lead), now, policy)
    new = reply.lead
    new.last_client_at = now
    new.reminders_sent = 0
    if revives:
        # The waitlisted enquiry's answers, confirmed then, carry over to this one.
        new.answers = dict(waitlisted.answers)
        new.parsed = dict(waitlisted.parsed)
        new.step, new.confirmed = waitlisted.step, True
        reply.move(Status.QUALIFYING)
        reply.move(Status.TOUR_CONVERSION_OFFERED)
        reply.event("lead.waitlist_revived", waitlisted=waitlisted.lead_id, city=stop.city)
    # Campaigns reach consenting contacts only: the consent question is not asked again.
    new.marketing_asked = True
    new.offered_tour_city = stop.city
    new.parsed["offered_tour_dates"] = dates_text(stop)
    tag_campaign(reply, msg)
    tour_answer(reply, msg, text)
    return reply.turn()
