"""Deposits and payments: the locked amount, the link message, and what each payment event
does, including the ones nobody was waiting for."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from consultation import artist, engine
from consultation.lead import Deposit, Lead, Payment
from consultation.messages import Inbound
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
    lead = artist.decide(pending_approval(), "approve", START, POLICY).lead
    assert lead.estimate is not None
    lead.estimate.deposit_pence = 99_900
    assert "£150" in link(lead).replies[0].text


# -- the link -----------------------------------------------------------------------------------


def test_the_first_link_tells_the_client_everything() -> None:
    lead = artist.decide(pending_approval(), "approve", START, POLICY).lead
    turn = link(lead)
    message = turn.replies[0]
    assert (message.to, message.key) == ("client", "deposit.link")
    assert "Great news" in message.text and "£150 " in message.text
    assert "https://pay.example/cs_1" in message.text and "secures your booking" in message.text
    assert "23 hours" in message.text and POLICY.deposit_policy in message.text
    assert message.template is not None and message.template.name == "deposit_link"
    assert message.template.params == ("Sam", "£150", "https://pay.example/cs_1", "23 hours")
    deposit = turn.lead.deposit
    assert deposit is not None and (deposit.attempt, deposit.session_id) == (1, "cs_1")
    assert deposit.sent_at == START and not artist.needs_checkout(turn.lead, START)


def test_pence_show_only_when_there_are_some() -> None:
    lead = artist.decide(pending_approval(), "approve", START, POLICY).lead
    lead.deposit = Deposit(amount_pence=12_345, rule_version="2026-11")
    assert "£123.45" in link(lead).replies[0].text


def test_a_link_for_a_lead_that_moved_on_is_not_sent() -> None:
    lead = booking_pending()
    turn = artist.deposit_link(lead, "cs_9", "https://x", START, START, POLICY)
    assert turn.replies == [] and events(turn) == ["deposit.link_unused"]


def test_a_client_writing_with_a_dead_link_gets_a_fresh_one() -> None:
    lead = awaiting_deposit()
    later = START + timedelta(hours=30)
    turn = engine.handle(lead, Inbound("m", 0, text="the link doesn't work"), later, POLICY)
    assert turn.replies == [] and artist.needs_checkout(turn.lead, later)
    soon = START + timedelta(hours=7)  # link still good, hold cooldown over
    turn = engine.handle(lead, Inbound("m", 0, text="ok thanks"), soon, POLICY)
    assert [r.key for r in turn.replies] == ["hold.awaiting_deposit"]


# -- payments -----------------------------------------------------------------------------------


def test_paid_deposit_moves_to_booking_and_tells_both() -> None:
    turn = paid(awaiting_deposit())
    lead, deposit = turn.lead, turn.lead.deposit
    assert lead.status == "BOOKING_PENDING" and deposit is not None
    assert (deposit.paid_pence, deposit.payment_intent) == (15_000, "pi_evt_1")
    assert keys(turn, "client") == ["payment.confirmed"] and keys(turn, "artist") == [
        "artist.deposit_paid"
    ]
    confirmation = turn.replies[0]
    assert "£150" in confirmation.text and POLICY.deposit_policy in confirmation.text
    assert "confirm your date" in confirmation.text
    assert confirmation.template is not None and confirmation.template.name == "payment_received"
    statuses = [e.detail["to"] for e in turn.events if e.type == "lead.status"]
    assert statuses == ["DEPOSIT_PAID", "BOOKING_PENDING"]


@pytest.mark.parametrize("again", ["same event", "same payment"])
def test_a_redelivered_payment_changes_nothing(again: str) -> None:
    first = paid(awaiting_deposit())
    payment = Payment("evt_1" if again == "same event" else "evt_2", "paid", "cs_1", "pi_evt_1",
                      15_000)  # fmt: skip
    turn = artist.apply_payment(first.lead, payment, START, POLICY)
    assert turn.replies == [] and turn.events == [] and turn.lead == first.lead


def test_a_different_amount_is_still_paid_and_flagged() -> None:
    turn = paid(awaiting_deposit(), amount=10_000)
    assert turn.lead.status == "BOOKING_PENDING"
    assert turn.lead.deposit is not None and turn.lead.deposit.paid_pence == 10_000
    mismatch = next(e for e in turn.events if e.type == "payment.mismatch")
    assert mismatch.level == "WARN" and mismatch.detail["expected_pence"] == "15000"
    assert "paid £100, but the deposit asked for was £150" in turn.replies[-1].text


def test_payment_after_expiry_still_books() -> None:
    lead = awaiting_deposit()
    expired = engine.remind(lead, START + timedelta(hours=96), POLICY).lead
    assert expired.status == "DEPOSIT_EXPIRED"
    turn = paid(expired, hours=97)
    assert turn.lead.status == "BOOKING_PENDING" and keys(turn, "client") == ["payment.confirmed"]


@pytest.mark.parametrize("status", ["PENDING_APPROVAL", "NEEDS_FOLLOW_UP", "NEEDS_ARTIST_REPLY"])
def test_payment_while_the_artist_decides_is_kept_and_the_artist_asked(status: str) -> None:
    turn = paid(replace(awaiting_deposit(), status=status))
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
    lead = replace(awaiting_deposit(), status=status)
    turn = paid(lead)
    event = next(e for e in turn.events if e.type == "payment.unexpected")
    assert event.level == "ERROR" and event.detail["payment_intent"] == "pi_evt_1"
    assert turn.lead.status == status and "paid:pi_evt_1" in turn.lead.payments
    assert turn.lead.deposit is not None and turn.lead.deposit.paid_pence == 15_000
    assert keys(turn, "artist") == ["artist.payment_unexpected"]
    assert f"paid £150, but {state}" in turn.replies[0].text
    assert keys(turn, "client") == ["payment.received"]


def test_a_second_payment_for_a_paid_deposit_is_unexpected() -> None:
    turn = paid(booking_pending(), event="evt_2")
    assert turn.lead.status == "BOOKING_PENDING" and "payment.unexpected" in events(turn)
    assert turn.lead.deposit is not None and turn.lead.deposit.payment_intent == "pi_evt_1"


def test_pending_payment_is_acknowledged() -> None:
    payment = Payment("evt_p", "pending", "cs_1", "pi_1", 15_000)
    turn = artist.apply_payment(awaiting_deposit(), payment, START, POLICY)
    assert turn.lead.status == "AWAITING_DEPOSIT" and keys(turn, "client") == ["payment.pending"]


def test_failed_payment_asks_for_a_fresh_link() -> None:
    payment = Payment("evt_f", "failed", "cs_1", "pi_1", 15_000)
    turn = artist.apply_payment(awaiting_deposit(), payment, START, POLICY)
    assert keys(turn, "client") == ["payment.failed"] and artist.needs_checkout(turn.lead, START)
    assert "fresh link" in link(turn.lead, number=2).replies[0].text


def test_an_expired_session_is_noted_without_a_message() -> None:
    lead = awaiting_deposit()
    payment = Payment("evt_e", "expired", "cs_1", None, None)
    later = START + timedelta(hours=23)
    turn = artist.apply_payment(lead, payment, later, POLICY)
    assert turn.replies == [] and not artist.needs_checkout(turn.lead, later)
    assert turn.lead.deposit is not None and turn.lead.deposit.expires_at == later
    # The next reminder finds the link dead and asks for a fresh one.
    reminded = engine.remind(turn.lead, START + timedelta(hours=24), POLICY)
    assert artist.needs_checkout(reminded.lead, START + timedelta(hours=24))


def test_an_expired_old_session_is_ignored() -> None:
    lead = awaiting_deposit()
    turn = artist.apply_payment(lead, Payment("e", "expired", "cs_0", None, None), START, POLICY)
    assert turn.lead.deposit == lead.deposit


@pytest.mark.parametrize(
    ("start", "refunded", "status"),
    [("BOOKING_PENDING", 15_000, "REFUNDED"), ("BOOKING_PENDING", 5_000, "BOOKING_PENDING"),
     ("BOOKED", 15_000, "BOOKED"), ("REJECTED", 15_000, "REJECTED")],
)  # fmt: skip
def test_refunds_are_recorded_and_a_whole_refund_closes_the_lead(
    start: str, refunded: int, status: str
) -> None:
    lead = replace(booking_pending(), status=start)
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
