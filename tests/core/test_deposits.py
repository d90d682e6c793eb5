"""Deposits and payments: the locked amount, the link message for a held slot, and what each
payment event does, including the ones nobody was waiting for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from consultation import artist, booking, engine
from consultation.lead import Deposit, Lead, Payment
from consultation.terms import deposit_terms
from tests.core.chat import START
from tests.core.leads import (
    POLICY,
    Workflow,
    approved,
    at,
    awaiting_deposit,
    book,
    booked,
    booking_pending,
    client,
    deposit_paid,
    events,
    hold,
    keys,
    link,
    offer,
    offered,
    paid,
)


@pytest.mark.parametrize(
    ("parsed", "placement", "deposit"),
    [
        ({"area_cm2": 40.0, "region": "UK"}, "forearm", 15_000),  # SMALL
        ({"area_cm2": 100.0, "region": "UK"}, "forearm", 15_000),  # MEDIUM
        ({"area_cm2": 200.0, "region": "UK"}, "forearm", 20_000),  # LARGE
        ({"area_cm2": 320.0, "region": "UK"}, "forearm", 30_000),  # XL, 1.5 days
        ({"area_cm2": 400.0, "region": "UK"}, "forearm", 40_000),  # XL, 2 days
        ({"area_cm2": 800.0, "complexity": 3, "coverup": True, "region": "UK"}, "ribs", 80_000),
        ({"area_cm2": 40.0, "region": "EUROPE"}, "forearm", 15_000),  # region sets the minimum
        ({"area_cm2": 200.0, "region": "ROW"}, "forearm", 20_000),  # budget, not the deposit
        ({"area_cm2": 400.0}, "forearm", 40_000),  # unknown region
    ],
)
def test_the_deposit_follows_category_and_xl_days(
    parsed: dict[str, object], placement: str, deposit: int
) -> None:
    lead = Lead(lead_id="x", status="PENDING_APPROVAL", parsed=parsed,  # type: ignore[arg-type]
                answers={"placement": placement})  # fmt: skip
    turn = artist.decide(lead, "approve", START, POLICY)
    assert turn.lead.deposit is not None and turn.lead.deposit.amount_pence == deposit


def test_the_locked_amount_is_kept_when_the_estimate_changes() -> None:
    lead = approved()
    assert lead.estimate is not None
    lead.estimate.deposit_pence = 99_900
    turn = offer(lead)
    assert "£150 deposit" in turn.replies[0].text
    lead = hold(client(turn.lead, "1").lead).lead
    assert "£150" in link(lead).replies[0].text


# -- the link -----------------------------------------------------------------------------------


def test_the_link_for_a_held_slot_tells_the_client_everything() -> None:
    lead = hold(client(offered(), "1").lead).lead
    assert booking.needs_checkout(lead)
    turn = link(lead)
    message = turn.replies[0]
    assert (message.to, message.key) == ("client", "deposit.link")
    assert message.text.startswith("Great choice!") and "£150 deposit" in message.text
    assert "I'm holding Fri 2 May, 1:00pm–4:00pm for you until 2:00pm" in message.text
    assert "https://pay.example/cs_1" in message.text and deposit_terms(POLICY) in message.text
    assert message.template is not None and message.template.name == "deposit_link"
    # The link lives as long as the hold: an hour.
    assert message.template.params == ("Sam", "£150", "https://pay.example/cs_1", "60 minutes")
    deposit = turn.lead.deposit
    assert deposit is not None and (deposit.attempt, deposit.session_id) == (1, "cs_1")
    assert deposit.expires_at == at(1) and deposit.sent_at == START  # the offer's round
    held_slot = turn.lead.booking.hold
    assert held_slot is not None and held_slot.session_id == "cs_1"
    assert not booking.needs_checkout(turn.lead)
    assert booking.next_need(turn.lead, START, POLICY) is None


@pytest.mark.parametrize(
    ("hold_minutes", "expires"), [(30, "30 minutes"), (90, "90 minutes"), (180, "3 hours")]
)
def test_the_link_says_how_long_the_hold_lasts(hold_minutes: int, expires: str) -> None:
    policy = replace(POLICY, hold_minutes=hold_minutes)
    lead = hold(client(offered(), "1", policy=policy).lead, policy=policy).lead
    assert lead.booking.hold is not None
    assert lead.booking.hold.expires_at == START + timedelta(minutes=hold_minutes)
    turn = link(lead, policy=policy)
    assert turn.replies[0].template is not None
    assert turn.replies[0].template.params[-1] == expires


def test_pence_show_only_when_there_are_some() -> None:
    lead = approved()
    lead.deposit = Deposit(amount_pence=12_345, rule_version="2026-11")
    turn = offer(lead)
    assert "£123.45 deposit" in turn.replies[0].text
    assert "£123.45" in link(hold(client(turn.lead, "1").lead).lead).replies[0].text


def test_a_link_for_a_lead_that_moved_on_is_not_sent() -> None:
    turn = artist.deposit_link(booking_pending(), "cs_9", "https://x", START, START, POLICY)
    assert turn.replies == [] and events(turn) == ["deposit.link_unused"]


def test_a_link_for_a_hold_given_up_is_not_sent() -> None:
    lead = hold(client(offered(), "1").lead).lead
    gave_up = client(lead, "other times please", 0.1).lead
    assert gave_up.booking.hold is None
    turn = artist.deposit_link(gave_up, "cs_9", "https://x", at(1), at(0.1), POLICY)
    assert turn.replies == [] and events(turn) == ["deposit.link_unused"]
    assert turn.lead.deposit is not None and turn.lead.deposit.session_id is None


def test_a_client_writing_while_a_slot_is_held_is_reminded_of_it_once_per_cooldown() -> None:
    # Picked at 5.5 h, held until 6.5 h; by 6 h the cooldown since they were told the artist
    # would review has passed.
    lead = link(hold(client(offered(), "1", 5.5).lead, hours=5.5).lead, hours=5.5).lead
    turn = client(lead, "ok thanks", 6)
    assert keys(turn, "client") == ["booking.hold_reply"]
    assert "I'm holding Fri 2 May, 1:00pm–4:00pm for you until 7:30pm" in turn.replies[0].text
    assert turn.lead.last_status_reply_at == at(6) and turn.lead.booking == lead.booking
    assert client(turn.lead, "great", 6.25).replies == []


def test_a_client_writing_with_nothing_on_offer_is_offered_the_times() -> None:
    """The old "dead link renewed by a message" is now: no times on offer (the calendar could
    not be read) and the client writes, so the calendar is tried again."""
    lead = approved()
    failed = booking.calendar_failed(lead, "timeout", START, POLICY)
    assert keys(failed, "client") == ["booking.calendar_down"]
    assert keys(failed, "artist") == ["artist.calendar_down"]
    assert booking.next_need(failed.lead, START, POLICY) is None
    turn = client(failed.lead, "any news?", 2)
    assert turn.replies == [] and turn.lead.booking.intro == "again"
    assert keys(offer(turn.lead, 2), "client") == ["booking.offer.again"]


# -- payments -----------------------------------------------------------------------------------


def test_paying_for_a_held_slot_books_it_and_tells_both_with_the_date() -> None:
    turn = paid(awaiting_deposit())
    lead, deposit = turn.lead, turn.lead.deposit
    assert lead.status == "DEPOSIT_PAID" and deposit is not None
    assert (deposit.paid_pence, deposit.payment_intent) == (15_000, "pi_evt_1")
    # Nobody is told yet: the confirmation comes with the date once the slot is booked.
    assert turn.replies == []
    statuses = [e.detail["to"] for e in turn.events if e.type == "lead.status"]
    assert statuses == ["DEPOSIT_PAID"]
    assert isinstance(booking.next_need(lead, at(0.5), POLICY), booking.BookHold)
    done = book(lead)
    assert done.lead.status == "BOOKED"
    assert keys(done, "client") == ["booking.confirmed"] and keys(done, "artist") == [
        "artist.booked"
    ]
    confirmation = done.replies[0]
    assert "£150" in confirmation.text and deposit_terms(POLICY) in confirmation.text
    assert "Fri 2 May, 1:00pm–4:00pm (BST)" in confirmation.text


@pytest.mark.parametrize("again", ["same event", "same payment"])
def test_a_redelivered_payment_changes_nothing(again: str) -> None:
    first = paid(awaiting_deposit())
    payment = Payment("evt_1" if again == "same event" else "evt_2", "paid", "cs_1", "pi_evt_1",
                      15_000)  # fmt: skip
    turn = artist.apply_payment(first.lead, payment, START, POLICY)
    assert turn.replies == [] and turn.events == [] and turn.lead == first.lead


def test_a_different_amount_is_still_paid_and_flagged() -> None:
    turn = paid(awaiting_deposit(), amount=10_000)
    assert turn.lead.status == "DEPOSIT_PAID"
    assert turn.lead.deposit is not None and turn.lead.deposit.paid_pence == 10_000
    mismatch = next(e for e in turn.events if e.type == "payment.mismatch")
    assert mismatch.level == "WARN" and mismatch.detail["expected_pence"] == "15000"
    assert keys(turn, "artist") == ["artist.deposit_received"]
    assert "paid £100, but the deposit asked for was £150" in turn.replies[-1].text
    done = book(turn.lead)
    assert done.lead.status == "BOOKED" and "Deposit paid: £100" in done.replies[0].text


def test_payment_with_no_slot_held_lets_the_client_pick_one() -> None:
    lead = offered()  # times on offer, none picked
    turn = paid(lead, session=None)
    assert turn.lead.status == "BOOKING_PENDING" and keys(turn, "client") == []
    assert keys(turn, "artist") == ["artist.deposit_paid"]
    assert "picking a time" in turn.replies[0].text
    again = offer(turn.lead, 0.5)
    assert keys(again, "client") == ["booking.offer.paid"]
    assert "your deposit of £150 is paid" in again.replies[0].text


def test_payment_after_expiry_still_counts() -> None:
    expired = engine.remind(offered(), at(96), POLICY).lead
    assert expired.status == "DEPOSIT_EXPIRED"
    turn = paid(expired, hours=97, session=None)
    assert turn.lead.status == "BOOKING_PENDING"
    assert keys(turn, "artist") == ["artist.deposit_paid"]
    assert isinstance(booking.next_need(turn.lead, at(97), POLICY), booking.FindTimes)
    assert keys(offer(turn.lead, 97), "client") == ["booking.offer.paid"]


@pytest.mark.parametrize("status", ["PENDING_APPROVAL", "NEEDS_FOLLOW_UP", "NEEDS_ARTIST_REPLY"])
def test_payment_while_the_artist_decides_is_kept_and_the_artist_asked(status: str) -> None:
    turn = paid(replace(offered(), status=status))
    assert turn.lead.status == status
    assert turn.lead.deposit is not None and turn.lead.deposit.paid_at is not None
    assert f"payment.while_{status.lower()}" in events(turn)
    assert keys(turn, "client") == ["payment.received"] and "£150" in turn.replies[-1].text
    assert keys(turn, "artist") == ["artist.payment_waiting"]
    assert "refund the payment in Stripe" in turn.replies[0].text


@pytest.mark.parametrize(
    ("status", "state"),
    [("REJECTED", "it was rejected"), ("BOOKED", "it is already booked"),
     ("QUALIFYING", "the client is still answering the questions")],
)  # fmt: skip
def test_an_unexpected_payment_is_recorded_and_never_lost(status: str, state: str) -> None:
    lead = replace(offered(), status=status)
    turn = paid(lead)
    event = next(e for e in turn.events if e.type == "payment.unexpected")
    assert event.level == "ERROR" and event.detail["payment_intent"] == "pi_evt_1"
    assert turn.lead.status == status and "paid:pi_evt_1" in turn.lead.payments
    assert turn.lead.deposit is not None and turn.lead.deposit.paid_pence == 15_000
    assert keys(turn, "artist") == ["artist.payment_unexpected"]
    assert f"paid £150, but {state}" in turn.replies[0].text
    assert keys(turn, "client") == ["payment.received"]


@pytest.mark.parametrize(
    ("intent", "again_intent"),
    [(None, None), ("pi_1", None), (None, "pi_1"), ("pi_1", "pi_1")],
)
def test_a_new_paid_event_for_a_paid_session_changes_nothing(
    intent: str | None, again_intent: str | None
) -> None:
    first = artist.apply_payment(awaiting_deposit(), Payment("evt_1", "paid", "cs_1", intent,
                                 15_000), at(0.5), POLICY)  # fmt: skip
    assert first.lead.status == "DEPOSIT_PAID"
    # Stripe sends another "paid" for the same Checkout Session under a new event id (e.g. an
    # async_payment_succeeded after a paid completion), not always with the PaymentIntent.
    again = Payment("evt_2", "paid", "cs_1", again_intent, 15_000)
    turn = artist.apply_payment(first.lead, again, at(1), POLICY)
    assert turn.replies == [] and turn.events == [] and turn.lead == first.lead


@pytest.mark.parametrize("build", [booking_pending, deposit_paid, booked])
def test_a_second_payment_for_a_paid_deposit_is_unexpected(build: Callable[[], Lead]) -> None:
    lead = build()
    # Another Checkout Session paid as well (a second link used): a real second payment.
    turn = paid(lead, event="evt_2", hours=1, session="cs_2")
    assert turn.lead.status == lead.status and "payment.unexpected" in events(turn)
    assert turn.lead.deposit is not None and turn.lead.deposit.payment_intent == "pi_evt_1"
    assert turn.lead.booking == lead.booking


def test_pending_payment_is_acknowledged() -> None:
    payment = Payment("evt_p", "pending", "cs_1", "pi_1", 15_000)
    turn = artist.apply_payment(awaiting_deposit(), payment, START, POLICY)
    assert turn.lead.status == "AWAITING_DEPOSIT" and keys(turn, "client") == ["payment.pending"]


def test_failed_payment_makes_a_fresh_link_for_the_same_hold() -> None:
    lead = awaiting_deposit()
    payment = Payment("evt_f", "failed", "cs_1", "pi_1", 15_000)
    turn = artist.apply_payment(lead, payment, at(0.25), POLICY)
    assert keys(turn, "client") == ["payment.failed"] and booking.needs_checkout(turn.lead)
    assert turn.lead.booking.hold == lead.booking.hold  # the slot stays held
    fresh = link(turn.lead, number=2, hours=0.25)
    assert keys(fresh, "client") == ["deposit.link"]
    assert "https://pay.example/cs_2" in fresh.replies[0].text
    assert fresh.lead.deposit is not None and fresh.lead.deposit.attempt == 2
    assert fresh.lead.deposit.expires_at == at(1)  # still the hold's end
    assert fresh.lead.booking.hold is not None and fresh.lead.booking.hold.session_id == "cs_2"


def test_an_old_sessions_failure_is_ignored() -> None:
    lead = awaiting_deposit()
    payment = Payment("evt_f", "failed", "cs_0", "pi_1", 15_000)
    turn = artist.apply_payment(lead, payment, at(0.25), POLICY)
    assert turn.replies == [] and turn.lead.deposit == lead.deposit


def test_an_expired_session_is_noted_without_a_message() -> None:
    lead = awaiting_deposit()
    payment = Payment("evt_e", "expired", "cs_1", None, None)
    early = at(0.75)  # Stripe closed the session before the hold's own end
    turn = artist.apply_payment(lead, payment, early, POLICY)
    assert turn.replies == [] and not booking.needs_checkout(turn.lead)
    assert turn.lead.deposit is not None and turn.lead.deposit.expires_at == early
    assert booking.next_need(turn.lead, early, POLICY) is None
    # The hold's own timer lets it go and offers the times again.
    lapsed = Workflow().remind(turn.lead, at(1))
    assert keys(lapsed, "client") == ["booking.offer.lapsed"]


def test_an_expired_old_session_is_ignored() -> None:
    lead = awaiting_deposit()
    turn = artist.apply_payment(lead, Payment("e", "expired", "cs_0", None, None), START, POLICY)
    assert turn.lead.deposit == lead.deposit


@pytest.mark.parametrize(
    ("build", "refunded", "status"),
    [(booking_pending, 15_000, "REFUNDED"), (booking_pending, 5_000, "BOOKING_PENDING"),
     (booked, 15_000, "BOOKED"),
     (lambda: replace(booking_pending(), status="REJECTED"), 15_000, "REJECTED")],
)  # fmt: skip
def test_refunds_are_recorded_and_a_whole_refund_closes_the_lead(
    build: Callable[[], Lead], refunded: int, status: str
) -> None:
    lead = build()
    payment = Payment("evt_r", "refunded", "cs_1", "pi_evt_1", refunded)
    turn = artist.apply_payment(lead, payment, START, POLICY)
    assert turn.lead.status == status and "payment.refunded" in events(turn)
    assert turn.lead.deposit is not None and turn.lead.deposit.refunded_pence == refunded
    assert keys(turn, "artist") == ["artist.refunded"] and keys(turn, "client") == []


def test_partial_refunds_add_up_whatever_the_order() -> None:
    lead = booking_pending()
    for event, total in [("r2", 10_000), ("r1", 5_000), ("r3", 15_000)]:
        payment = Payment(event, "refunded", "cs_1", "pi_evt_1", total)
        lead = artist.apply_payment(lead, payment, START, POLICY).lead
    assert lead.deposit is not None and lead.deposit.refunded_pence == 15_000
    assert lead.status == "REFUNDED"


def test_ignored_events_change_nothing() -> None:
    lead = awaiting_deposit()
    turn = artist.apply_payment(lead, Payment("x", "ignored", None, None, None), START, POLICY)
    assert turn.lead == lead and turn.events == []
