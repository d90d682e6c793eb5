"""The artist's decisions on a lead (approve, reject, hand back, send the deposit, mark booked),
which of them a message about the lead should offer as one-tap links, and the deposit and
payment functions the workflow calls around them."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import replace
from datetime import datetime

from consultation import booking, engine, outbound
from consultation.copy import money, render
from consultation.deposits import apply_payment, deposit_link, link_usable, lock, send_link, settle
from consultation.lead import Lead, Policy, Turn
from consultation.messages import MAX_BODY, MAX_TEXT, Outbound
from consultation.reply import Reply
from consultation.statuses import (
    AWAITING_DEPOSIT,
    BOOKED,
    BOOKING_PENDING,
    COLLECTING_TIME_WINDOWS,
    DEPOSIT_EXPIRED,
    DEPOSIT_PAID,
    NEEDS_ARTIST_REPLY,
    NEEDS_FOLLOW_UP,
    PENDING_APPROVAL,
    REJECTED,
    TOUR_CONVERSION_OFFERED,
)
from consultation.templates import template
from consultation.text import cap

__all__ = [
    "ACTIONS",
    "actions_for",
    "apply_payment",
    "decide",
    "deposit_link",
    "why_not",
    "with_links",
]

# action → the statuses it is valid in. In the order links are offered.
ACTIONS: dict[str, frozenset[str]] = {
    "approve": frozenset({PENDING_APPROVAL}),
    # Approve despite a budget below the regional minimum (the reference had no way to).
    "approve_anyway": frozenset({NEEDS_FOLLOW_UP}),
    "resume": frozenset({NEEDS_ARTIST_REPLY}),
    "send_deposit": frozenset({AWAITING_DEPOSIT, DEPOSIT_EXPIRED}),
    "mark_booked": frozenset({DEPOSIT_PAID, BOOKING_PENDING}),
    # Nothing was free: the artist may have made room since.
    "offer_times": frozenset({BOOKING_PENDING, BOOKED, COLLECTING_TIME_WINDOWS}),
    "cancel_booking": frozenset({BOOKED}),
    "reject": frozenset(
        {
            PENDING_APPROVAL,
            NEEDS_FOLLOW_UP,
            NEEDS_ARTIST_REPLY,
            AWAITING_DEPOSIT,
            DEPOSIT_EXPIRED,
            TOUR_CONVERSION_OFFERED,
            COLLECTING_TIME_WINDOWS,
        }
    ),  # fmt: skip
}
# The client is choosing a tour city: nothing for the artist to tap while they do.
_NO_LINKS = frozenset({TOUR_CONVERSION_OFFERED})


def why_not(lead: Lead, action: str) -> str | None:
    """None when `action` is allowed now, else a sentence to show the artist as it is."""
    if action not in ACTIONS:
        return render("why_not.unknown")
    if lead.status in ACTIONS[action]:
        return None
    return render(
        "why_not", need=render(f"why_not.{action}"), state=render(f"state.{lead.status.lower()}")
    )


def actions_for(lead: Lead) -> list[str]:
    """The one-tap links a message to the artist about this lead should carry now."""
    if lead.status in _NO_LINKS:
        return []
    return [action for action, valid in ACTIONS.items() if lead.status in valid]


def with_links(message: Outbound, links: dict[str, str]) -> Outbound:
    """`message` with a labelled line per link ("✅ Approve: <url>"), the body shortened if
    need be so the links always fit WhatsApp's limit."""
    if not links:
        return message
    labelled = [(render(f"action.{action}"), url) for action, url in links.items()]
    lines = "\n".join(f"{label}: {url}" for label, url in labelled)
    limit = MAX_BODY if message.buttons or message.rows else MAX_TEXT
    body = cap(message.text, max(limit - len(lines) - 2, 1))
    template = message.template
    if template and template.params:
        # The artist's own window is usually closed (they rarely write to the bot's number), so
        # the template must carry the links too, or the artist could never act on a lead.
        inline = " | ".join(f"{label}: {url}" for label, url in labelled)
        params = (*template.params[:-1], f"{template.params[-1]} | {inline}")
        template = replace(template, params=params)
    return replace(message, text=f"{body}\n\n{lines}"[:limit], template=template)


def decide(lead: Lead, action: str, now: datetime, policy: Policy) -> Turn:
    """Carry out the artist's `action`; the workflow checks `why_not` first, so a refused
    action here is a bug (ValueError)."""
    if reason := why_not(lead, action):
        raise ValueError(reason)
    if action == "resume":
        reply = _resumed(lead, now, policy)
    else:
        reply = Reply(deepcopy(lead), now, policy)
        _DECISIONS[action](reply)
    reply.event("artist.decision", action=action, status=reply.lead.status)
    return reply.turn()


