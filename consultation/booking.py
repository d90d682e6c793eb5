"""Choosing a time and booking it (reference §13–§14, and the "Phase 2" it never built).

After approval the client is offered free times; their pick is held in PostgreSQL while they
pay; the paid hold becomes a calendar event and the lead is BOOKED, with reminders before the
appointment. Pure like the rest of the core: the lead says what it needs next (`next_need`) and
the workflow fulfils it with an activity and hands the result back (`offer`, `held`,
`released`, `booked`), each a Turn.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from consultation import outbound, slot_choice
from consultation.calendar_rules import BEFORE_HISTORY, RULES, Rules, from_history
from consultation.copy import CATEGORY_WORDS, money
from consultation.intents import asks_refund, booking_change, wants_data_deleted, wants_human
from consultation.lead import Appointment, Hold, Lead, Policy, Slot, Turn
from consultation.messages import Inbound
from consultation.reply import Reply
from consultation.slots import (
    clock,
    day_label,
    format_slot,
    free_slots,
    session_spans,
    suggest,
)
from consultation.statuses import (
    AWAITING_DEPOSIT,
    BOOKED,
    BOOKING_PENDING,
    CANCELLED,
    COLLECTING_TIME_WINDOWS,
    DEPOSIT_PAID,
    NEEDS_ARTIST_REPLY,
)
from consultation.summary import artist_summary, lead_ref
from consultation.templates import template
from consultation.terms import deposit_terms, move_verdict, times
from consultation.text import cap, fold

# The client picks a time in these: before paying, or after (paid first, or a lost slot).
CHOOSING = frozenset({AWAITING_DEPOSIT, BOOKING_PENDING})
# A hold is kept only in these; anywhere else (rejected, expired, opted out) it is released.
HOLDING = frozenset({AWAITING_DEPOSIT, DEPOSIT_PAID, BOOKING_PENDING})
MAX_FAILURES = 3  # replies to the list not understood in a row before the artist steps in
WINDOWS_WANTED = 2  # preferred time windows to collect when nothing is free (§13)
LAPSED_KEPT = 5  # released holds remembered, so a late payment can take its slot back
Interval = tuple[datetime, datetime]
Timer = tuple[datetime, Callable[[Reply], None]]


# -- what the workflow must do next -------------------------------------------------------------


@dataclass(frozen=True)
class FindTimes:
    """Read the calendar (and everyone's holds) between these instants, then call `offer`."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class PlaceHold:
    hold_id: str
    spans: list[Interval]
    expires_at: datetime


@dataclass(frozen=True)
class ReleaseHold:
    hold: Hold


@dataclass(frozen=True)
class CancelBooking:
    """Take a cancelled or moved booking out of the calendar and free its time."""

    appointment: Appointment


@dataclass(frozen=True)
class MakeCheckout:
    """A held slot without a payment link: make a checkout that lives as long as the hold."""

    expires_at: datetime


@dataclass(frozen=True)
class BookHold:
    hold: Hold
    event_id: str
    spans: list[Interval]
    title: str
    description: str


Need = FindTimes | PlaceHold | ReleaseHold | CancelBooking | MakeCheckout | BookHold


def next_need(lead: Lead, now: datetime, policy: Policy) -> Need | None:
    """The one thing the workflow must do before the lead can wait for the outside world."""
    b = lead.booking
    if b.cancel:
        return CancelBooking(b.cancel[0])
    if b.release:
        return ReleaseHold(b.release[0])
    if b.hold is not None and lead.status not in HOLDING:
        return ReleaseHold(b.hold)
    if b.wants_slots and lead.status in CHOOSING:
        # The window follows the bundled rules; the answer brings the rules it was read under.
        return FindTimes(now, now + timedelta(days=RULES.lookahead_days))
    paid = lead.deposit is not None and lead.deposit.paid_at is not None
    if b.picked is not None and b.hold is None and lead.status in HOLDING:
        expires = now + timedelta(minutes=max(policy.hold_minutes, 30))
        return PlaceHold(
            f"{lead.lead_id}:hold:{b.holds + 1}", session_spans(b.picked, rules_of(lead)), expires
        )
    if b.hold is not None and paid and lead.status in (DEPOSIT_PAID, BOOKING_PENDING):
        return BookHold(
            b.hold,
            event_id(lead.lead_id, b.bookings + 1),
            session_spans(b.hold.slot, rules_of(lead)),
            _title(lead),
            cap(artist_summary(lead), 4000),
        )
    if needs_checkout(lead):
        assert b.hold is not None
        return MakeCheckout(b.hold.expires_at)
    return None


def rules_of(lead: Lead) -> Rules:
    """The calendar rules this lead's times were offered under (see `offer`)."""
    return from_history(lead.booking.rules) if lead.booking.rules else BEFORE_HISTORY


def _at_venue(rules: Rules, lead: Lead, policy: Policy) -> Rules:
    """The artist keeps their local working hours wherever they tattoo: for a client coming to a
    tour stop with a zone of its own, the hours, and the times shown, are that stop's."""
    city = lead.parsed.get("tour_city")
    stop = next(
        (s for s in policy.tour if s.timezone and city and fold(s.city) == fold(city)), None
    )
    return replace(rules, timezone=stop.timezone) if stop else rules


def needs_checkout(lead: Lead) -> bool:
    """A slot is held for an unpaid deposit whose link was cleared (or never made)."""
    deposit = lead.deposit
    return (
        lead.status == AWAITING_DEPOSIT
        and lead.booking.hold is not None
        and deposit is not None
        and deposit.paid_at is None
        and deposit.url is None
    )


def event_id(lead_id: str, booking_number: int) -> str:
    """The calendar event's id: base32hex (Google's alphabet, lowercase) of a hash of the lead
    and the booking's number, so a retried insert finds its own event, and a rebooking gets a
    fresh id (a deleted Google event keeps its id for ever)."""
    digest = hashlib.sha256(f"{lead_id}:booking:{booking_number}".encode()).digest()
    return base64.b32hexencode(digest).decode().lower().rstrip("=")[:32]


# -- results handed back by the workflow --------------------------------------------------------


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
        b.rules = _at_venue(rules, reply.lead, policy).to_mapping()
    free = _free(reply.lead, busy, now, policy)
    fresh = [slot for slot in free if slot.start not in b.seen] if intro == "more" else free
    if not free:
        _collect_windows(reply)
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
    _send_offer(reply, intro, more=len(fresh) > len(picks))
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
    reply.lead.last_hold_reply_at = None  # questions about the hold get an answer at once
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
        _forget_hold(reply)
    reply.event("booking.released", hold_id=hold_id)
    return reply.turn()


def booked(
    lead: Lead, ok: bool, event_ids: list[str], reason: str, now: datetime, policy: Policy
) -> Turn:
    """The paid hold became a booking and calendar event(s), or the slot was gone after all."""
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
    reply.move(BOOKED)
    lead.last_hold_reply_at = now  # just told everything; a "thanks!" needs no answer
    params = _booking_params(reply)
    body = reply.say("booking.confirmed", policy=deposit_terms(policy), **params)
    fallback = template(
        "appointment_booked", policy.artist_name, f"{params['when']} ({params['zone']})"
    )
    reply.send(outbound.text("client", body, "booking.confirmed", fallback))
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


# -- used by the conversation, the artist's decisions, payments and timers ----------------------


def restart(reply: Reply, intro: str) -> None:
    """A fresh round of times: the workflow reads the calendar and `offer` sends them."""
    b = reply.lead.booking
    b.offered, b.seen, b.candidates, b.failures = [], [], [], 0
    b.picked, b.rebook = None, False
    b.wants_slots, b.intro = True, intro


def new_round(reply: Reply, intro: str) -> None:
    """Times offered afresh, and the deposit's reminders and expiry counted from this offer."""
    deposit = reply.lead.deposit
    if deposit is not None and deposit.paid_at is None:
        deposit.sent_at, deposit.reminders_sent = None, 0
    restart(reply, intro)


def give_up_hold(reply: Reply) -> None:
    """Let go of the current hold (released by the workflow, `next_need`)."""
    hold = reply.lead.booking.hold
    if hold is not None:
        reply.lead.booking.release.append(hold)
        _forget_hold(reply)
        reply.event("booking.hold_given_up", hold_id=hold.hold_id)


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
    reply.move(BOOKING_PENDING)
    restart(reply, "paid")


def call_off(reply: Reply) -> None:
    """The artist cancels the booking: CANCELLED, the client told, and the calendar freed."""
    lead = reply.lead
    b = lead.booking
    when = _when(b.slot, rules_of(reply.lead)) if b.slot else ""
    if b.slot is not None and b.booked_hold_id:
        b.cancel.append(Appointment(b.booked_hold_id, list(b.event_ids)))
    reply.move(CANCELLED)
    key = "booking.cancelled" if when else "booking.cancelled.no_date"
    fallback = template("appointment_cancelled", reply.policy.artist_name, when or "-")
    reply.send(outbound.text("client", reply.say(key, when=when), key, fallback))
    reply.event("lead.cancelled", slot=b.slot.start.isoformat() if b.slot else "")


def move(reply: Reply) -> None:
    """The artist moves the booking: the client picks a new time (paid already, so it is
    booked at once); the old booking stands until then."""
    reply.lead.booking.moving = True
    reply.move(BOOKING_PENDING)
    restart(reply, "reschedule")


def bind_session(lead: Lead, session_id: str) -> None:
    if lead.booking.hold is not None:
        lead.booking.hold.session_id = session_id


def held_text(reply: Reply) -> dict[str, str]:
    """{slot, until} for the hold's messages, in the artist's zone."""
    hold = reply.lead.booking.hold
    if hold is None:
        raise ValueError("held_text without a hold")
    rules = rules_of(reply.lead)
    return {"slot": _when(hold.slot, rules), "until": clock(hold.expires_at, rules)}


def on_message(reply: Reply, msg: Inbound, text: str) -> bool:
    """A client message about times or the booking; False when it is not for us."""
    status = reply.lead.status
    b = reply.lead.booking
    if status == COLLECTING_TIME_WINDOWS:
        _take_window(reply, text)
        return True
    if status == BOOKED:
        _after_booking(reply, text)
        return True
    if status not in CHOOSING or b.wants_slots or b.picked is not None:
        return False
    if b.hold is not None:
        return _while_held(reply, msg, text)
    if b.offered:
        _choose(reply, msg, text)
        return True
    if status == AWAITING_DEPOSIT:
        restart(reply, "again")  # nothing on offer (an old link, say): show the times
        return True
    return False


def timers(lead: Lead, policy: Policy) -> list[Timer]:
    """The hold's expiry while unpaid, and around a booked appointment its reminders and end."""
    b = lead.booking
    if lead.status == AWAITING_DEPOSIT and b.hold is not None:
        return [(b.hold.expires_at, _hold_lapsed)]
    if lead.status != BOOKED or b.slot is None or b.over:
        return []
    hours = policy.appointment_reminder_hours
    if b.reminders_sent < len(hours):
        return [(b.slot.start - timedelta(hours=hours[b.reminders_sent]), _remind_appointment)]
    return [(b.slot.end, _appointment_over)]


# -- offering and choosing ----------------------------------------------------------------------


def _free(lead: Lead, busy: list[Interval], now: datetime, policy: Policy) -> list[Slot]:
    estimate = lead.estimate
    category = estimate.category if estimate else "MEDIUM"
    tour_city = lead.parsed.get("tour_city")
    return free_slots(
        rules_of(lead),
        category,
        estimate.days if estimate else None,
        busy,
        now,
        policy.tour,
        str(tour_city) if tour_city else None,
    )


def _send_offer(reply: Reply, intro: str, more: bool) -> None:
    b = reply.lead.booking
    deposit = reply.lead.deposit
    amount = money(deposit.amount_pence) if deposit else ""
    rules = rules_of(reply.lead)
    lines = "\n".join(f"{i}. {_when(slot, rules)}" for i, slot in enumerate(b.offered, start=1))
    body = reply.say(
        "booking.offer",
        intro=reply.say(f"booking.intro.{intro}", amount=amount),
        lines=lines,
        example=_example(b.offered[0], rules),
    )
    rows = [(row.id, row.title, row.description) for row in slot_choice.slot_rows(b.offered, rules)]
    if more:
        rows.append(
            (
                slot_choice.MORE_ID,
                reply.say("booking.offer.more_row"),
                reply.say("booking.offer.more_description"),
            )
        )
    fallback = template("booking_times", reply.policy.artist_name)
    reply.send(
        outbound.choices(
            "client",
            body,
            reply.say("booking.offer.button"),
            rows,
            f"booking.offer.{intro}",
            fallback,
        )
    )


def _choose(reply: Reply, msg: Inbound, text: str) -> None:
    b = reply.lead.booking
    choice_id = msg.choice_id if msg.kind == "choice" else None
    # After "10am or 2pm?", "2pm" is read against those two first.
    pool = [i for i in b.candidates if i < len(b.offered)] or list(range(len(b.offered)))
    rules = rules_of(reply.lead)
    choice = slot_choice.choose(text, choice_id, [b.offered[i] for i in pool], rules)
    if len(pool) < len(b.offered) and isinstance(choice, slot_choice.NotUnderstood):
        pool = list(range(len(b.offered)))
        choice = slot_choice.choose(text, choice_id, b.offered, rules)
    if isinstance(choice, slot_choice.Chosen):
        index = pool[choice.index]
        slot = b.offered[index]
        if slot.start - reply.now < timedelta(hours=rules.minimum_notice_hours) / 2:
            # Picked from a list that has aged: a list keeps for a while (its first time sits
            # right at the notice), but a time within half the notice is too close, or gone.
            reply.event("booking.pick_too_late", slot=slot.start.isoformat())
            restart(reply, "stale")
            return
        b.picked, b.candidates, b.failures = slot, [], 0
        reply.event("booking.picked", option=str(index + 1))
    elif isinstance(choice, slot_choice.Ambiguous):
        b.candidates = [pool[i] for i in choice.candidates]
        _ask_which(reply, choice.question)
    elif isinstance(choice, slot_choice.WantsMore):
        b.wants_slots, b.intro, b.candidates = True, "more", []
    else:
        b.failures += 1
        b.candidates = []
        reply.event("booking.not_understood", "WARN", attempt=str(b.failures))
        if b.failures >= MAX_FAILURES:  # §14.4: the artist takes over rather than loop
            reply.hand_over(
                "slot_choice", f"Could not understand a time after {MAX_FAILURES} tries"
            )
            return
        reply.send(outbound.text("client", choice.hint, "booking.repair"))


def _ask_which(reply: Reply, question: str) -> None:
    b = reply.lead.booking
    if len(b.candidates) > 3:  # more than three buttons allow
        reply.send(outbound.text("client", question, "booking.which"))
        return
    options = [
        (slot_choice.row_id(i, b.offered[i]), format_slot(b.offered[i], rules_of(reply.lead)))
        for i in b.candidates
    ]
    reply.send(outbound.buttons("client", question, options, "booking.which"))


def _while_held(reply: Reply, msg: Inbound, text: str) -> bool:
    """A message while a slot is held for payment: other times on request, else a reminder of
    the hold and the link (at most once per hold cooldown)."""
    b = reply.lead.booking
    choice_id = msg.choice_id if msg.kind == "choice" else None
    if isinstance(
        slot_choice.choose(text, choice_id, [], rules_of(reply.lead)), slot_choice.WantsMore
    ):
        give_up_hold(reply)
        b.wants_slots, b.intro = True, "more"
        return True
    if reply.lead.deposit is None or reply.lead.deposit.url is None:
        return True  # the link is on its way
    if reply.may_hold():
        reply.lead.last_hold_reply_at = reply.now
        reply.send(
            outbound.text(
                "client", reply.say("booking.hold_reply", **held_text(reply)), "booking.hold_reply"
            )
        )
    return True


def _forget_hold(reply: Reply) -> None:
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


def _slot_lost(reply: Reply, slot: Slot) -> None:
    """Paid, but the slot went: the money is safe and the artist decides (another time, credit
    or a refund)."""
    if reply.lead.status == DEPOSIT_PAID:
        reply.move(BOOKING_PENDING)
    deposit = reply.lead.deposit
    amount = money((deposit.paid_pence or deposit.amount_pence) if deposit else 0)
    reply.send(
        outbound.text("client", reply.say("booking.slot_lost", amount=amount), "booking.slot_lost")
    )
    reply.tell_artist("artist.slot_lost", amount=amount, slot=_when(slot, rules_of(reply.lead)))
    reply.event("booking.slot_lost", "WARN", slot=slot.start.isoformat())


# -- no free times: the client's preferred windows (§13) ----------------------------------------


def _collect_windows(reply: Reply) -> None:
    lead = reply.lead
    lead.booking.windows = []
    lead.handover_from = lead.status
    lead.reminders_sent = 0  # the windows reminder (`waiting`) counts from here
    reply.move(COLLECTING_TIME_WINDOWS)
    reply.send(outbound.text("client", reply.say("booking.no_slots"), "booking.no_slots"))
    # The artist may free a time or decline: told now, with the links that fit.
    reply.tell_artist("artist.no_slots")
    reply.event("booking.no_slots")


def _take_window(reply: Reply, text: str) -> None:
    lead = reply.lead
    if text.strip():
        lead.booking.windows.append(cap(text.strip(), 200))
    count = len(lead.booking.windows)
    if count < WINDOWS_WANTED:
        remaining = WINDOWS_WANTED - count
        reply.send(
            outbound.text(
                "client",
                reply.say("booking.windows.more", remaining=remaining),
                "booking.windows.more",
            )
        )
        return
    reply.send(
        outbound.text(
            "client", reply.say("booking.windows.done", count=count), "booking.windows.done"
        )
    )
    windows_to_artist(
        reply, f"Collected {count} preferred time windows - no calendar slots available"
    )


def windows_to_artist(reply: Reply, reason: str) -> None:
    """The artist takes over with the times the client gave (NEEDS_ARTIST_REPLY)."""
    lead = reply.lead
    origin = lead.handover_from or AWAITING_DEPOSIT
    reply.move(NEEDS_ARTIST_REPLY)
    lead.handover_from, lead.handover_reason, lead.handover_kind = origin, reason, "time_windows"
    lead.last_hold_reply_at = reply.now
    windows = "\n".join(f"• {window}" for window in lead.booking.windows) or "—"
    reply.tell_artist("artist.time_windows", windows=windows)
    reply.event("booking.windows_collected", count=str(len(lead.booking.windows)))


# -- after booking ------------------------------------------------------------------------------


def _after_booking(reply: Reply, text: str) -> None:
    lead = reply.lead
    slot = lead.booking.slot
    if wants_human(text) or asks_refund(text) or wants_data_deleted(text):
        # A booked lead cannot be handed over (it stays booked): the artist gets the message.
        lead.last_hold_reply_at = reply.now
        reply.send(
            outbound.text(
                "client", reply.say("booking.change.client.manual"), "booking.change.client"
            )
        )
        reply.tell_artist("artist.booked_client_asks", text=cap(text, 500))
        reply.event("booking.client_asks")
        return
    change = booking_change(text)
    if change is not None and slot is None:
        # Booked by hand: no date here to apply the policy to, so the artist judges it.
        lead.last_hold_reply_at = reply.now
        reply.send(
            outbound.text(
                "client", reply.say("booking.change.client.manual"), "booking.change.client"
            )
        )
        reply.tell_artist("artist.change_request.manual", change=change)
        reply.event("booking.change_requested", change=change)
        return
    if change is None or slot is None:
        if reply.may_hold():
            lead.last_hold_reply_at = reply.now
            when = _when(slot, rules_of(reply.lead)) if slot else ""
            key = "booking.booked_reply" if slot else "hold.booked"
            reply.send(outbound.text("client", reply.say(key, when=when), key))
        return
    policy = reply.policy
    hours = policy.reschedule_notice_hours
    notice = int((slot.start - reply.now) / timedelta(hours=1))
    within = notice >= hours
    # What the policy says, with the moves already used: the artist sees it with the request.
    used, free = lead.booking.moves, policy.free_moves
    outcome = "cancel" if change == "cancel" else move_verdict(lead, notice, policy)
    client_key = (
        "booking.change.client.cancel"
        if outcome == "cancel"
        else f"booking.change.client.reschedule.{outcome}"
    )
    verdict = reply.say(f"artist.change.{outcome}", hours=hours, used=used, free=free)
    lead.last_hold_reply_at = reply.now
    body = reply.say(client_key, hours=hours, moves=times(used))
    reply.send(outbound.text("client", body, client_key))
    reply.tell_artist(
        "artist.change_request",
        change=change,
        when=_when(slot, rules_of(reply.lead)),
        notice=max(notice, 0),
        verdict=verdict,
    )
    reply.event(
        "booking.change_requested",
        change=change,
        notice_hours=str(notice),
        within=str(within),
        moves_used=str(used),
    )


def _hold_lapsed(reply: Reply) -> None:
    b = reply.lead.booking
    hold = b.hold
    if hold is None:
        return
    b.release.append(hold)
    _forget_hold(reply)
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


def _remind_appointment(reply: Reply) -> None:
    b = reply.lead.booking
    if b.slot is None:
        return
    hours = reply.policy.appointment_reminder_hours
    due = sum(1 for h in hours if b.slot.start - timedelta(hours=h) <= reply.now)
    b.reminders_sent = max(b.reminders_sent + 1, due)
    params = _booking_params(reply)
    body = reply.say("booking.reminder", policy=deposit_terms(reply.policy), **params)
    fallback = template(
        "appointment_reminder",
        reply.policy.artist_name,
        f"{params['when']} ({params['zone']})",
        params["place"],
    )
    reply.send(outbound.text("client", body, "booking.reminder", fallback))
    reply.event("booking.reminder", number=str(b.reminders_sent))


def _appointment_over(reply: Reply) -> None:
    reply.lead.booking.over = True
    reply.event("booking.appointment_over")


# -- wording ------------------------------------------------------------------------------------


def _when(slot: Slot, rules: Rules) -> str:
    """ "Wed 3 Dec, 2:00pm–5:00pm", or "Sat 6 Dec, 3 days" for a multi-day session."""
    day = day_label(slot.start, rules)
    if slot.days > 1:
        return f"{day}, {slot.days} days from {clock(slot.start, rules)}"
    return f"{day}, {clock(slot.start, rules)}–{clock(slot.end, rules)}"


def _example(slot: Slot, rules: Rules) -> str:
    local = slot.start.astimezone(rules.zone)
    return f"{slot_choice.FULL_DAYS[local.weekday()]} {clock(slot.start, rules, compact=True)}"


def _booking_params(reply: Reply) -> dict[str, str]:
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
        "when": _when(slot, rules),
        "zone": slot.start.astimezone(rules.zone).tzname() or rules.timezone,
        "place": place,
        "amount": money((deposit.paid_pence or deposit.amount_pence) if deposit else 0),
    }


def _title(lead: Lead) -> str:
    category = lead.estimate.category if lead.estimate else ""
    words = CATEGORY_WORDS.get(category, "")
    return f"Tattoo: {lead_ref(lead)}" + (f" ({words})" if words else "")
