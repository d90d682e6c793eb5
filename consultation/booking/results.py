"""The results the workflow hands back after fulfilling a need (`offer`, `held`, `released`,
`booked`, ...), or its failure, each a Turn."""

from __future__ import annotations

from copy import deepcopy
from datetime import datetime, timedelta

from consultation import consent, outbound
from consultation.booking.choosing import free_times, send_offer
from consultation.booking.holds import forget_hold, give_up_hold
from consultation.booking.needs import CHOOSING, Interval, at_venue, rules_of
from consultation.booking.rounds import restart
from consultation.booking.windows import collect_windows
from consultation.booking.wording import booking_params, when_text
from consultation.calendar_rules import Rules
from consultation.lead import Appointment, Hold, Lead, Policy, Slot, Turn
from consultation.money import format_money
from consultation.reply import Reply
from consultation.slots import suggest
from consultation.statuses import Status
from consultation.templates import template
from consultation.terms import deposit_terms
from consultation.text import cap


def offer(
    lead: Lead, busy: list[Interval], now: datetime, policy: Policy, rules: Rules | None = None
) -> Turn:
    """Offer free times from the calendar's busy intervals, or collect the client's preferred
    times when nothing is free. `rules` are those the calendar was read under; the lead keeps
    them, and every later decision about these times (the pick, the hold) uses them."""
    reply = Reply(deepcopy(lead), now, policy)
    b = reply.lead.booking
    intro, b.wants_slots, b.intro = b.intro or "again", False, ""
    if reply.lead.status not in CHOOSING:
        return reply.turn()
    if rules is not None:
        b.rules = at_venue(rules, reply.lead, policy).to_mapping()
    free = free_times(reply.lead, busy, now, policy)
    fresh = [slot for slot in free if slot.start not in b.seen] if intro == "more" else free
    if not free:
        collect_windows(reply)
        return reply.turn()
    if not fresh:
        intro, fresh, b.seen = "no_more", free, []
    rules = rules_of(reply.lead)
    picks = suggest(fresh, rules.max_suggestions, rules)
    b.offered, b.candidates, b.failures = picks, [], 0
    b.seen.extend(slot.start for slot in picks)
    deposit = reply.lead.deposit
    if deposit is not None and deposit.sent_at is None and deposit.paid_at is None:
        deposit.sent_at = now  # the round of asking (reminders, expiry) starts with the offer
    send_offer(reply, intro, more=len(fresh) > len(picks))
    reply.event("booking.offered", count=str(len(picks)), first=picks[0].start.isoformat())
    return reply.turn()


def held(
    lead: Lead, hold_id: str, expires_at: datetime, won: bool, now: datetime, policy: Policy
) -> Turn:
    """The hold on the client's pick was placed (or lost to someone faster)."""
    reply = Reply(deepcopy(lead), now, policy)
    b = reply.lead.booking
    slot, b.picked = b.picked, None
    b.holds += 1
    if slot is None:
        return reply.turn()
    if not won:
        reply.event("booking.slot_taken", slot=slot.start.isoformat())
        if b.rebook:
            b.rebook = False
            _slot_lost(reply, slot)
        else:
            restart(reply, "taken")
        return reply.turn()
    b.rebook = False
    b.hold = Hold(hold_id, slot, expires_at)
    b.offered, b.candidates = [], []
    reply.lead.last_status_reply_at = None  # questions about the hold get an answer at once
    deposit = reply.lead.deposit
    if deposit is not None and deposit.paid_at is None:
        deposit.url = None  # the workflow makes the checkout bound to this hold
    reply.event("booking.held", hold_id=hold_id, slot=slot.start.isoformat())
    return reply.turn()


def taken_out(lead: Lead, hold_id: str, now: datetime, policy: Policy, error: str = "") -> Turn:
    """A cancelled or moved booking is out of the calendar and its time free again; or, with
    `error`, free in our records but still in the calendar: the artist removes it by hand."""
    reply = Reply(deepcopy(lead), now, policy)
    b = reply.lead.booking
    b.cancel = [appointment for appointment in b.cancel if appointment.hold_id != hold_id]
    if error:
        reply.event("booking.take_out_failed", "ERROR", hold_id=hold_id, error=cap(error, 200))
        reply.tell_artist("artist.take_out_failed", error=cap(error, 200))
    else:
        reply.event("booking.taken_out", hold_id=hold_id)
    return reply.turn()