# -- the decisions ------------------------------------------------------------------------------


def _acknowledge(reply: Reply, key: str, *notes: str, **params: object) -> None:
    reply.tell_artist(f"artist.ack.{key}", *notes, **params)


def _already_paid(reply: Reply) -> bool:
    """Paid while waiting for the artist: the booking goes straight ahead."""
    deposit = reply.lead.deposit
    if reply.lead.status != AWAITING_DEPOSIT or deposit is None or deposit.paid_at is None:
        return False
    settle(reply)
    return True


def _paid_note(reply: Reply) -> str:
    deposit = reply.lead.deposit
    amount = (deposit.paid_pence or deposit.amount_pence) if deposit else 0
    return reply.say("artist.ack.already_paid", amount=money(amount))


def _approve(reply: Reply) -> None:
    lead = reply.lead
    # The artist has dealt with whatever held the lead back (a budget below the minimum).
    lead.handover_reason = lead.handover_kind = lead.handover_from = None
    reply.move(AWAITING_DEPOSIT)
    if _already_paid(reply):
        _acknowledge(reply, "approve", _paid_note(reply))
        return
    # Locked now; the client picks a time, and the link for its hold follows (`deposit_link`).
    deposit = lock(lead, reply.policy)
    booking.restart(reply, "approved")
    note = reply.say("artist.ack.link_coming", amount=money(deposit.amount_pence))
    _acknowledge(reply, "approve", note)


def _reject(reply: Reply) -> None:
    lead = reply.lead
    reply.move(REJECTED)
    paid = lead.deposit.paid_pence if lead.deposit and lead.deposit.paid_at else None
    body = reply.say("decision.rejected")
    if paid is not None:
        body += " " + reply.say("decision.rejected.paid")
    fallback = template("enquiry_declined", reply.policy.artist_name)
    reply.send(outbound.text("client", body, "decision.rejected", fallback))
    reply.event("lead.rejected")
    notes = [reply.say("artist.ack.reject_paid", amount=money(paid))] if paid is not None else []
    _acknowledge(reply, "reject", *notes)


def _resumed(lead: Lead, now: datetime, policy: Policy) -> Reply:
    turn = engine.resume(lead, now, policy)
    reply = Reply(turn.lead, now, policy, turn.replies, turn.events)
    # Handed over while waiting to pay, and paid meanwhile.
    notes = [_paid_note(reply)] if _already_paid(reply) else []
    _acknowledge(reply, "resume", *notes)
    return reply


def _send_deposit(reply: Reply) -> None:
    lead = reply.lead
    if lead.status == DEPOSIT_EXPIRED:
        reply.move(AWAITING_DEPOSIT)
    deposit = lead.deposit or lock(lead, reply.policy)
    if lead.booking.hold is not None and link_usable(deposit, reply.now):
        send_link(reply, "again")  # a slot is held and its link still works: the same link
    else:
        # A new round of asking: the free times now, and reminders and expiry from the offer.
        # A hold too near its end to be worth paying for goes, so the new pick can be held.
        booking.give_up_hold(reply)
        booking.new_round(reply, "again")
    _acknowledge(reply, "send_deposit", amount=money(deposit.amount_pence))


def _offer_times(reply: Reply) -> None:
    """Paid, but no time booked (the slot went), booked and to be moved, or nothing was free
    when times were last looked for: fresh times."""
    lead = reply.lead
    if lead.status == BOOKED:
        booking.move(reply)
    elif lead.status == COLLECTING_TIME_WINDOWS:
        # Back where the lead was when nothing was free; unpaid, a new round of asking.
        origin = lead.handover_from or AWAITING_DEPOSIT
        lead.handover_reason = lead.handover_kind = lead.handover_from = None
        reply.move(origin)
        if not _already_paid(reply):  # paid meanwhile: booked as a paid lead (times to pick)
            booking.new_round(reply, "again")
    else:
        booking.restart(reply, "again")
    _acknowledge(reply, "offer_times")


def _cancel_booking(reply: Reply) -> None:
    booking.call_off(reply)
    _acknowledge(reply, "cancel_booking")


def _mark_booked(reply: Reply) -> None:
    reply.lead.booking.moving = False  # a move settled by hand: the booking stands as it was
    reply.move(BOOKED)
    fallback = template("booking_confirmed", reply.policy.artist_name)
    reply.send(outbound.text("client", reply.say("decision.booked"), "decision.booked", fallback))
    reply.event("lead.booked")
    _acknowledge(reply, "mark_booked")


_DECISIONS = {
    "approve": _approve,
    "approve_anyway": _approve,
    "reject": _reject,
    "send_deposit": _send_deposit,
    "mark_booked": _mark_booked,
    "offer_times": _offer_times,
    "cancel_booking": _cancel_booking,
}
