"""What a booking step given up on means (consultation/failures.py), one row per kind of need:
the lead's status after, what the client and the artist are told, and what is needed next."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy

import pytest

from consultation import artist, booking, failures
from consultation.lead import Lead
from tests.core.leads import (
    POLICY,
    approved,
    at,
    book,
    booked,
    client,
    deposit_paid,
    events,
    held,
    keys,
    offered,
)

NOW = at(1)


def picked() -> Lead:
    return client(offered(), "1").lead


def cancelled() -> Lead:
    return artist.decide(booked(), "cancel_booking", NOW, POLICY).lead


def slot_lost() -> Lead:
    return book(deposit_paid(), ok=False).lead


# need, the lead it is next for, status after, events, client keys, artist keys, need after
TABLE = [
    (
        booking.FindTimes,
        approved,
        "AWAITING_DEPOSIT",
        ["booking.calendar_failed"],
        ["booking.calendar_down"],
        ["artist.calendar_down"],
        None,
    ),
    (
        booking.PlaceHold,
        picked,
        "AWAITING_DEPOSIT",
        ["booking.calendar_failed"],
        ["booking.calendar_down"],
        ["artist.calendar_down"],
        None,
    ),
    (
        booking.MakeCheckout,
        held,
        "AWAITING_DEPOSIT",
        ["booking.hold_given_up", "deposit.checkout_failed"],
        ["deposit.checkout_down"],
        ["artist.checkout_down"],
        booking.ReleaseHold,  # nobody can pay for the held time: it is let go
    ),
    (
        booking.BookHold,
        deposit_paid,
        "BOOKING_PENDING",
        ["booking.failed", "lead.status", "booking.slot_lost"],
        ["booking.slot_lost"],
        ["artist.slot_lost"],
        booking.ReleaseHold,
    ),
    (
        booking.CancelBooking,
        cancelled,
        "CANCELLED",
        ["booking.take_out_failed"],
        [],
        ["artist.take_out_failed"],  # free in our records, still in the calendar
        None,
    ),
]


@pytest.mark.parametrize(
    ("kind", "lead_at", "status", "event_types", "client_keys", "artist_keys", "then"),
    TABLE,
    ids=[row[0].__name__ for row in TABLE],
)
def test_a_step_given_up_on_is_told_and_the_lead_goes_on(
    kind: type,
    lead_at: Callable[[], Lead],
    status: str,
    event_types: list[str],
    client_keys: list[str],
    artist_keys: list[str],
    then: type | None,
) -> None:
    lead = lead_at()
    need = booking.next_need(lead, NOW, POLICY)
    assert need is not None and isinstance(need, kind), need
    before = deepcopy(lead)
    turn = failures.failed(lead, need, "503 from the provider", NOW, POLICY)
    assert turn is not None
    assert lead == before  # the core never changes its input
    assert turn.lead.status == status
    assert events(turn) == event_types
    assert keys(turn, "client") == client_keys
    assert keys(turn, "artist") == artist_keys
    after = booking.next_need(turn.lead, NOW, POLICY)
    assert (None if after is None else type(after)) is then


@pytest.mark.parametrize(
    "lead_at", [approved, picked, held, deposit_paid, cancelled], ids=lambda f: f.__name__
)
def test_the_reason_reaches_the_record(lead_at: Callable[[], Lead]) -> None:
    lead = lead_at()
    need = booking.next_need(lead, NOW, POLICY)
    assert need is not None
    turn = failures.failed(lead, need, "CalendarError: 403 forbidden", NOW, POLICY)
    assert turn is not None
    details = [event.detail.get("error") or event.detail.get("reason") for event in turn.events]
    assert "CalendarError: 403 forbidden" in details


def test_releasing_a_hold_is_never_given_up_on() -> None:
    lead = slot_lost()
    need = booking.next_need(lead, NOW, POLICY)
    assert isinstance(need, booking.ReleaseHold), need
    assert failures.failed(lead, need, "connection refused", NOW, POLICY) is None
