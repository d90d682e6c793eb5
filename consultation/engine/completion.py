"""Completion: the confirmed enquiry is estimated and goes to the artist, to a follow-up when
the budget is below the minimum, or to a tour city first."""

from __future__ import annotations

from consultation import consent, outbound, pricing
from consultation.answers import parse_yes_no
from consultation.copy import CATEGORY_WORDS
from consultation.lead import Estimate, Lead
from consultation.messages import Inbound, Template
from consultation.money import format_money
from consultation.prices import Prices
from consultation.reply import Reply
from consultation.statuses import Status
from consultation.summary import artist_summary, lead_ref
from consultation.templates import template
from consultation.text import cap
from consultation.tour import choose_venue, dates_text

COVERUP_REASON = "Cover-up needs the artist's assessment"


def complete(reply: Reply) -> None:
    """The client confirmed: estimate, then the first of cover-up (artist), budget below the
    regional minimum (follow-up), tour offer, or pending approval."""
    lead = reply.lead
    lead.reviewing = False
    lead.confirmed = True
    lead.editing = None
    parsed = lead.parsed
    estimate = _estimate(lead, reply.policy.prices)
    requested = parsed.get("travel_city") or parsed.get("city")
    parsed["requested_city"] = requested
    reply.event("lead.estimated", category=estimate.category, region=estimate.region)

    if parsed.get("coverup") and "coverup" not in lead.cleared:
        reply.hand_over("coverup", COVERUP_REASON)
        return
    budget = parsed.get("budget_pence")
    if (
        isinstance(budget, int)
        and budget < estimate.min_budget_pence
        and "budget" not in lead.cleared
    ):
        _below_minimum(reply, budget, estimate)
        return
    country = parsed.get("travel_country") if parsed.get("travel_city") else parsed.get("country")
    venue = choose_venue(
        str(requested) if requested else None,
        str(country) if country else None,
        reply.policy.studio_city,
        reply.policy.tour,
        reply.now.date(),
    )
    if venue.kind == "offer" and venue.stop is not None:
        lead.offered_tour_city = venue.stop.city
        parsed["offered_tour_dates"] = dates_text(venue.stop)
        reply.move(Status.TOUR_CONVERSION_OFFERED)
        key = "status.tour_offer" if requested else "status.tour_offer.no_city"
        send_tour_prompt(reply, "status.tour_offer", body_key=key)
        reply.event("lead.tour_offered", city=venue.stop.city)
        return
    if venue.kind == "on_tour" and venue.stop is not None:
        parsed["tour_city"] = venue.stop.city
    _pending_approval(reply, "status.pending_approval")


def _estimate(lead: Lead, prices: Prices) -> Estimate:
    """Price the enquiry from its parsed answers and keep the result on the lead."""
    lead.estimate = pricing.estimate_lead(lead, prices)
    return lead.estimate


def _pending_approval(reply: Reply, client_key: str, **params: object) -> None:
    lead = reply.lead
    estimate = lead.estimate or _estimate(lead, reply.policy.prices)
    reply.move(Status.PENDING_APPROVAL)
    # The cooldown never starts from the bot's own message (issue 13): a client writing while
    # the artist reviews is answered.
    lead.last_status_reply_at = None
    body = reply.say(
        client_key,
        category=CATEGORY_WORDS[estimate.category],
        deposit=format_money(estimate.deposit_pence, reply.policy.currency),
        **params,
    )
    reply.send(outbound.text("client", body, client_key))
    consent.ask(reply)
    _notify_artist_new_lead(reply)
    reply.event("lead.pending_approval", category=estimate.category)


def _notify_artist_new_lead(reply: Reply) -> None:
    lead = reply.lead
    ref = lead_ref(lead)
    headline = cap(lead.answers.get("idea", "new enquiry"), 100)
    reply.send(
        outbound.text(
            "artist",
            reply.say("artist.new_lead", lead_ref=ref, summary=artist_summary(lead)),
            "artist.new_lead",
            template("new_lead_for_artist", ref, headline),
        )
    )


def _below_minimum(reply: Reply, budget: int, estimate: Estimate) -> None:
    lead = reply.lead
    minimum = estimate.min_budget_pence
    shown_minimum = format_money(minimum, reply.policy.currency)
    shown_budget = format_money(budget, reply.policy.currency)
    reason = f"Budget below minimum (min {shown_minimum}, budget {shown_budget})"
    lead.handover_from, lead.handover_reason, lead.handover_kind = lead.status, reason, "budget"
    reply.move(Status.NEEDS_FOLLOW_UP)
    lead.last_status_reply_at = None  # as for approval: the next client message is answered
    reply.send(
        outbound.text(
            "client",
            reply.say(
                "status.needs_follow_up", minimum=format_money(minimum, reply.policy.currency)
            ),
            "status.needs_follow_up",
        )
    )
    ref = lead_ref(lead)
    body = reply.say(
        "artist.follow_up",
        lead_ref=ref,
        budget=format_money(budget, reply.policy.currency),
        minimum=format_money(minimum, reply.policy.currency),
        region=estimate.region,
        summary=artist_summary(lead),
    )
    reply.send(
        outbound.text("artist", body, "artist.follow_up", template("artist_handover", ref, reason))
    )
    reply.event("lead.needs_follow_up", reason=reason)


def send_tour_prompt(
    reply: Reply,
    key: str,
    body_key: str = "tour.prompt",
    intro: str | None = None,
    fallback: Template | None = None,
) -> None:
    lead = reply.lead
    body = reply.say(
        body_key,
        city=lead.offered_tour_city or "",
        dates=lead.parsed.get("offered_tour_dates") or "",
        requested=lead.parsed.get("requested_city") or "your city",
    )
    if intro:
        body = f"{intro}\n\n{body}"
    choices = [("tour_yes", reply.say("tour.yes_button")), ("tour_no", reply.say("tour.no_button"))]
    reply.send(outbound.buttons("client", body, choices, key, fallback))


def tour_answer(reply: Reply, msg: Inbound, text: str) -> None:
    lead = reply.lead
    choice = msg.choice_id if msg.kind == "choice" else None
    if choice in ("tour_yes", "tour_no"):
        accepted: bool | None = choice == "tour_yes"
    else:
        accepted = parse_yes_no(text)
    if accepted is None:
        send_tour_prompt(reply, "tour.prompt")
        return
    if accepted:
        lead.parsed["tour_city"] = lead.offered_tour_city
        reply.event("lead.tour_accepted", city=lead.offered_tour_city or "")
        _pending_approval(reply, "tour.accepted", city=lead.offered_tour_city or "")
        return
    reply.move(Status.WAITLISTED)
    requested = lead.parsed.get("requested_city") or "your city"
    reply.send(
        outbound.text("client", reply.say("tour.declined", requested=requested), "tour.declined")
    )
    reply.event("lead.waitlisted", city=str(requested))
