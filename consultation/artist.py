"""The artist's decisions on a lead (approve, reject, hand back, send the deposit, mark booked),
which of them a message about the lead should offer as one-tap links, and the deposit and
payment functions the workflow calls around them."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import replace
from datetime import datetime
from enum import StrEnum

from consultation import booking, engine, outbound, takeover
from consultation.copy import render
from consultation.deposits import apply_payment, deposit_link, link_usable, lock, send_link, settle
from consultation.lead import Lead, Policy, Turn
from consultation.messages import MAX_BODY, MAX_TEXT, Outbound
from consultation.money import format_money
from consultation.reply import Reply
from consultation.statuses import Status
from consultation.templates import template
from consultation.text import cap

__all__ = [
    "ACTIONS",
    "Action",
    "actions_for",
    "links_for",
    "apply_payment",
    "decide",
    "deposit_link",
    "why_not",
    "with_links",
]


class Action(StrEnum):
    """What the artist can do to a lead. The values are in links, histories and events: add
    members, never rename or remove one."""

    APPROVE = "approve"
    APPROVE_ANYWAY = "approve_anyway"
    RESUME = "resume"
    SEND_DEPOSIT = "send_deposit"
    MARK_BOOKED = "mark_booked"
    OFFER_TIMES = "offer_times"
    CANCEL_BOOKING = "cancel_booking"
    REJECT = "reject"
    # While the artist answers the client in person (`takeover`), whatever the status.
    HAND_BACK = "hand_back"
    REOPEN = "reopen"


TAKEOVER = frozenset({Action.HAND_BACK, Action.REOPEN})


# action → the statuses it is valid in. In the order links are offered.
ACTIONS: dict[Action, frozenset[str]] = {
    Action.APPROVE: frozenset({Status.PENDING_APPROVAL}),
    # Approve despite a budget below the regional minimum (the reference had no way to).
    Action.APPROVE_ANYWAY: frozenset({Status.NEEDS_FOLLOW_UP}),
    Action.RESUME: frozenset({Status.NEEDS_ARTIST_REPLY}),
    Action.SEND_DEPOSIT: frozenset({Status.AWAITING_DEPOSIT, Status.DEPOSIT_EXPIRED}),
    Action.MARK_BOOKED: frozenset({Status.DEPOSIT_PAID, Status.BOOKING_PENDING}),
    # Nothing was free: the artist may have made room since.
    Action.OFFER_TIMES: frozenset(
        {Status.BOOKING_PENDING, Status.BOOKED, Status.COLLECTING_TIME_WINDOWS}
    ),
    Action.CANCEL_BOOKING: frozenset({Status.BOOKED}),
    Action.REJECT: frozenset(
        {
            Status.PENDING_APPROVAL,
            Status.NEEDS_FOLLOW_UP,
            Status.NEEDS_ARTIST_REPLY,
            Status.AWAITING_DEPOSIT,
            Status.DEPOSIT_EXPIRED,
            Status.TOUR_CONVERSION_OFFERED,
            Status.COLLECTING_TIME_WINDOWS,
        }
    ),  # fmt: skip
}
# The client is choosing a tour city: nothing for the artist to tap while they do.
_NO_LINKS = frozenset({Status.TOUR_CONVERSION_OFFERED})


def why_not(lead: Lead, action: str) -> str | None:
    """None when `action` is allowed now, else a sentence to show the artist as it is."""
    if action not in ACTIONS and action not in TAKEOVER:
        return render("why_not.unknown")
    if action in TAKEOVER:
        # Handing back a lead handed over but not answered yet is resuming it.
        handled = lead.taken_over or (action == Action.HAND_BACK and _waiting_on_you(lead))
        return None if handled else _refusal(lead, action)
    if lead.status in ACTIONS[Action(action)]:
        return None
    return _refusal(lead, action)


def _waiting_on_you(lead: Lead) -> bool:
    """Handed over for the artist's reply: handing back resumes it (`engine.resume`)."""
    return lead.status in ACTIONS[Action.RESUME]


def _refusal(lead: Lead, action: str) -> str:
    return render(
        "why_not", need=render(f"why_not.{action}"), state=render(f"state.{lead.status.lower()}")
    )


def actions_for(lead: Lead) -> list[str]:
    """The one-tap links a message to the artist about this lead should carry now."""
    handling = [Action.HAND_BACK.value] if lead.taken_over else []
    if lead.status in _NO_LINKS:
        return handling
    return [action for action, valid in ACTIONS.items() if lead.status in valid] + handling


def links_for(lead: Lead, message: Outbound) -> list[str]:
    """The links `message` carries: those it names itself (`takeover.LINKS`), else the
    lead's (`actions_for`)."""
    if takeover.LINKS in message.extra:
        named = [action for action in message.extra[takeover.LINKS].split(",") if action]
        return [action for action in named if why_not(lead, action) is None]
    return actions_for(lead)


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
    if action == Action.RESUME or (action == Action.HAND_BACK and _waiting_on_you(lead)):
        reply = _resumed(lead, now, policy)
    elif action == Action.HAND_BACK:
        turn = engine.hand_back(lead, now, policy)
        reply = Reply(turn.lead, now, policy, turn.replies, turn.events)
        _acknowledge(reply, "hand_back")
    else:
        reply = Reply(deepcopy(lead), now, policy)
        _DECISIONS[Action(action)](reply)
    reply.event("artist.decision", action=action, status=reply.lead.status)
    return reply.turn()


