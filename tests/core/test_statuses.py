"""The status machine: legal moves only, OPTOUT from anywhere, and where a run ends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from consultation.lead import Lead
from consultation.statuses import ALLOWED, STATUSES, can_transition, is_final, transition

NOW = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "to"),
    [("NEW", "QUALIFYING"), ("QUALIFYING", "PENDING_APPROVAL"),
     ("QUALIFYING", "NEEDS_ARTIST_REPLY"),
     ("QUALIFYING", "TOUR_CONVERSION_OFFERED"), ("TOUR_CONVERSION_OFFERED", "WAITLISTED"),
     ("PENDING_APPROVAL", "AWAITING_DEPOSIT"), ("NEEDS_ARTIST_REPLY", "QUALIFYING"),
     ("NEEDS_FOLLOW_UP", "PENDING_APPROVAL"), ("OPTOUT", "NEW"), ("ABANDONED", "NEW"),
     ("DEPOSIT_EXPIRED", "AWAITING_DEPOSIT"), ("DEPOSIT_EXPIRED", "DEPOSIT_PAID"),
     ("DEPOSIT_PAID", "BOOKED"), ("BOOKING_PENDING", "REFUNDED"),
     ("AWAITING_DEPOSIT", "REFUNDED")],
)  # fmt: skip
def test_allowed_moves_change_the_status(start: str, to: str) -> None:
    lead = Lead(status=start, artist_nudges=1)
    transition(lead, to, NOW)
    assert lead.status == to
    assert lead.status_since == NOW and lead.artist_nudges == 0  # per-status timers restart


@pytest.mark.parametrize(
    ("start", "to"),
    [("NEW", "PENDING_APPROVAL"), ("BOOKED", "QUALIFYING"), ("REJECTED", "PENDING_APPROVAL"),
     ("WAITLISTED", "PENDING_APPROVAL"), ("OPTOUT", "QUALIFYING"), ("QUALIFYING", "QUALIFYING"),
     ("QUALIFYING", "NOT_A_STATUS"), ("NOT_A_STATUS", "QUALIFYING"),
     ("BOOKED", "REFUNDED"), ("REJECTED", "REFUNDED"), ("REFUNDED", "AWAITING_DEPOSIT")],
)  # fmt: skip
def test_illegal_moves_raise_and_leave_the_lead_alone(start: str, to: str) -> None:
    lead = Lead(status=start)
    with pytest.raises(ValueError, match="Invalid status transition"):
        transition(lead, to, NOW)
    assert lead.status == start and lead.status_since is None


@pytest.mark.parametrize("status", sorted(STATUSES - {"OPTOUT"}))
def test_opt_out_is_allowed_from_every_status(status: str) -> None:
    assert can_transition(status, "OPTOUT")


def test_final_statuses_end_a_run() -> None:
    assert {s for s in STATUSES if is_final(s)} == {
        "OPTOUT", "ABANDONED", "WAITLISTED", "REJECTED", "BOOKED", "REFUNDED", "CANCELLED",
    }  # fmt: skip


def test_every_target_is_a_known_status() -> None:
    assert all(targets <= STATUSES for targets in ALLOWED.values())
