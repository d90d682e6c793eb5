"""Timers after the consultation, through `engine.next_reminder_at` and `engine.remind` as the
workflow uses them: a held slot's end, deposit reminders and expiry, the approval nudge,
booking reminders to the artist, and a booked client's appointment reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consultation import artist, booking, engine
from consultation.lead import Lead, Turn
from tests.core.chat import START
from tests.core.leads import (
    POLICY,
    Workflow,
    approved,
    at,
    awaiting_deposit,
    booked,
    booking_pending,
    client,
    events,
    hold,
    keys,
    link,
    offered,
    paid,
    pending_approval,
)


def remind(lead: Lead, hours: float) -> Turn:
    return engine.remind(lead, at(hours), POLICY)


@pytest.mark.parametrize(
    ("build", "due"),
    [(pending_approval, at(72)), (offered, at(24)), (awaiting_deposit, at(1)),
     (booking_pending, at(0.5 + 24)), (approved, None)],
)  # fmt: skip
def test_each_status_waits_for_its_own_timer(build, due) -> None:  # type: ignore[no-untyped-def]
    assert engine.next_reminder_at(build(), POLICY) == due


# DEPOSIT_EXPIRED and NEEDS_ARTIST_REPLY wait on the artist: they go stale (test_waiting.py).
@pytest.mark.parametrize("status", ["BOOKED", "REJECTED", "DEPOSIT_PAID", "REFUNDED"])
def test_no_timers_where_nothing_is_awaited(status: str) -> None:
    lead = awaiting_deposit()
    lead.status = status
    assert engine.next_reminder_at(lead, POLICY) is None


def test_paying_before_the_hold_ends_removes_the_client_timers() -> None:
    lead = paid(awaiting_deposit(), hours=0.5).lead
    assert engine.next_reminder_at(lead, POLICY) is None  # DEPOSIT_PAID: booked next
    turn = remind(lead, 24)
    assert turn.replies == [] and turn.lead == lead


def test_deposit_reminders_offer_the_times_again_then_the_request_expires() -> None:
    workflow = Workflow()
    lead = offered()  # the round of asking starts with the offer at START
    assert remind(lead, 23).replies == []

    # 24 h: nothing held, so the reminder is the free times as they are now.
    turn = workflow.remind(lead, at(24))
    assert keys(turn, "client") == ["booking.offer.reminder"] and "deposit.reminder" in events(turn)
    assert "Just a reminder" in turn.replies[0].text
    assert turn.replies[0].template is not None
    assert turn.replies[0].template.name == "booking_times"
    assert turn.lead.deposit is not None and turn.lead.deposit.reminders_sent == 1
    assert turn.lead.deposit.sent_at == START  # expiry kept
    assert engine.next_reminder_at(turn.lead, POLICY) == at(72)

    # 72 h: second reminder; 96 h: the request lapses.
    turn = workflow.remind(turn.lead, at(72))
    assert keys(turn, "client") == ["booking.offer.reminder"]
    assert engine.next_reminder_at(turn.lead, POLICY) == at(96)
    turn = workflow.remind(turn.lead, at(96))
    assert turn.lead.status == "DEPOSIT_EXPIRED" and "deposit.expired" in events(turn)
    assert keys(turn, "client") == ["deposit.expired"] and keys(turn, "artist") == [
        "artist.deposit_expired"
    ]
    assert turn.replies[0].template is not None
    assert turn.replies[0].template.name == "deposit_expired"
    assert turn.lead.booking.offered == []  # a late "2" picks nothing
    assert artist.actions_for(turn.lead) == ["send_deposit", "reject"]
    assert engine.next_reminder_at(turn.lead, POLICY) == at(96) + timedelta(days=14)  # stale


def test_a_held_slot_lapses_after_the_hold_and_fresh_times_follow() -> None:
    workflow = Workflow()
    lead = awaiting_deposit()
    hold_ = lead.booking.hold
    assert hold_ is not None and hold_.expires_at == at(1)
    assert remind(lead, 0.9).replies == []
    turn = remind(lead, 1)
    assert "booking.hold_lapsed" in events(turn) and turn.replies == []
    assert turn.lead.booking.hold is None and turn.lead.booking.lapsed == [hold_]
    assert turn.lead.deposit is not None and turn.lead.deposit.url is None
    need = booking.next_need(turn.lead, at(1), POLICY)
    assert isinstance(need, booking.ReleaseHold) and need.hold == hold_
    turn = workflow.run(turn, at(1))
    assert keys(turn, "client") == ["booking.offer.lapsed"]
    assert "has been released" in turn.replies[0].text
    # The deposit round goes on: reminders still count from the first offer.
    assert engine.next_reminder_at(turn.lead, POLICY) == at(24)


def test_a_reminder_resends_the_link_of_a_held_slot() -> None:
    # The latest time picked at 23.5 h: held (and its link valid) until 24.5 h.
    lead = link(hold(client(offered(), "8", 23.5).lead, hours=23.5).lead, hours=23.5).lead
    assert engine.next_reminder_at(lead, POLICY) == at(24)
    turn = remind(lead, 24)
    assert keys(turn, "client") == ["deposit.reminder"]
    assert "Just a reminder" in turn.replies[0].text
    assert "https://pay.example/cs_1" in turn.replies[0].text
    assert turn.replies[0].template is not None
    assert turn.replies[0].template.name == "deposit_link"
    assert turn.lead.booking == lead.booking
    assert booking.next_need(turn.lead, at(24), POLICY) is None


def test_reminders_missed_during_a_pause_come_as_one() -> None:
    lead = offered()
    turn = remind(lead, 80)  # both reminders overdue, expiry not yet
    assert turn.lead.deposit is not None and turn.lead.deposit.reminders_sent == 2
    assert events(turn).count("deposit.reminder") == 1
    assert engine.next_reminder_at(turn.lead, POLICY) == at(96)
    turn = remind(lead, 100)  # everything overdue: expire, no reminder first
    assert turn.lead.status == "DEPOSIT_EXPIRED" and "deposit.reminder" not in events(turn)


def test_a_reminder_is_counted_only_in_the_returned_lead() -> None:
    lead = offered()
    remind(lead, 24)
    assert lead.deposit is not None and lead.deposit.reminders_sent == 0


def test_a_stale_approval_nudges_the_artist_once() -> None:
    lead = pending_approval()
    assert remind(lead, 71).replies == []
    turn = remind(lead, 72)
    assert keys(turn, "artist") == ["artist.approval_nudge"] and keys(turn, "client") == []
    assert "72 hours" in turn.replies[0].text and turn.lead.artist_nudges == 1
    assert lead.artist_nudges == 0
    # No second nudge: the next timer is the lead going stale (tests/core/test_waiting.py).
    assert engine.next_reminder_at(turn.lead, POLICY) == at(0) + timedelta(days=14)
    assert remind(turn.lead, 200).replies == []


def test_approving_removes_the_approval_nudge() -> None:
    lead = approved(hours=10)
    assert engine.next_reminder_at(lead, POLICY) is None  # no times offered yet
    assert remind(lead, 72).replies == []


def test_booking_reminders_go_to_the_artist() -> None:
    lead = booking_pending()  # since 0.5 h
    turn = remind(lead, 24.5)
    assert keys(turn, "artist") == ["artist.booking_reminder"] and keys(turn, "client") == []
    assert engine.next_reminder_at(turn.lead, POLICY) == at(72.5)
    turn = remind(turn.lead, 72.5)
    assert (
        keys(turn, "artist") == ["artist.booking_reminder"] and "72 hours" in turn.replies[0].text
    )
    assert engine.next_reminder_at(turn.lead, POLICY) is None


def test_marking_booked_removes_the_booking_reminders() -> None:
    lead = artist.decide(booking_pending(), "mark_booked", at(2), POLICY).lead
    assert engine.next_reminder_at(lead, POLICY) is None
    assert engine.finished(lead, POLICY)  # no booked slot to wait for


def test_a_booked_lead_waits_for_its_appointment_to_end() -> None:
    lead = booked()  # 1:00pm–4:00pm BST on 2 May, booked at 0.5 h: both reminders already due
    slot = lead.booking.slot
    assert slot is not None and lead.booking.reminders_sent == 2
    assert engine.next_reminder_at(lead, POLICY) == slot.end
    assert not engine.finished(lead, POLICY)
    turn = engine.remind(lead, slot.end, POLICY)
    assert turn.replies == [] and "booking.appointment_over" in events(turn)
    assert engine.next_reminder_at(turn.lead, POLICY) is None and engine.finished(turn.lead, POLICY)


def test_a_due_timer_always_moves_the_next_one_on() -> None:
    """The workflow sleeps until next_reminder_at, then calls remind: it must never spin."""
    workflow = Workflow()
    for lead in (pending_approval(), offered(), awaiting_deposit(), booking_pending(), booked()):
        for _ in range(8):
            due = engine.next_reminder_at(lead, POLICY)
            if due is None:
                break
            turn = workflow.remind(lead, due)
            assert engine.next_reminder_at(turn.lead, POLICY) != due
            lead = turn.lead
        assert engine.next_reminder_at(lead, POLICY) is None
