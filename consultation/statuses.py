"""Lead statuses and the moves allowed between them (reference §9, plus the fixes noted)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from consultation.lead import Lead


class Status(StrEnum):
    """A lead's status. The values are stored and carried in workflow histories: add
    members, never rename or remove one."""

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
    Status.NEW: frozenset({Status.QUALIFYING}),
    Status.QUALIFYING: frozenset(
        {
            Status.PENDING_APPROVAL,
            Status.NEEDS_ARTIST_REPLY,
            Status.NEEDS_FOLLOW_UP,
            Status.TOUR_CONVERSION_OFFERED,
            Status.WAITLISTED,
            Status.ABANDONED,
            Status.STALE,
        }
    ),
    Status.PENDING_APPROVAL: frozenset(
        {
            Status.AWAITING_DEPOSIT,
            Status.REJECTED,
            Status.NEEDS_ARTIST_REPLY,
            Status.NEEDS_FOLLOW_UP,
            Status.ABANDONED,
            Status.STALE,
        }
    ),
    Status.AWAITING_DEPOSIT: frozenset(
        {
            Status.DEPOSIT_PAID,
            Status.DEPOSIT_EXPIRED,
            Status.REJECTED,
            Status.NEEDS_ARTIST_REPLY,
            Status.NEEDS_FOLLOW_UP,
            Status.ABANDONED,
            Status.STALE,
            Status.COLLECTING_TIME_WINDOWS,
            Status.REFUNDED,
        }
    ),
    # The artist may confirm the date straight after payment, before BOOKING_PENDING is seen.
    Status.DEPOSIT_PAID: frozenset(
        {
            Status.BOOKING_PENDING,
            Status.BOOKED,
            Status.REJECTED,
            Status.NEEDS_ARTIST_REPLY,
            Status.NEEDS_FOLLOW_UP,
            Status.ABANDONED,
            Status.STALE,
            Status.REFUNDED,
        }
    ),
    Status.BOOKING_PENDING: frozenset(
        {
            Status.BOOKED,
            Status.REJECTED,
            Status.NEEDS_ARTIST_REPLY,
            Status.NEEDS_FOLLOW_UP,
            Status.ABANDONED,
            Status.STALE,
            Status.COLLECTING_TIME_WINDOWS,
            Status.REFUNDED,
        }
    ),
    # Resuming a handover may re-run completion, which can land on any of its outcomes.
    Status.NEEDS_ARTIST_REPLY: frozenset(
        {
            Status.QUALIFYING,
            Status.PENDING_APPROVAL,
            Status.AWAITING_DEPOSIT,
            Status.DEPOSIT_PAID,
            Status.BOOKING_PENDING,
            Status.NEEDS_FOLLOW_UP,
            Status.TOUR_CONVERSION_OFFERED,
            Status.REJECTED,
            Status.ABANDONED,
            Status.STALE,
            Status.REFUNDED,
        }
    ),
    # The reference left below-minimum leads nowhere to go but REJECTED (§29.10): the artist
    # can take them over or accept them anyway, which may offer a tour city.
    Status.NEEDS_FOLLOW_UP: frozenset(
        {
            Status.PENDING_APPROVAL,
            Status.AWAITING_DEPOSIT,
            Status.DEPOSIT_PAID,
            Status.BOOKING_PENDING,
            Status.NEEDS_ARTIST_REPLY,
            Status.TOUR_CONVERSION_OFFERED,
            Status.REJECTED,
            Status.ABANDONED,
            Status.STALE,
            Status.REFUNDED,
        }
    ),
    Status.TOUR_CONVERSION_OFFERED: frozenset(
        {
            Status.QUALIFYING,
            Status.PENDING_APPROVAL,
            Status.WAITLISTED,
            Status.NEEDS_ARTIST_REPLY,
            Status.REJECTED,
            Status.ABANDONED,
            Status.STALE,
        }
    ),
    # The artist may decline, or offer times again (back to where the lead was) once freed.
    Status.COLLECTING_TIME_WINDOWS: frozenset(
        {
            Status.NEEDS_ARTIST_REPLY,
            Status.AWAITING_DEPOSIT,
            Status.BOOKING_PENDING,
            Status.REJECTED,
            Status.REFUNDED,
        }
    ),
    # A lapsed deposit request can be sent again, and a late payment still counts (the
    # checkout session may outlive our expiry by minutes).
    Status.DEPOSIT_EXPIRED: frozenset(
        {
            Status.AWAITING_DEPOSIT,
            Status.DEPOSIT_PAID,
            Status.REJECTED,
            Status.ABANDONED,
            Status.STALE,
            Status.REFUNDED,
        }
    ),
    Status.ABANDONED: frozenset({Status.NEW}),
    Status.STALE: frozenset({Status.NEW}),
    Status.OPTOUT: frozenset({Status.NEW}),
    # The artist moves a booking (times offered again) or calls it off.
    Status.BOOKED: frozenset({Status.BOOKING_PENDING, Status.CANCELLED}),
    Status.REJECTED: frozenset(),
    Status.WAITLISTED: frozenset(),
    Status.REFUNDED: frozenset(),
    Status.CANCELLED: frozenset(),
}
# STOP is the client's right at any point, so every status may move to OPTOUT (the reference
# allowed it only from two).
ALLOWED: dict[str, frozenset[str]] = {
    status: targets | ({Status.OPTOUT} if status != Status.OPTOUT else frozenset())
    for status, targets in _TABLE.items()
}
STATUSES = frozenset(ALLOWED)

# Statuses where a run ends: the next message from this contact starts a new enquiry.
FINAL = frozenset(
    {
        Status.OPTOUT,
        Status.ABANDONED,
        Status.WAITLISTED,
        Status.REJECTED,
        Status.BOOKED,
        Status.REFUNDED,
        Status.CANCELLED,
    }
)


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
