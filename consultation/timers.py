"""Timers after the consultation: deposit reminders and expiry, the artist's nudge on a lead
waiting for approval, reminders to the artist to confirm a paid booking, and those of leads that
would otherwise wait forever (`waiting`: going stale, collecting the client's preferred times).

Every timer is computed from the lead's current state, so a status change makes the obsolete
ones disappear by itself. `next_due` and `fire` agree on what is due, and firing always counts
the timer it ran, so the workflow (which sleeps until `next_due`, then fires) cannot spin.
"""

from __future__ import annotations

from datetime import datetime

from consultation import booking, outbound, waiting
from consultation.deposits import send_link
from consultation.lead import Lead, Policy
from consultation.money import format_money
from consultation.reply import Reply
from consultation.statuses import Status
from consultation.templates import template
from consultation.waiting import HOUR, Timer


def next_due(lead: Lead, policy: Policy) -> datetime | None:
    timer = _next(lead, policy)
    return timer[0] if timer else None


def fire(reply: Reply) -> None:
    """Run the timer due at `reply.now`, if any."""
    timer = _next(reply.lead, reply.policy)
    if timer is not None and reply.now >= timer[0]:
        timer[1](reply)


def _next(lead: Lead, policy: Policy) -> Timer | None:
    """The earliest of the lead's timers; ties go to the first listed."""
    candidates = [
        timer
        for timer in (
            _status_timer(lead, policy),
            *booking.timers(lead, policy),
            *waiting.timers(lead, policy),
        )
        if timer
    ]
    return min(candidates, key=lambda timer: timer[0], default=None)


def _status_timer(lead: Lead, policy: Policy) -> Timer | None:
    since = lead.status_since
    if lead.status == Status.AWAITING_DEPOSIT:
        return _deposit_timer(lead, policy)
    if lead.status == Status.PENDING_APPROVAL and since is not None and lead.artist_nudges == 0:
        return since + policy.approval_stale_hours * HOUR, _nudge_approval
    if lead.status == Status.BOOKING_PENDING and since is not None:
        hours = policy.booking_reminder_hours
        if lead.artist_nudges < len(hours):
            return since + hours[lead.artist_nudges] * HOUR, _remind_booking
    return None


def _counted(done: int, start: datetime, hours: tuple[int, ...], now: datetime) -> int:
    """Reminders accounted for once one fires: after a pause (the worker down, the lead handed
    over and back) the missed ones count as this one rather than follow in a burst."""
    return max(done + 1, sum(1 for hour in hours if start + hour * HOUR <= now))


# -- deposits -----------------------------------------------------------------------------------


def _deposit_timer(lead: Lead, policy: Policy) -> Timer | None:
    deposit = lead.deposit
    if deposit is None or deposit.sent_at is None or deposit.paid_at is not None:
        return None  # no link sent yet, or nothing left to ask for
    expiry = policy.deposit_deadline(deposit.sent_at)
    hours = policy.deposit_reminder_hours
    if deposit.reminders_sent < len(hours):
        due = deposit.sent_at + hours[deposit.reminders_sent] * HOUR
        if due < expiry:
            return due, _remind_deposit
    return expiry, _expire_deposit


def _remind_deposit(reply: Reply) -> None:
    deposit = reply.lead.deposit
    if deposit is None or deposit.sent_at is None:
        return  # unreachable: the timer exists only for a sent deposit
    if reply.now >= reply.policy.deposit_deadline(deposit.sent_at):
        _expire_deposit(reply)  # overdue after a pause: a reminder now would be a lie
        return
    deposit.reminders_sent = _counted(
        deposit.reminders_sent, deposit.sent_at, reply.policy.deposit_reminder_hours, reply.now
    )
    if reply.lead.booking.hold is not None and deposit.url is not None:
        send_link(reply, "reminder")  # a slot is held: remind them of its link
    else:
        booking.restart(reply, "reminder")  # times may have changed: offer the free ones now
    reply.event("deposit.reminder", number=str(deposit.reminders_sent))


def _expire_deposit(reply: Reply) -> None:
    deposit = reply.lead.deposit
    if deposit is None:
        return  # unreachable: the timer exists only for a sent deposit
    reply.move(Status.DEPOSIT_EXPIRED)  # a held slot is released (`booking.next_need`)
    deposit.url = None
    reply.lead.booking.offered = []
    artist = reply.policy.artist_name
    fallback = template("deposit_expired", artist)
    reply.send(outbound.text("client", reply.say("deposit.expired"), "deposit.expired", fallback))
    reply.tell_artist(
        "artist.deposit_expired",
        amount=format_money(deposit.amount_pence, reply.policy.currency),
        hours=reply.policy.deposit_expiry_hours,
    )
    reply.event("deposit.expired", amount_pence=str(deposit.amount_pence))


# -- the artist ---------------------------------------------------------------------------------


def _waited(reply: Reply) -> int:
    since = reply.lead.status_since
    return int((reply.now - since) / HOUR) if since else 0


def _nudge_approval(reply: Reply) -> None:
    reply.lead.artist_nudges = 1
    reply.tell_artist("artist.approval_nudge", hours=_waited(reply))
    reply.event("lead.approval_nudge")


def _remind_booking(reply: Reply) -> None:
    lead = reply.lead
    if lead.status_since is None:
        return  # unreachable: the timer counts from status_since
    lead.artist_nudges = _counted(
        lead.artist_nudges, lead.status_since, reply.policy.booking_reminder_hours, reply.now
    )
    # The client may be the one to act: they have times to pick from and haven't yet.
    key = "artist.booking_reminder.choosing" if lead.booking.offered else "artist.booking_reminder"
    reply.tell_artist(key, hours=_waited(reply))
    reply.event("lead.booking_reminder", number=str(lead.artist_nudges))
