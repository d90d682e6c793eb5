"""No lead stuck: leads waiting on the artist go STALE after the configured time (not when the
client has paid) and the client returning is welcomed back; COLLECTING_TIME_WINDOWS tells the
artist, reminds the client, hands the artist what came in, and takes the artist's actions; and
reminders are counted as sent only when they were."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from consultation import artist, delivery, engine
from consultation.lead import Lead, Payment
from tests.core.leads import (
    POLICY,
    Workflow,
    at,
    awaiting_deposit,
    booking_pending,
    client,
    events,
    keys,
    offered,
    pending_approval,
)

DAYS = timedelta(days=1)
FULL = [(at(-24), at(24 * 40))]


def waiting(status: str) -> Lead:
    """An unpaid lead waiting on the artist in `status` since START, its nudges sent."""
    lead = awaiting_deposit()
    lead.status, lead.status_since, lead.artist_nudges = status, at(0), 2
    lead.booking.hold = None
    return lead


@pytest.mark.parametrize(
    "status", ["PENDING_APPROVAL", "NEEDS_FOLLOW_UP", "NEEDS_ARTIST_REPLY", "DEPOSIT_EXPIRED",
               "BOOKING_PENDING"],
)  # fmt: skip
def test_an_unpaid_lead_left_waiting_on_the_artist_goes_stale(status: str) -> None:
    policy = replace(POLICY, stale_after_days=10)
    lead = waiting(status)
    assert engine.remind(lead, at(0) + 10 * DAYS - timedelta(minutes=1), policy).replies == []
    turn = engine.remind(lead, at(0) + 10 * DAYS, policy)
    assert turn.lead.status == "STALE" and "lead.stale" in events(turn)
    assert keys(turn, "artist") == ["artist.stale"] and keys(turn, "client") == []
    assert "went stale after 10 days" in turn.replies[0].text
    assert engine.next_reminder_at(turn.lead, policy) is None


def test_a_paid_lead_never_goes_stale() -> None:
    lead = booking_pending()
    assert lead.deposit is not None and lead.deposit.paid_at is not None
    lead.artist_nudges = len(POLICY.booking_reminder_hours)  # both reminders sent
    assert engine.next_reminder_at(lead, POLICY) is None
    assert engine.remind(lead, at(24 * 60), POLICY).lead.status == "BOOKING_PENDING"


def test_a_client_back_from_stale_is_welcomed_back_and_confirms_their_answers_again() -> None:
    lead = pending_approval()
    nudged = engine.remind(lead, at(72), POLICY).lead  # the one approval nudge
    stale = engine.remind(nudged, at(0) + 14 * DAYS, POLICY).lead
    assert stale.status == "STALE"
    turn = client(stale, "hi, are you still taking bookings?", 24 * 15)
    assert turn.lead.status == "QUALIFYING" and turn.lead.reviewing
    assert turn.lead.answers == lead.answers  # nothing asked twice
    assert keys(turn, "client") == ["summary"]
    assert turn.replies[0].text.startswith("Welcome back! Let's pick up where we left off.")
    again = client(turn.lead, "yes", 24 * 15, choice_id="review_confirm")
    assert again.lead.status == "PENDING_APPROVAL"
    assert keys(again, "artist") != []  # the artist hears of it again


# -- nothing free: collecting the client's preferred times ----------------------------------------


def collecting() -> Lead:
    turn = Workflow(busy=FULL).decide(pending_approval(), "approve", at(0))
    assert turn.lead.status == "COLLECTING_TIME_WINDOWS"
    assert "artist.no_slots" in keys(turn, "artist")
    return turn.lead


def test_the_artist_is_told_when_nothing_is_free_with_the_actions_that_fit() -> None:
    turn = Workflow(busy=FULL).decide(pending_approval(), "approve", at(0))
    notice = next(r for r in turn.replies if r.key == "artist.no_slots")
    assert "no free time" in notice.text
    assert artist.actions_for(turn.lead) == ["offer_times", "reject"]


def test_a_silent_client_is_reminded_once_then_the_artist_gets_the_lead() -> None:
    lead = collecting()
    assert engine.next_reminder_at(lead, POLICY) == at(24)
    turn = engine.remind(lead, at(24), POLICY)
    assert keys(turn, "client") == ["booking.windows.reminder"]
    assert turn.replies[0].template is not None  # their window has shut by now
    assert engine.next_reminder_at(turn.lead, POLICY) == at(72)
    turn = client(turn.lead, "Saturday mornings", 30)  # one of the two
    assert keys(turn, "client") == ["booking.windows.more"]
    # Not reminded again before the wait is over (24 h after their message is 54 h).
    turn = engine.remind(turn.lead, at(54), POLICY)
    assert keys(turn, "client") == ["booking.windows.reminder"]
    turn = engine.remind(turn.lead, at(72), POLICY)
    lead = turn.lead
    assert lead.status == "NEEDS_ARTIST_REPLY" and lead.handover_kind == "time_windows"
    assert lead.handover_from == "AWAITING_DEPOSIT"
    assert "• Saturday mornings" in next(r for r in turn.replies if r.to == "artist").text
    assert artist.actions_for(lead) == ["resume", "reject"]


def test_the_artist_can_decline_while_times_are_collected() -> None:
    turn = artist.decide(collecting(), "reject", at(2), POLICY)
    assert turn.lead.status == "REJECTED" and keys(turn, "client") == ["decision.rejected"]


def test_the_artist_can_offer_times_again_once_some_are_free() -> None:
    turn = Workflow().decide(collecting(), "offer_times", at(2))
    assert turn.lead.status == "AWAITING_DEPOSIT" and turn.lead.handover_from is None
    assert keys(turn, "client") == ["booking.offer.again"]
    assert turn.lead.deposit is not None and turn.lead.deposit.sent_at == at(2)


def test_a_paid_client_offered_times_again_goes_back_to_booking_pending() -> None:
    workflow = Workflow(busy=FULL)
    paid = Payment("evt_w", "paid", None, "pi_w", 15_000)
    turn = workflow.pay(offered(), paid, at(1))
    assert turn.lead.status == "COLLECTING_TIME_WINDOWS"
    workflow.busy = []
    turn = workflow.decide(turn.lead, "offer_times", at(3))
    assert turn.lead.status == "BOOKING_PENDING" and keys(turn, "client") == ["booking.offer.again"]


# -- counting what was sent ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "counted"), [("SENT", 1), ("TEMPLATE", 1), ("SKIPPED", 0), ("FAILED", 0),
                            ("GAVE_UP", 0)],
)  # fmt: skip
def test_a_reminder_counts_as_sent_only_when_it_was(status: str, counted: int) -> None:
    lead = pending_approval()
    sent = [delivery.Sent("artist.approval_nudge", status), delivery.Sent("summary", "SENT")]
    turn = delivery.count(lead, sent, at(72), POLICY)
    assert turn is not None
    assert turn.lead.reminders_delivered.get("artist.approval_nudge", 0) == counted
    assert "summary" not in turn.lead.reminders_delivered  # not a reminder
    not_sent = [e for e in turn.events if e.type == "reminder.not_sent"]
    assert len(not_sent) == 1 - counted
    assert lead.reminders_delivered == {}  # the input is not changed


def test_a_turn_with_no_reminder_changes_nothing() -> None:
    assert delivery.count(pending_approval(), [delivery.Sent("summary", "SKIPPED")], at(1),
                          POLICY) is None  # fmt: skip


def test_a_payment_while_times_are_collected_is_kept_and_booked_later() -> None:
    workflow = Workflow(busy=FULL)
    lead = collecting()
    assert lead.deposit is not None
    paid = Payment("evt_late", "paid", "cs_old", "pi_late", lead.deposit.amount_pence)
    turn = workflow.pay(lead, paid, at(5))
    assert turn.lead.status == "COLLECTING_TIME_WINDOWS"
    assert "payment.while_collecting_time_windows" in events(turn)  # kept, not an error
    assert keys(turn, "artist") == ["artist.payment_waiting"]
    assert engine.next_reminder_at(turn.lead, POLICY) == at(24)  # still asked for times
    workflow.busy = []
    turn = workflow.decide(turn.lead, "offer_times", at(6))
    assert turn.lead.status == "BOOKING_PENDING"  # paid: no second deposit asked
    assert keys(turn, "client") == ["booking.offer.paid"]
    assert workflow.checkouts == 0
