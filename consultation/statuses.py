"""Lead statuses and the moves allowed between them (reference §9, plus the fixes noted)."""

from __future__ import annotations

from datetime import datetime

from consultation.lead import Lead

NEW = "NEW"
QUALIFYING = "QUALIFYING"
PENDING_APPROVAL = "PENDING_APPROVAL"
AWAITING_DEPOSIT = "AWAITING_DEPOSIT"
DEPOSIT_PAID = "DEPOSIT_PAID"
BOOKING_PENDING = "BOOKING_PENDING"
BOOKED = "BOOKED"
NEEDS_ARTIST_REPLY = "NEEDS_ARTIST_REPLY"
NEEDS_FOLLOW_UP = "NEEDS_FOLLOW_UP"
REJECTED = "REJECTED"
ABANDONED = "ABANDONED"
STALE = "STALE"
OPTOUT = "OPTOUT"
TOUR_CONVERSION_OFFERED = "TOUR_CONVERSION_OFFERED"
WAITLISTED = "WAITLISTED"
COLLECTING_TIME_WINDOWS = "COLLECTING_TIME_WINDOWS"
DEPOSIT_EXPIRED = "DEPOSIT_EXPIRED"
REFUNDED = "REFUNDED"
CANCELLED = "CANCELLED"

_TABLE: dict[str, frozenset[str]] = {
    NEW: frozenset({QUALIFYING}),
    QUALIFYING: frozenset(
        {PENDING_APPROVAL, NEEDS_ARTIST_REPLY, NEEDS_FOLLOW_UP, TOUR_CONVERSION_OFFERED,
         WAITLISTED, ABANDONED, STALE}
    ),
    PENDING_APPROVAL: frozenset(
        {AWAITING_DEPOSIT, REJECTED, NEEDS_ARTIST_REPLY, NEEDS_FOLLOW_UP, ABANDONED, STALE}
    ),
    AWAITING_DEPOSIT: frozenset(
        {DEPOSIT_PAID, DEPOSIT_EXPIRED, REJECTED, NEEDS_ARTIST_REPLY, NEEDS_FOLLOW_UP,
         ABANDONED, STALE, COLLECTING_TIME_WINDOWS, REFUNDED}
    ),
    # The artist may confirm the date straight after payment, before BOOKING_PENDING is seen.
    DEPOSIT_PAID: frozenset(
        {BOOKING_PENDING, BOOKED, REJECTED, NEEDS_ARTIST_REPLY, NEEDS_FOLLOW_UP, ABANDONED,
         STALE, REFUNDED}
    ),
    BOOKING_PENDING: frozenset(
        {BOOKED, REJECTED, NEEDS_ARTIST_REPLY, NEEDS_FOLLOW_UP, ABANDONED, STALE,
         COLLECTING_TIME_WINDOWS, REFUNDED}
    ),
    # Resuming a handover may re-run completion, which can land on any of its outcomes.
    NEEDS_ARTIST_REPLY: frozenset(
        {QUALIFYING, PENDING_APPROVAL, AWAITING_DEPOSIT, DEPOSIT_PAID, BOOKING_PENDING,
         NEEDS_FOLLOW_UP, TOUR_CONVERSION_OFFERED, REJECTED, ABANDONED, STALE, REFUNDED}
    ),
    # The reference left below-minimum leads nowhere to go but REJECTED (§29.10): the artist
    # can take them over or accept them anyway, which may offer a tour city.
    NEEDS_FOLLOW_UP: frozenset(
        {PENDING_APPROVAL, AWAITING_DEPOSIT, DEPOSIT_PAID, BOOKING_PENDING, NEEDS_ARTIST_REPLY,
         TOUR_CONVERSION_OFFERED, REJECTED, ABANDONED, STALE, REFUNDED}
    ),
    TOUR_CONVERSION_OFFERED: frozenset(
        {QUALIFYING, PENDING_APPROVAL, WAITLISTED, NEEDS_ARTIST_REPLY, REJECTED, ABANDONED,
         STALE}
    ),
    # The artist may decline, or offer times again (back to where the lead was) once freed.
    COLLECTING_TIME_WINDOWS: frozenset(
        {NEEDS_ARTIST_REPLY, AWAITING_DEPOSIT, BOOKING_PENDING, REJECTED, REFUNDED}
    ),
    # A lapsed deposit request can be sent again, and a late payment still counts (the
    # checkout session may outlive our expiry by minutes).
    DEPOSIT_EXPIRED: frozenset(
        {AWAITING_DEPOSIT, DEPOSIT_PAID, REJECTED, ABANDONED, STALE, REFUNDED}
    ),
    ABANDONED: frozenset({NEW}),
    STALE: frozenset({NEW}),
    OPTOUT: frozenset({NEW}),
    # The artist moves a booking (times offered again) or calls it off.
    BOOKED: frozenset({BOOKING_PENDING, CANCELLED}),
    REJECTED: frozenset(),
    WAITLISTED: frozenset(),
    REFUNDED: frozenset(),
    CANCELLED: frozenset(),
}  # fmt: skip
# STOP is the client's right at any point, so every status may move to OPTOUT (the reference
# allowed it only from two).
ALLOWED: dict[str, frozenset[str]] = {
    status: targets | ({OPTOUT} if status != OPTOUT else frozenset())
    for status, targets in _TABLE.items()
}
STATUSES = frozenset(ALLOWED)

# Statuses where a run ends: the next message from this contact starts a new enquiry.
FINAL = frozenset({OPTOUT, ABANDONED, WAITLISTED, REJECTED, BOOKED, REFUNDED, CANCELLED})


def can_transition(current: str, to: str) -> bool:
    return to in ALLOWED.get(current, frozenset())


def transition(lead: Lead, to: str, now: datetime) -> None:
    """Move `lead` to status `to` as of `now`; an illegal move is a bug in our code, so it
    raises. Timers count from `status_since`, and the artist's nudges are per status."""
    if not can_transition(lead.status, to):
        raise ValueError(f"Invalid status transition: {lead.status} -> {to}")
    lead.status = to
    lead.status_since = now
    lead.artist_nudges = 0


def is_final(status: str) -> bool:
    return status in FINAL