# -- the decisions ------------------------------------------------------------------------------


def _acknowledge(reply: Reply, key: str, *notes: str, **params: object) -> None:
    reply.tell_artist(f"artist.ack.{key}", *notes, **params)


def _already_paid(reply: Reply) -> bool:
    """Paid while waiting for the artist: the booking goes straight ahead."""
    deposit = reply.lead.deposit
    if reply.lead.status != Status.AWAITING_DEPOSIT or deposit is None or deposit.paid_at is None:
        return False
    settle(reply)
    return True


def _paid_note(reply: Reply) -> str:
    deposit = reply.lead.deposit
    amount = (deposit.paid_pence or deposit.amount_pence) if deposit else 0
    return reply.say("artist.ack.already_paid", amount=format_money(amount, reply.policy.currency))


def _approve(reply: Reply) -> None:
    lead = reply.lead
    # The artist has dealt with whatever held the lead back (a budget below the minimum).
    lead.handover_reason = lead.handover_kind = lead.handover_from = None
    reply.move(Status.AWAITING_DEPOSIT)
    if _already_paid(reply):
        _acknowledge(reply, "approve", _paid_note(reply))
        return
    # Locked now; the client picks a time, and the link for its hold follows (`deposit_link`).
    deposit = lock(lead, reply.policy)
    booking.restart(reply, "approved")
    note = reply.say(
        "artist.ack.link_coming", amount=format_money(deposit.amount_pence, reply.policy.currency)
    )
    _acknowledge(reply, "approve", note)


def _reject(reply: Reply) -> None:
    lead = reply.lead
    reply.move(Status.REJECTED)
    paid = lead.deposit.paid_pence if lead.deposit and lead.deposit.paid_at else None
    body = reply.say("decision.rejected")
    if paid is not None:
        body += " " + reply.say("decision.rejected.paid")
    fallback = template("enquiry_declined", reply.policy.artist_name)
    reply.send(outbound.text("client", body, "decision.rejected", fallback))
    reply.event("lead.rejected")
    notes = (
        [reply.say("artist.ack.reject_paid", amount=format_money(paid, reply.policy.currency))]
        if paid is not None
        else []
    )
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
    if lead.status == Status.DEPOSIT_EXPIRED:
        reply.move(Status.AWAITING_DEPOSIT)
    deposit = lead.deposit or lock(lead, reply.policy)
    if lead.booking.hold is not None and link_usable(deposit, reply.now):
        send_link(reply, "again")  # a slot is held and its link still works: the same link
    else:
        # A new round of asking: the free times now, and reminders and expiry from the offer.
        # A hold too near its end to be worth paying for goes, so the new pick can be held.
        booking.give_up_hold(reply)
        booking.new_round(reply, "again")
    _acknowledge(
        reply, "send_deposit", amount=format_money(deposit.amount_pence, reply.policy.currency)
    )


def _offer_times(reply: Reply) -> None:
    """Paid, but no time booked (the slot went), booked and to be moved, or nothing was free
    when times were last looked for: fresh times."""
    lead = reply.lead
    if lead.status == Status.BOOKED:
        booking.move(reply)
    elif lead.status == Status.COLLECTING_TIME_WINDOWS:
        # Back where the lead was when nothing was free; unpaid, a new round of asking.
        origin = lead.handover_from or Status.AWAITING_DEPOSIT
        lead.handover_reason = lead.handover_kind = lead.handover_from = None
        reply.move(origin)
        if not _already_paid(reply):  # paid meanwhile: booked as a paid lead (times to pick)
            booking.new_round(reply, "again")
    else:
        booking.restart(reply, "again")
    _acknowledge(reply, "offer_times")


def _reopen(reply: Reply) -> None:
    takeover.reopen(reply)
    _acknowledge(reply, "reopen")


def _cancel_booking(reply: Reply) -> None:
    booking.call_off(reply)
    _acknowledge(reply, "cancel_booking")


def _mark_booked(reply: Reply) -> None:
    reply.lead.booking.moving = False  # a move settled by hand: the booking stands as it was
    reply.move(Status.BOOKED)
    fallback = template("booking_confirmed", reply.policy.artist_name)
    reply.send(outbound.text("client", reply.say("decision.booked"), "decision.booked", fallback))
    reply.event("lead.booked")
    _acknowledge(reply, "mark_booked")


_DECISIONS = {
    Action.APPROVE: _approve,
    Action.APPROVE_ANYWAY: _approve,
    Action.REJECT: _reject,
    Action.SEND_DEPOSIT: _send_deposit,
    Action.MARK_BOOKED: _mark_booked,
    Action.OFFER_TIMES: _offer_times,
    Action.CANCEL_BOOKING: _cancel_booking,
    Action.REOPEN: _reopen,
}
