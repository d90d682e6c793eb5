"""The artist's decisions: which are allowed when, what each does to the lead and who is told,
and the one-tap links on artist messages."""

from __future__ import annotations

from dataclasses import replace

import pytest

from consultation import artist
from consultation.lead import Lead
from consultation.messages import MAX_TEXT, Template
from consultation.outbound import text
from consultation.statuses import STATUSES
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

VALID = {
    "approve": {"PENDING_APPROVAL"},
    "approve_anyway": {"NEEDS_FOLLOW_UP"},
    "reject": {"PENDING_APPROVAL", "NEEDS_FOLLOW_UP", "NEEDS_ARTIST_REPLY", "AWAITING_DEPOSIT",
               "DEPOSIT_EXPIRED", "TOUR_CONVERSION_OFFERED"},
    "resume": {"NEEDS_ARTIST_REPLY"},
    "send_deposit": {"AWAITING_DEPOSIT", "DEPOSIT_EXPIRED"},
    "mark_booked": {"DEPOSIT_PAID", "BOOKING_PENDING"},
}  # fmt: skip


@pytest.mark.parametrize("status", sorted(STATUSES))
@pytest.mark.parametrize("action", sorted(VALID))
def test_an_action_is_allowed_only_in_its_statuses(action: str, status: str) -> None:
    reason = artist.why_not(Lead(status=status), action)
    if status in VALID[action]:
        assert reason is None
    else:
        assert reason is not None and reason.startswith("This lead ") and reason.endswith(".")


def test_refusal_says_why_in_the_artists_words() -> None:
    reason = artist.why_not(Lead(status="REJECTED"), "approve")
    assert reason == "This lead is not awaiting approval: it was rejected."
    assert artist.why_not(Lead(status="PENDING_APPROVAL"), "delete") == "Unknown action."


def test_a_refused_decision_raises_and_changes_nothing() -> None:
    lead = Lead(status="BOOKED")
    with pytest.raises(ValueError, match="already booked"):
        artist.decide(lead, "reject", START, POLICY)
    assert lead.status == "BOOKED"


# -- approve ------------------------------------------------------------------------------------


def test_approve_locks_the_deposit_and_waits_for_the_checkout() -> None:
    lead = pending_approval()
    turn = artist.decide(lead, "approve", START, POLICY)
    deposit = turn.lead.deposit
    assert turn.lead.status == "AWAITING_DEPOSIT" and turn.lead.status_since == START
    assert deposit is not None and (deposit.amount_pence, deposit.rule_version) == (
        15_000,
        "2026-11",
    )
    assert deposit.url is None and artist.needs_checkout(turn.lead, START)
    assert keys(turn, "client") == []  # the link comes with `deposit_link`
    assert keys(turn, "artist") == ["artist.ack.approve"] and "£150" in turn.replies[0].text
    assert "artist.decision" in events(turn) and lead.status == "PENDING_APPROVAL"


def test_approve_anyway_takes_a_below_budget_lead_to_the_deposit() -> None:
    lead = replace(pending_approval(), status="NEEDS_FOLLOW_UP", handover_kind="budget",
                   handover_reason="Budget below minimum")  # fmt: skip
    turn = artist.decide(lead, "approve_anyway", START, POLICY)
    assert turn.lead.status == "AWAITING_DEPOSIT" and turn.lead.handover_reason is None
    assert turn.lead.deposit is not None and turn.lead.deposit.amount_pence == 15_000


def test_approve_without_an_estimate_prices_the_lead() -> None:
    lead = replace(pending_approval(), estimate=None)
    turn = artist.decide(lead, "approve", START, POLICY)
    assert turn.lead.estimate is not None and turn.lead.deposit is not None
    assert turn.lead.deposit.amount_pence == turn.lead.estimate.deposit_pence == 15_000


def test_approving_a_lead_that_already_paid_goes_straight_to_booking() -> None:
    lead = paid(replace(awaiting_deposit(), status="PENDING_APPROVAL")).lead
    assert lead.status == "PENDING_APPROVAL"
    turn = artist.decide(lead, "approve", START, POLICY)
    assert turn.lead.status == "BOOKING_PENDING" and not artist.needs_checkout(turn.lead, START)
    assert keys(turn, "client") == ["payment.confirmed"]
    assert "already paid the £150 deposit" in turn.replies[-1].text


# -- reject -------------------------------------------------------------------------------------


def test_reject_tells_the_client_kindly_without_reasons() -> None:
    turn = artist.decide(pending_approval(), "reject", START, POLICY)
    client = turn.replies[0]
    assert turn.lead.status == "REJECTED" and client.key == "decision.rejected"
    assert client.template is not None and client.template.name == "enquiry_declined"
    assert "because" not in client.text and "payment" not in client.text
    assert keys(turn, "artist") == ["artist.ack.reject"] and "lead.rejected" in events(turn)


