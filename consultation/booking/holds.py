"""The slot held for payment: letting it go, its lapse, and a late payment taking it back."""

from __future__ import annotations

from datetime import timedelta

from consultation.booking.needs import rules_of
from consultation.booking.rounds import restart
from consultation.booking.wording import when_text
from consultation.lead import Lead
from consultation.reply import Reply
from consultation.slots import clock
from consultation.statuses import Status

LAPSED_KEPT = 5  # released holds remembered, so a late payment can take its slot back


def give_up_hold(reply: Reply) -> None:
    """Let go of the current hold (released by the workflow, `next_need`)."""
    hold = reply.lead.booking.hold
    if hold is not None:
        reply.lead.booking.release.append(hold)
        forget_hold(reply)
        reply.event("booking.hold_given_up", hold_id=hold.hold_id)


def forget_hold(reply: Reply) -> None:
    """The hold is gone: its link is of no more use, but a payment already on its way through
    that link can still take the slot back (`after_payment`)."""
    b = reply.lead.booking
    if b.hold is None:
        return
    b.lapsed = [*b.lapsed, b.hold][-LAPSED_KEPT:]
    b.hold = None
    deposit = reply.lead.deposit
    if deposit is not None and deposit.paid_at is None:
        deposit.url = None


def held_text(reply: Reply) -> dict[str, str]:
    """{slot, until} for the hold's messages, in the artist's zone."""
    hold = reply.lead.booking.hold
    if hold is None:
        raise ValueError("held_text without a hold")
    rules = rules_of(reply.lead)
    return {"slot": when_text(hold.slot, rules), "until": clock(hold.expires_at, rules)}


def bind_session(lead: Lead, session_id: str) -> None:
    if lead.booking.hold is not None:
        lead.booking.hold.session_id = session_id


def hold_lapsed(reply: Reply) -> None:
    b = reply.lead.booking
    hold = b.hold
    if hold is None:
        return
    b.release.append(hold)
    forget_hold(reply)
    reply.event("booking.hold_lapsed", hold_id=hold.hold_id)
    deposit, policy = reply.lead.deposit, reply.policy
    if deposit is not None and deposit.sent_at is not None and deposit.paid_at is None:
        # Late (the worker was down): the deposit's other timers may have fallen due as well.
        # Expired too: that closes the round next, with no list of times before it. Otherwise
        # this list stands for the deposit reminders that fell due, so a second one won't follow.
        if reply.now >= policy.deposit_deadline(deposit.sent_at):
            return
        due = sum(
            1
            for h in policy.deposit_reminder_hours
            if deposit.sent_at + timedelta(hours=h) <= reply.now
        )
        deposit.reminders_sent = max(deposit.reminders_sent, due)
    restart(reply, "lapsed")


def after_payment(reply: Reply, session_id: str | None) -> None:
    """The deposit is paid (status DEPOSIT_PAID): book the held slot; take back the slot of a
    hold that lapsed while the payment was on its way if it is still free; otherwise the
    client picks a time now."""
    b = reply.lead.booking
    if b.hold is not None:
        return  # `next_need` books it
    lapsed = next(
        (h for h in reversed(b.lapsed) if session_id and h.session_id == session_id), None
    )
    # Only a slot still ahead is taken back: a payment delivered days late must not book the past.
    if lapsed is not None and lapsed.slot.start > reply.now:
        b.picked, b.rebook = lapsed.slot, True
        reply.event("booking.rehold", slot=lapsed.slot.start.isoformat())
        return
    reply.move(Status.BOOKING_PENDING)
    restart(reply, "paid")