def released(lead: Lead, hold_id: str, now: datetime, policy: Policy) -> Turn:
    reply = Reply(deepcopy(lead), now, policy)
    b = reply.lead.booking
    b.release = [hold for hold in b.release if hold.hold_id != hold_id]
    if b.hold is not None and b.hold.hold_id == hold_id:
        forget_hold(reply)
    reply.event("booking.released", hold_id=hold_id)
    return reply.turn()


def booked(
    lead: Lead,
    ok: bool,
    event_ids: list[str],
    reason: str,
    now: datetime,
    policy: Policy,
    calendar_link: str = "",
) -> Turn:
    """The paid hold became a booking and calendar event(s), or the slot was gone after all.
    `calendar_link`: the booking's "add to calendar" file, offered in the confirmation."""
    reply = Reply(deepcopy(lead), now, policy)
    lead = reply.lead
    b = lead.booking
    hold, b.hold = b.hold, None
    if hold is None:
        return reply.turn()
    if not ok:
        b.release.append(hold)
        reply.event("booking.failed", "WARN", reason=reason, slot=hold.slot.start.isoformat())
        _slot_lost(reply, hold.slot)
        return reply.turn()
    if b.moving:  # the new time is in: the old booking comes out of the calendar
        b.cancel.append(Appointment(b.booked_hold_id, list(b.event_ids)))
        b.moving = False
        b.moves += 1
    b.slot, b.event_ids, b.bookings = hold.slot, list(event_ids), b.bookings + 1
    b.booked_hold_id, b.over = hold.hold_id, False
    b.offered, b.seen, b.candidates = [], [], []
    hours = policy.appointment_reminder_hours
    # Reminders whose time has already passed (booked at short notice) are not sent late.
    b.reminders_sent = sum(1 for h in hours if hold.slot.start - timedelta(hours=h) <= now)
    reply.move(Status.BOOKED)
    lead.last_status_reply_at = now  # just told everything; a "thanks!" needs no answer
    params = booking_params(reply)
    body = reply.say("booking.confirmed", policy=deposit_terms(policy), **params)
    if calendar_link:
        body += "\n\n" + reply.say("booking.add_to_calendar", url=calendar_link)
    fallback = template(
        "appointment_booked", policy.artist_name, f"{params['when']} ({params['zone']})"
    )
    reply.send(outbound.text("client", body, "booking.confirmed", fallback))
    consent.ask(reply)
    reply.tell_artist("artist.booked", **params)
    reply.event(
        "lead.booked", slot=hold.slot.start.isoformat(), event_id=event_ids[0] if event_ids else ""
    )
    return reply.turn()


def calendar_failed(lead: Lead, error: str, now: datetime, policy: Policy) -> Turn:
    """The calendar could not be read or written after every retry: nothing is guessed (an
    unreadable calendar is never free); the client is told and the artist asked to step in."""
    reply = Reply(deepcopy(lead), now, policy)
    b = reply.lead.booking
    b.wants_slots, b.picked, b.rebook, b.intro = False, None, False, ""
    reply.event("booking.calendar_failed", "ERROR", error=cap(error, 200))
    reply.send(outbound.text("client", reply.say("booking.calendar_down"), "booking.calendar_down"))
    reply.tell_artist("artist.calendar_down", error=cap(error, 200))
    return reply.turn()


def checkout_failed(lead: Lead, error: str, now: datetime, policy: Policy) -> Turn:
    """Stripe refused the checkout or stayed down through every retry: the held time is let
    go (nobody could pay for it), the client told, and the artist alerted to send it again."""
    reply = Reply(deepcopy(lead), now, policy)
    give_up_hold(reply)
    reply.event("deposit.checkout_failed", "ERROR", error=cap(error, 200))
    reply.send(outbound.text("client", reply.say("deposit.checkout_down"), "deposit.checkout_down"))
    reply.tell_artist("artist.checkout_down", error=cap(error, 200))
    return reply.turn()


def _slot_lost(reply: Reply, slot: Slot) -> None:
    """Paid, but the slot went: the money is safe and the artist decides (another time, credit
    or a refund)."""
    if reply.lead.status == Status.DEPOSIT_PAID:
        reply.move(Status.BOOKING_PENDING)
    deposit = reply.lead.deposit
    amount = format_money(
        (deposit.paid_pence or deposit.amount_pence) if deposit else 0, reply.policy.currency
    )
    reply.send(
        outbound.text("client", reply.say("booking.slot_lost", amount=amount), "booking.slot_lost")
    )
    reply.tell_artist("artist.slot_lost", amount=amount, slot=when_text(slot, rules_of(reply.lead)))
    reply.event("booking.slot_lost", "WARN", slot=slot.start.isoformat())