def test_rejecting_a_lead_that_paid_reminds_the_artist_to_refund() -> None:
    lead = paid(replace(awaiting_deposit(), status="NEEDS_ARTIST_REPLY")).lead
    turn = artist.decide(lead, "reject", START, POLICY)
    assert "payment you made" in turn.replies[0].text
    assert "please refund it in Stripe" in turn.replies[1].text


# -- resume, send_deposit, mark_booked ----------------------------------------------------------


def test_resume_hands_the_lead_back_to_the_bot() -> None:
    lead = replace(Lead(lead_id="x", status="NEEDS_ARTIST_REPLY"), handover_from="QUALIFYING",
                   handover_kind="human", step=1)  # fmt: skip
    turn = artist.decide(lead, "resume", START, POLICY)
    assert turn.lead.status == "QUALIFYING"
    assert keys(turn, "client") == ["question.placement"]
    assert keys(turn, "artist") == ["artist.ack.resume"]


def test_resuming_a_lead_that_paid_while_handed_over_books_it() -> None:
    lead = awaiting_deposit()
    lead = replace(lead, status="NEEDS_ARTIST_REPLY", handover_from="AWAITING_DEPOSIT",
                   handover_kind="refund")  # fmt: skip
    lead = paid(lead).lead
    turn = artist.decide(lead, "resume", START, POLICY)
    assert turn.lead.status == "BOOKING_PENDING" and "payment.confirmed" in keys(turn, "client")


def test_send_deposit_resends_a_link_that_still_works() -> None:
    lead = awaiting_deposit()
    now = START.replace(hour=14)
    turn = artist.decide(lead, "send_deposit", now, POLICY)
    deposit = turn.lead.deposit
    assert deposit is not None and deposit.url == "https://pay.example/cs_1"
    assert keys(turn, "client") == ["deposit.link"] and "link again" in turn.replies[0].text
    assert deposit.sent_at == now and not artist.needs_checkout(turn.lead, now)


def test_send_deposit_after_expiry_asks_for_a_fresh_link() -> None:
    lead = replace(awaiting_deposit(), status="DEPOSIT_EXPIRED")
    assert lead.deposit is not None
    lead.deposit.url = None
    turn = artist.decide(lead, "send_deposit", START, POLICY)
    deposit = turn.lead.deposit
    assert turn.lead.status == "AWAITING_DEPOSIT" and keys(turn, "client") == []
    assert deposit is not None and (deposit.sent_at, deposit.reminders_sent) == (None, 0)
    fresh = link(turn.lead, number=2)
    assert keys(fresh, "client") == ["deposit.link"] and "fresh link" in fresh.replies[0].text
    assert fresh.lead.deposit is not None and fresh.lead.deposit.attempt == 2


def test_mark_booked_confirms_to_the_client() -> None:
    turn = artist.decide(booking_pending(), "mark_booked", START, POLICY)
    assert turn.lead.status == "BOOKED" and keys(turn, "client") == ["decision.booked"]
    assert turn.replies[0].template is not None
    assert keys(turn, "artist") == ["artist.ack.mark_booked"] and "lead.booked" in events(turn)


# -- links --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "actions"),
    [("PENDING_APPROVAL", ["approve", "reject"]), ("NEEDS_FOLLOW_UP", ["approve_anyway", "reject"]),
     ("NEEDS_ARTIST_REPLY", ["resume", "reject"]), ("AWAITING_DEPOSIT", ["send_deposit", "reject"]),
     ("DEPOSIT_EXPIRED", ["send_deposit", "reject"]), ("DEPOSIT_PAID", ["mark_booked"]),
     ("BOOKING_PENDING", ["mark_booked"]), ("TOUR_CONVERSION_OFFERED", []), ("BOOKED", []),
     ("QUALIFYING", [])],
)  # fmt: skip
def test_artist_messages_offer_the_actions_of_the_status(status: str, actions: list[str]) -> None:
    assert artist.actions_for(Lead(status=status)) == actions


def test_links_are_labelled_lines_under_the_message() -> None:
    message = text("artist", "🎨 Lead 1 is ready", "artist.new_lead")
    linked = artist.with_links(message, {"approve": "https://a/1", "reject": "https://a/2"})
    assert linked.text == "🎨 Lead 1 is ready\n\n✅ Approve: https://a/1\n❌ Reject: https://a/2"
    assert linked.key == message.key and artist.with_links(message, {}) == message


def test_links_always_fit_by_shortening_the_body() -> None:
    message = text("artist", "x" * MAX_TEXT, "artist.new_lead")
    linked = artist.with_links(message, {"approve": "https://a/1"})
    assert len(linked.text) <= MAX_TEXT and linked.text.endswith("✅ Approve: https://a/1")


def test_links_also_ride_in_the_template_for_when_the_artists_window_is_closed() -> None:
    message = text(
        "artist", "Lead 1", "artist.new_lead", template=Template("artist_update", ("L1", "ready"))
    )
    linked = artist.with_links(message, {"approve": "https://a/1"})
    assert linked.template is not None
    assert linked.template.params == ("L1", "ready | ✅ Approve: https://a/1")
