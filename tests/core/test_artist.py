"""The artist's decisions: which are allowed when, what each does to the lead and who is told,
and the one-tap links on artist messages."""

from __future__ import annotations

from dataclasses import replace

import pytest

from consultation import artist, booking, engine
from consultation.lead import Lead
from consultation.messages import MAX_TEXT, Template
from consultation.outbound import text
from consultation.statuses import STATUSES
from tests.core.chat import START
from tests.core.leads import (
    POLICY,
    Workflow,
    at,
    awaiting_deposit,
    booking_pending,
    client,
    events,
    hold,
    keys,
    link,
    offer,
    offered,
    paid,
    pending_approval,
    release,
    texts,
)

VALID = {
    "approve": {"PENDING_APPROVAL"},
    "approve_anyway": {"NEEDS_FOLLOW_UP"},
    "reject": {"PENDING_APPROVAL", "NEEDS_FOLLOW_UP", "NEEDS_ARTIST_REPLY", "AWAITING_DEPOSIT",
               "DEPOSIT_EXPIRED", "TOUR_CONVERSION_OFFERED", "COLLECTING_TIME_WINDOWS"},
    "resume": {"NEEDS_ARTIST_REPLY"},
    "send_deposit": {"AWAITING_DEPOSIT", "DEPOSIT_EXPIRED"},
    "mark_booked": {"DEPOSIT_PAID", "BOOKING_PENDING"},
    "offer_times": {"BOOKING_PENDING", "BOOKED", "COLLECTING_TIME_WINDOWS"},
    "cancel_booking": {"BOOKED"},
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
    reason = artist.why_not(Lead(status="AWAITING_DEPOSIT"), "offer_times")
    assert reason == (
        "This lead is not paid and waiting for a time, booked, or short of free times: it is "
        "waiting for the deposit."
    )


def test_a_refused_decision_raises_and_changes_nothing() -> None:
    lead = Lead(status="BOOKED")
    with pytest.raises(ValueError, match="already booked"):
        artist.decide(lead, "reject", START, POLICY)
    assert lead.status == "BOOKED"


# -- approve ------------------------------------------------------------------------------------


def test_approve_locks_the_deposit_and_asks_for_the_free_times() -> None:
    lead = pending_approval()
    turn = artist.decide(lead, "approve", START, POLICY)
    deposit = turn.lead.deposit
    assert turn.lead.status == "AWAITING_DEPOSIT" and turn.lead.status_since == START
    assert deposit is not None and (deposit.amount_pence, deposit.rule_version) == (
        15_000,
        "2026-11",
    )
    # No link yet: the client picks a time first, and the link is for the slot held for them.
    assert deposit.url is None and deposit.sent_at is None
    assert not booking.needs_checkout(turn.lead)
    assert turn.lead.booking.wants_slots and turn.lead.booking.intro == "approved"
    assert isinstance(booking.next_need(turn.lead, START, POLICY), booking.FindTimes)
    assert keys(turn, "client") == []  # the times come with `booking.offer`
    assert keys(turn, "artist") == ["artist.ack.approve"]
    assert "choosing a time" in turn.replies[0].text and "£150" in turn.replies[0].text
    assert "artist.decision" in events(turn) and lead.status == "PENDING_APPROVAL"
    offered = offer(turn.lead)
    assert keys(offered, "client") == ["booking.offer.approved"]
    assert "Great news" in offered.replies[0].text and "£150 deposit" in offered.replies[0].text


def test_approve_anyway_takes_a_below_budget_lead_to_the_deposit() -> None:
    lead = replace(pending_approval(), status="NEEDS_FOLLOW_UP", handover_kind="budget",
                   handover_reason="Budget below minimum")  # fmt: skip
    turn = artist.decide(lead, "approve_anyway", START, POLICY)
    assert turn.lead.status == "AWAITING_DEPOSIT" and turn.lead.handover_reason is None
    assert turn.lead.deposit is not None and turn.lead.deposit.amount_pence == 15_000
    assert isinstance(booking.next_need(turn.lead, START, POLICY), booking.FindTimes)


def test_approve_without_an_estimate_prices_the_lead() -> None:
    lead = replace(pending_approval(), estimate=None)
    turn = artist.decide(lead, "approve", START, POLICY)
    assert turn.lead.estimate is not None and turn.lead.deposit is not None
    assert turn.lead.deposit.amount_pence == turn.lead.estimate.deposit_pence == 15_000


def test_approving_a_lead_that_already_paid_lets_the_client_pick_a_time() -> None:
    # Paid while still waiting for approval: kept, and the artist asked.
    lead = paid(pending_approval(), hours=0).lead
    assert lead.status == "PENDING_APPROVAL" and lead.deposit is not None
    turn = artist.decide(lead, "approve", START, POLICY)
    assert turn.lead.status == "BOOKING_PENDING" and not booking.needs_checkout(turn.lead)
    assert keys(turn, "client") == []  # the times, with "your deposit is paid", come next
    assert keys(turn, "artist") == ["artist.ack.approve"]
    assert "already paid the £150 deposit" in turn.replies[-1].text
    offered = offer(turn.lead)
    assert keys(offered, "client") == ["booking.offer.paid"]
    assert "your deposit of £150 is paid" in offered.replies[0].text
    # The pick is held and, being paid, booked straight away: no link.
    picked = client(offered.lead, "2")
    turn = Workflow().run(picked, START)
    assert turn.lead.status == "BOOKED" and keys(turn, "client") == ["booking.confirmed"]
    assert turn.lead.booking.slot == offered.lead.booking.offered[1]


# -- reject -------------------------------------------------------------------------------------


def test_reject_tells_the_client_kindly_without_reasons() -> None:
    turn = artist.decide(pending_approval(), "reject", START, POLICY)
    client_message = turn.replies[0]
    assert turn.lead.status == "REJECTED" and client_message.key == "decision.rejected"
    assert client_message.template is not None
    assert client_message.template.name == "enquiry_declined"
    assert "because" not in client_message.text and "payment" not in client_message.text
    assert keys(turn, "artist") == ["artist.ack.reject"] and "lead.rejected" in events(turn)


def test_rejecting_a_lead_holding_a_slot_releases_it() -> None:
    lead = awaiting_deposit()
    turn = artist.decide(lead, "reject", at(0.25), POLICY)
    need = booking.next_need(turn.lead, at(0.25), POLICY)
    assert isinstance(need, booking.ReleaseHold) and need.hold == lead.booking.hold
    released = release(turn.lead, 0.25).lead
    assert released.booking.hold is None and booking.next_need(released, at(1), POLICY) is None


def handed_over() -> Lead:
    """Asked for a person while a slot was held for them: the hold goes with the handover."""
    turn = Workflow().say(awaiting_deposit(), "can I talk to a real person?", at(0.25))
    assert turn.lead.status == "NEEDS_ARTIST_REPLY"
    assert turn.lead.handover_from == "AWAITING_DEPOSIT"
    assert turn.lead.booking.hold is None and turn.lead.booking.release == []
    return turn.lead


def test_rejecting_a_lead_that_paid_reminds_the_artist_to_refund() -> None:
    lead = paid(handed_over(), hours=0.5).lead
    turn = artist.decide(lead, "reject", at(1), POLICY)
    assert "payment you made" in turn.replies[0].text
    assert "please refund it in Stripe" in turn.replies[1].text


# -- resume, send_deposit, offer_times, mark_booked ----------------------------------------------


def test_resume_hands_the_lead_back_to_the_bot() -> None:
    lead = replace(Lead(lead_id="x", status="NEEDS_ARTIST_REPLY"), handover_from="QUALIFYING",
                   handover_kind="human", step=1)  # fmt: skip
    turn = artist.decide(lead, "resume", START, POLICY)
    assert turn.lead.status == "QUALIFYING"
    assert keys(turn, "client") == ["question.placement"]
    assert keys(turn, "artist") == ["artist.ack.resume"]


def test_resuming_a_lead_that_was_choosing_offers_the_times_again() -> None:
    turn = Workflow().decide(handed_over(), "resume", at(2))
    assert turn.lead.status == "AWAITING_DEPOSIT"
    assert keys(turn, "client") == ["booking.offer.again"]
    assert keys(turn, "artist") == ["artist.ack.resume"]


def test_resuming_a_lead_that_paid_while_handed_over_lets_them_pick_a_time() -> None:
    lead = paid(handed_over(), hours=0.5).lead
    assert lead.status == "NEEDS_ARTIST_REPLY" and lead.deposit is not None
    turn = artist.decide(lead, "resume", at(1), POLICY)
    assert turn.lead.status == "BOOKING_PENDING"
    assert "already paid the £150 deposit" in texts(turn, "artist")
    offered = offer(turn.lead, 1)
    assert keys(offered, "client") == ["booking.offer.paid"]


def test_send_deposit_resends_the_link_of_a_held_slot() -> None:
    lead = awaiting_deposit()  # held until 1 h
    now = at(0.25)
    turn = artist.decide(lead, "send_deposit", now, POLICY)
    deposit = turn.lead.deposit
    assert deposit is not None and deposit.url == "https://pay.example/cs_1"
    assert keys(turn, "client") == ["deposit.link"] and "link again" in turn.replies[0].text
    assert "I'm holding Fri 2 May, 1:00pm–4:00pm for you until 2:00pm" in turn.replies[0].text
    assert keys(turn, "artist") == ["artist.ack.send_deposit"]
    # The same link and the same round: reminders and expiry still count from the offer.
    assert (deposit.sent_at, deposit.reminders_sent) == (START, 0)
    assert booking.next_need(turn.lead, now, POLICY) is None


def test_send_deposit_after_expiry_offers_the_times_again() -> None:
    lead = offered()
    lead = engine.remind(lead, at(96), POLICY).lead
    assert lead.status == "DEPOSIT_EXPIRED"
    assert lead.booking.offered == [] and lead.deposit is not None and lead.deposit.url is None
    now = at(100)
    turn = artist.decide(lead, "send_deposit", now, POLICY)
    deposit = turn.lead.deposit
    assert turn.lead.status == "AWAITING_DEPOSIT" and keys(turn, "client") == []
    assert deposit is not None and (deposit.sent_at, deposit.reminders_sent) == (None, 0)
    assert keys(turn, "artist") == ["artist.ack.send_deposit"]
    assert "free times again" in turn.replies[0].text
    again = offer(turn.lead, 100)
    assert keys(again, "client") == ["booking.offer.again"]
    assert again.lead.deposit is not None and again.lead.deposit.sent_at == now  # a new round
    fresh = link(hold(client(again.lead, "1", 100).lead, hours=100).lead, number=2, hours=100)
    assert keys(fresh, "client") == ["deposit.link"] and "Great choice" in fresh.replies[0].text
    assert fresh.lead.deposit is not None and fresh.lead.deposit.attempt == 1
    assert fresh.lead.deposit.session_id == "cs_2"


def test_send_deposit_near_the_end_of_a_hold_lets_the_client_pick_from_the_new_times() -> None:
    workflow = Workflow()
    lead = awaiting_deposit()  # held and its link valid until 1 h: under 30 min left at 0.75 h
    turn = workflow.decide(lead, "send_deposit", at(0.75))
    assert keys(turn, "client") == ["booking.offer.again"]
    new_times = turn.lead.booking.offered
    turn = workflow.say(turn.lead, "3", at(0.8))
    assert "booking.hold_reply" not in keys(turn, "client")
    assert turn.lead.booking.hold is not None and turn.lead.booking.hold.slot == new_times[2]
    assert keys(turn, "client") == ["deposit.link"]


def test_offer_times_sends_a_paid_client_fresh_times_and_books_their_pick() -> None:
    workflow = Workflow()
    lead = booking_pending()
    turn = workflow.decide(lead, "offer_times", at(2))
    assert keys(turn, "artist") == ["artist.ack.offer_times"]
    assert keys(turn, "client") == ["booking.offer.again"]
    assert turn.lead.status == "BOOKING_PENDING"
    turn = workflow.say(turn.lead, "2", at(2.1))
    assert turn.lead.status == "BOOKED" and keys(turn, "client") == ["booking.confirmed"]
    assert turn.lead.booking.bookings == 1


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
     ("BOOKING_PENDING", ["mark_booked", "offer_times"]), ("TOUR_CONVERSION_OFFERED", []),
     ("BOOKED", ["offer_times", "cancel_booking"]), ("CANCELLED", []), ("QUALIFYING", [])],
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
