"""Lead statuses and the moves allowed between them (reference §9, plus the fixes noted)."""

from __future__ import annotations

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
         ABANDONED, STALE, COLLECTING_TIME_WINDOWS}
    ),
    DEPOSIT_PAID: frozenset(
        {BOOKING_PENDING, REJECTED, NEEDS_ARTIST_REPLY, NEEDS_FOLLOW_UP, ABANDONED, STALE}
    ),
    BOOKING_PENDING: frozenset(
        {BOOKED, REJECTED, NEEDS_ARTIST_REPLY, NEEDS_FOLLOW_UP, ABANDONED, STALE,
         COLLECTING_TIME_WINDOWS}
    ),
    # Resuming a handover may re-run completion, which can land on any of its outcomes.
    NEEDS_ARTIST_REPLY: frozenset(
        {QUALIFYING, PENDING_APPROVAL, AWAITING_DEPOSIT, DEPOSIT_PAID, BOOKING_PENDING,
         NEEDS_FOLLOW_UP, TOUR_CONVERSION_OFFERED, REJECTED, ABANDONED, STALE}
    ),
    # The reference left below-minimum leads nowhere to go but REJECTED (§29.10): the artist
    # can take them over or accept them anyway, which may offer a tour city.
    NEEDS_FOLLOW_UP: frozenset(
        {PENDING_APPROVAL, AWAITING_DEPOSIT, DEPOSIT_PAID, BOOKING_PENDING, NEEDS_ARTIST_REPLY,
         TOUR_CONVERSION_OFFERED, REJECTED, ABANDONED, STALE}
    ),
    TOUR_CONVERSION_OFFERED: frozenset(
        {QUALIFYING, PENDING_APPROVAL, WAITLISTED, NEEDS_ARTIST_REPLY, REJECTED, ABANDONED,
         STALE}
    ),
    COLLECTING_TIME_WINDOWS: frozenset({NEEDS_ARTIST_REPLY, BOOKING_PENDING}),
    DEPOSIT_EXPIRED: frozenset({REJECTED, ABANDONED, STALE}),
    ABANDONED: frozenset({NEW}),
    STALE: frozenset({NEW}),
    OPTOUT: frozenset({NEW}),
    BOOKED: frozenset(),
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
FINAL = frozenset({OPTOUT, ABANDONED, WAITLISTED, REJECTED, BOOKED})


def can_transition(current: str, to: str) -> bool:
    return to in ALLOWED.get(current, frozenset())


def transition(lead: Lead, to: str) -> None:
    """Move `lead` to status `to`; an illegal move is a bug in our code, so it raises."""
    if not can_transition(lead.status, to):
        raise ValueError(f"Invalid status transition: {lead.status} -> {to}")
    lead.status = to


def is_final(status: str) -> bool:
    return status in FINAL
