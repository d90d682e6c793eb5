"""What the workflow must do next for a lead's booking (`next_need`): read the calendar,
place or release a hold, take a booking out, make a checkout, or book the paid hold."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from consultation.calendar_rules import BEFORE_HISTORY, RULES, Rules, from_history
from consultation.copy import CATEGORY_WORDS
from consultation.lead import Appointment, Hold, Lead, Policy
from consultation.slots import session_spans
from consultation.statuses import Status
from consultation.summary import artist_summary, lead_ref
from consultation.text import cap, fold

# The client picks a time in these: before paying, or after (paid first, or a lost slot).
CHOOSING = frozenset({Status.AWAITING_DEPOSIT, Status.BOOKING_PENDING})


# A hold is kept only in these; anywhere else (rejected, expired, opted out) it is released.
HOLDING = frozenset({Status.AWAITING_DEPOSIT, Status.DEPOSIT_PAID, Status.BOOKING_PENDING})
Interval = tuple[datetime, datetime]


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
        # The window follows the lead's settings (or, from before those, the bundled rules).
        rules = from_history(policy.rules) if policy.rules else RULES
        return FindTimes(now, now + timedelta(days=rules.lookahead_days))
    paid = lead.deposit is not None and lead.deposit.paid_at is not None
    if b.picked is not None and b.hold is None and lead.status in HOLDING:
        expires = now + timedelta(minutes=max(policy.hold_minutes, 30))
        return PlaceHold(
            f"{lead.lead_id}:hold:{b.holds + 1}", session_spans(b.picked, rules_of(lead)), expires
        )
    if b.hold is not None and paid and lead.status in (Status.DEPOSIT_PAID, Status.BOOKING_PENDING):
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


def at_venue(rules: Rules, lead: Lead, policy: Policy) -> Rules:
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
        lead.status == Status.AWAITING_DEPOSIT
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


def _title(lead: Lead) -> str:
    category = lead.estimate.category if lead.estimate else ""
    words = CATEGORY_WORDS.get(category, "")
    return f"Tattoo: {lead_ref(lead)}" + (f" ({words})" if words else "")
