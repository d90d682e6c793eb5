"""How a booked or offered time reads to the client and the artist."""

from __future__ import annotations

from consultation import slot_choice
from consultation.booking.needs import rules_of
from consultation.calendar_rules import Rules
from consultation.lead import Lead, Slot
from consultation.money import format_money
from consultation.reply import Reply
from consultation.slots import clock, day_label


def when_text(slot: Slot, rules: Rules) -> str:
    """ "Wed 3 Dec, 2:00pm–5:00pm", or "Sat 6 Dec, 3 days" for a multi-day session."""
    day = day_label(slot.start, rules)
    if slot.days > 1:
        return f"{day}, {slot.days} days from {clock(slot.start, rules)}"
    return f"{day}, {clock(slot.start, rules)}–{clock(slot.end, rules)}"


def checkout_description(lead: Lead) -> str:
    """What the client sees on the checkout page: which session the deposit secures."""
    hold, deposit = lead.booking.hold, lead.deposit
    what = (
        f"{format_money(deposit.amount_pence, lead.currency)} tattoo deposit"
        if deposit
        else "Tattoo deposit"
    )
    return f"{what} for {when_text(hold.slot, rules_of(lead))}" if hold else what


def example(slot: Slot, rules: Rules) -> str:
    local = slot.start.astimezone(rules.zone)
    return f"{slot_choice.FULL_DAYS[local.weekday()]} {clock(slot.start, rules, compact=True)}"


def booking_params(reply: Reply) -> dict[str, str]:
    lead = reply.lead
    slot = lead.booking.slot
    assert slot is not None
    deposit = lead.deposit
    tour_city = lead.parsed.get("tour_city")
    if tour_city:
        place = reply.say("booking.confirmed.tour_place", city=tour_city)
    else:
        place = (
            reply.policy.studio_address
            or f"{reply.policy.artist_name}'s studio, {reply.policy.studio_city}"
        )
    rules = rules_of(lead)
    return {
        "when": when_text(slot, rules),
        "zone": slot.start.astimezone(rules.zone).tzname() or rules.timezone,
        "place": place,
        "amount": format_money(
            (deposit.paid_pence or deposit.amount_pence) if deposit else 0, lead.currency
        ),
    }
