"""Timers after the consultation, through `engine.next_reminder_at` and `engine.remind` as the
workflow uses them: deposit reminders and expiry, the approval nudge, booking reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from consultation import artist, engine
from consultation.lead import Lead, Turn
from tests.core.chat import START
from tests.core.leads import (
    POLICY,
    awaiting_deposit,
    booking_pending,
    events,
    keys,
    link,
    paid,
    pending_approval,
)


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def remind(lead: Lead, hours: float) -> Turn:
    return engine.remind(lead, at(hours), POLICY)


@pytest.mark.parametrize(
    ("build", "due"),
    [(pending_approval, at(72)), (awaiting_deposit, at(24)), (booking_pending, at(1 + 24)),
     (lambda: artist.decide(pending_approval(), "approve", START, POLICY).lead, None)],
)  # fmt: skip
def test_each_status_waits_for_its_own_timer(build, due) -> None:  # type: ignore[no-untyped-def]
    assert engine.next_reminder_at(build(), POLICY) == due


@pytest.mark.parametrize("status", ["BOOKED", "REJECTED", "DEPOSIT_EXPIRED", "NEEDS_ARTIST_REPLY",
                                    "DEPOSIT_PAID", "REFUNDED"])  # fmt: skip
def test_no_timers_where_nothing_is_awaited(status: str) -> None:
    lead = awaiting_deposit()
    lead.status = status
    assert engine.next_reminder_at(lead, POLICY) is None


def test_paying_before_the_first_reminder_removes_it() -> None:
    lead = paid(awaiting_deposit(), hours=3).lead
    assert engine.next_reminder_at(lead, POLICY) == at(3 + 24)  # the artist's, not the client's
    turn = remind(lead, 24)
    assert turn.replies == [] and turn.lead == lead


def test_deposit_reminders_then_expiry() -> None:
    lead = awaiting_deposit()
    assert remind(lead, 23).replies == []

    # 24 h: the 23 h link is dead, so the reminder asks for a fresh one and it goes out as such.
    turn = remind(lead, 24)
    assert turn.replies == [] and "deposit.reminder" in events(turn)
    assert turn.lead.deposit is not None and turn.lead.deposit.reminders_sent == 1
    assert artist.needs_checkout(turn.lead, at(24))
    turn = link(turn.lead, number=2, hours=24)
    assert (
        keys(turn, "client") == ["deposit.reminder"] and "Just a reminder" in turn.replies[0].text
    )
    assert turn.replies[0].template is not None
    assert turn.lead.deposit is not None and turn.lead.deposit.sent_at == START  # expiry kept
    assert engine.next_reminder_at(turn.lead, POLICY) == at(72)

    # 72 h: second reminder; 96 h: the request lapses.
    turn = link(remind(turn.lead, 72).lead, number=3, hours=72)
    assert keys(turn, "client") == ["deposit.reminder"]
    assert "23 hours" in turn.replies[0].text
    assert engine.next_reminder_at(turn.lead, POLICY) == at(96)
    turn = remind(turn.lead, 96)
    assert turn.lead.status == "DEPOSIT_EXPIRED" and "deposit.expired" in events(turn)
    assert keys(turn, "client") == ["deposit.expired"] and keys(turn, "artist") == [
        "artist.deposit_expired"
    ]
    assert turn.replies[0].template is not None
    assert turn.replies[0].template.name == "deposit_expired"
    assert artist.actions_for(turn.lead) == ["send_deposit", "reject"]
    assert engine.next_reminder_at(turn.lead, POLICY) is None


def test_a_reminder_resends_a_link_that_still_works() -> None:
    lead = awaiting_deposit()
    assert lead.deposit is not None
    lead.deposit.expires_at = at(48)
    turn = remind(lead, 24)
    assert keys(turn, "client") == ["deposit.reminder"]
    assert "https://pay.example/cs_1" in turn.replies[0].text
    assert not artist.needs_checkout(turn.lead, at(24))


def test_reminders_missed_during_a_pause_come_as_one() -> None:
    lead = awaiting_deposit()
    turn = remind(lead, 80)  # both reminders overdue, expiry not yet
    assert turn.lead.deposit is not None and turn.lead.deposit.reminders_sent == 2
    assert engine.next_reminder_at(turn.lead, POLICY) == at(96)
    turn = remind(lead, 100)  # everything overdue: expire, no reminder first
    assert turn.lead.status == "DEPOSIT_EXPIRED" and "deposit.reminder" not in events(turn)


def test_a_reminder_is_counted_only_in_the_returned_lead() -> None:
    lead = awaiting_deposit()
    remind(lead, 24)
    assert lead.deposit is not None and lead.deposit.reminders_sent == 0


def test_a_stale_approval_nudges_the_artist_once() -> None:
    lead = pending_approval()
    assert remind(lead, 71).replies == []
    turn = remind(lead, 72)
    assert keys(turn, "artist") == ["artist.approval_nudge"] and keys(turn, "client") == []
    assert "72 hours" in turn.replies[0].text and turn.lead.artist_nudges == 1
    assert lead.artist_nudges == 0
    assert engine.next_reminder_at(turn.lead, POLICY) is None
    assert remind(turn.lead, 200).replies == []


def test_approving_removes_the_approval_nudge() -> None:
    lead = artist.decide(pending_approval(), "approve", at(10), POLICY).lead
    assert engine.next_reminder_at(lead, POLICY) is None  # no link yet: nothing to remind
    assert remind(lead, 72).replies == []


def test_booking_reminders_go_to_the_artist() -> None:
    lead = booking_pending()  # paid at 1 h
    turn = remind(lead, 25)
    assert keys(turn, "artist") == ["artist.booking_reminder"] and keys(turn, "client") == []
    assert engine.next_reminder_at(turn.lead, POLICY) == at(73)
    turn = remind(turn.lead, 73)
    assert (
        keys(turn, "artist") == ["artist.booking_reminder"] and "72 hours" in turn.replies[0].text
    )
    assert engine.next_reminder_at(turn.lead, POLICY) is None


def test_marking_booked_removes_the_booking_reminders() -> None:
    lead = artist.decide(booking_pending(), "mark_booked", at(2), POLICY).lead
    assert engine.next_reminder_at(lead, POLICY) is None


def test_a_due_timer_always_moves_the_next_one_on() -> None:
    """The workflow sleeps until next_reminder_at, then calls remind: it must never spin."""
    for lead in (pending_approval(), awaiting_deposit(), booking_pending()):
        for _ in range(6):
            due = engine.next_reminder_at(lead, POLICY)
            if due is None:
                break
            turn = engine.remind(lead, due, POLICY)
            if artist.needs_checkout(turn.lead, due):
                turn = artist.deposit_link(turn.lead, "cs", "https://x", due + timedelta(hours=23),
                                           due, POLICY)  # fmt: skip
            assert engine.next_reminder_at(turn.lead, POLICY) != due
            lead = turn.lead
        assert engine.next_reminder_at(lead, POLICY) is None
