"""The booking core (consultation/booking.py) after booking: appointment reminders, messages
while booked, multi-day XL sessions, and the artist moving or cancelling a booking.

Leads come from tests/core/booking_leads.py, which lists the default offer at START.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from consultation import artist, booking, engine
from consultation.lead import Appointment, Lead
from consultation.messages import Inbound
from consultation.slots import session_spans
from consultation.terms import deposit_terms

# Leads here were offered times with no rules recorded, so they are decided with the week
from tests.core.booking_leads import (
    RULES,
    booked_on,
    the,
)
from tests.core.chat import START
from tests.core.leads import (
    POLICY,
    Workflow,
    approved,
    at,
    book,
    booking_pending,
    client,
    events,
    hold,
    keys,
    link,
    offer,
    offered,
    paid,
    texts,
)

# -- after booking ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "when", "sent_at_booking", "reminders"),
    [
        # Both reminders to come.
        ("8", "Tue 13 May, 1:30pm–4:30pm", 0, [48, 24]),
        # 48.5 h away when booked: the 48 h reminder was already due.
        ("2", "Sat 3 May, 1:30pm–4:30pm", 1, [24]),
        # 24 h away: both were due, and neither is sent late.
        ("1", "Fri 2 May, 1:00pm–4:00pm", 2, []),
    ],
)
def test_appointment_reminders_48_and_24_hours_before_unless_booked_later(
    option: str, when: str, sent_at_booking: int, reminders: list[int]
) -> None:
    lead = booked_on(option)
    slot = lead.booking.slot
    assert slot is not None and lead.booking.reminders_sent == sent_at_booking
    for hours in reminders:
        due = slot.start - timedelta(hours=hours)
        assert engine.next_reminder_at(lead, POLICY) == due
        assert not engine.finished(lead, POLICY)
        turn = engine.remind(lead, due, POLICY)
        reminder = the(turn, "booking.reminder")
        assert f"on {when} (BST) at Sam's studio, London" in reminder.text
        assert deposit_terms(POLICY) in reminder.text
        assert "“reschedule” or “cancel”" in reminder.text
        assert reminder.template is not None and reminder.template.name == "appointment_reminder"
        assert reminder.template.params == (
            "Sam", f"{when} (BST)", "Sam's studio, London",
        )  # fmt: skip
        lead = turn.lead
    assert engine.next_reminder_at(lead, POLICY) == slot.end


def test_a_paused_worker_sends_one_reminder_not_a_burst() -> None:
    lead = booked_on("8")
    slot = lead.booking.slot
    assert slot is not None
    turn = engine.remind(lead, slot.start - timedelta(hours=12), POLICY)  # both overdue
    assert keys(turn, "client") == ["booking.reminder"]
    assert turn.lead.booking.reminders_sent == 2
    assert engine.next_reminder_at(turn.lead, POLICY) == slot.end


def test_the_run_is_finished_only_after_the_appointment_ends() -> None:
    lead = booked_on("1")
    slot = lead.booking.slot
    assert slot is not None and lead.status == "BOOKED"
    assert not engine.finished(lead, POLICY)
    assert engine.remind(lead, slot.end - timedelta(minutes=1), POLICY).lead == lead
    over = engine.remind(lead, slot.end, POLICY)
    assert over.lead.booking.over and over.replies == []
    assert engine.finished(over.lead, POLICY)


@pytest.mark.parametrize(
    ("text", "hours_before", "client_key", "verdict"),
    [
        ("can I reschedule?", 100, "booking.change.client.reschedule.ok",
         "within the 48 hour notice; free moves used 0 of 1"),
        ("I need to move my appointment", 48, "booking.change.client.reschedule.ok",
         "within the 48 hour notice"),
        ("could we change the date?", 47.5, "booking.change.client.reschedule.late",
         "outside the policy"),
        ("reschedule please", 3, "booking.change.client.reschedule.late", "outside the policy"),
        ("I need to cancel", 100, "booking.change.client.cancel",
         "the deposit is non-refundable"),
        ("can we call it off", 3, "booking.change.client.cancel", "the deposit is non-refundable"),
    ],
)  # fmt: skip
def test_reschedule_and_cancel_requests_go_to_the_artist_with_the_policy(
    text: str, hours_before: float, client_key: str, verdict: str
) -> None:
    lead = booked_on("8")
    slot = lead.booking.slot
    assert slot is not None
    now = slot.start - timedelta(hours=hours_before)
    turn = engine.handle(lead, client_message(text, now), now, POLICY)
    assert turn.lead.status == "BOOKED" and turn.lead.booking == lead.booking
    assert keys(turn, "client") == [client_key]
    assert keys(turn, "artist") == ["artist.change_request"]
    request = the(turn, "artist.change_request").text
    change = "cancel" if "cancel" in client_key else "reschedule"
    assert f"asked to {change} their appointment on Tue 13 May, 1:30pm–4:30pm" in request
    assert f"({int(hours_before)} hours' notice)" in request and verdict in request
    assert "booking.change_requested" in events(turn)


def client_message(text: str, now: datetime) -> Inbound:
    return Inbound("m", int(now.timestamp()), text=text)


def test_other_messages_once_booked_get_one_reply_per_cooldown() -> None:
    lead = booked_on("8")
    quiet = client(lead, "thanks!", 1)  # told what happens next at START: within the cooldown
    assert quiet.replies == []
    turn = client(lead, "see you then", 7)
    assert keys(turn, "client") == ["booking.booked_reply"]
    assert "You're booked in for Tue 13 May, 1:30pm–4:30pm" in turn.replies[0].text
    assert client(turn.lead, "what should I wear?", 8).replies == []
    # A change request is never held back by the cooldown.
    assert keys(client(turn.lead, "I need to cancel", 8), "artist") == ["artist.change_request"]


def test_a_change_request_from_a_lead_booked_by_hand_still_reaches_the_artist() -> None:
    lead = artist.decide(booking_pending(), "mark_booked", at(1), POLICY).lead
    assert lead.booking.slot is None
    turn = client(lead, "I need to cancel my appointment", 10)
    assert keys(turn, "artist") != []


def test_a_payment_once_booked_changes_nothing_booked() -> None:
    lead = booked_on("1")
    # A second Checkout Session paid too: a real second payment, never lost.
    turn = paid(lead, event="evt_2", hours=30, session="cs_2")
    assert "payment.unexpected" in events(turn) and turn.lead.booking == lead.booking


# -- multi-day XL sessions ----------------------------------------------------------------------


def xl_lead() -> Lead:
    """An XL piece of two days: £400 deposit, a 2-working-day session."""
    lead = Lead(lead_id="xl-0001-abcdef", status="PENDING_APPROVAL",
                parsed={"area_cm2": 400.0, "region": "UK"},
                answers={"placement": "forearm"})  # fmt: skip
    return approved(lead)


def test_a_multi_day_xl_session_is_held_and_booked_day_by_day() -> None:
    turn = offer(xl_lead())
    assert "1. Sat 3 May, 2 days from 10:00am" in turn.replies[0].text
    assert turn.replies[0].rows[0].description == "Full days: Sat 3 May & Tue 6 May"
    lead = client(turn.lead, "1").lead
    slot = lead.booking.picked
    assert slot is not None and slot.days == 2
    need = booking.next_need(lead, START, POLICY)
    expected = [
        (datetime(2025, 5, 3, 9, tzinfo=UTC), datetime(2025, 5, 3, 17, tzinfo=UTC)),
        (datetime(2025, 5, 6, 9, tzinfo=UTC), datetime(2025, 5, 6, 17, tzinfo=UTC)),
    ]
    assert isinstance(need, booking.PlaceHold) and need.spans == expected  # not the nights
    assert session_spans(slot, RULES) == expected
    sent = link(hold(lead).lead)
    assert "I'm holding Sat 3 May, 2 days from 10:00am for you" in texts(sent)
    assert "£400 deposit" in texts(sent)
    lead = paid(sent.lead, amount=40_000).lead
    need = booking.next_need(lead, at(0.5), POLICY)
    assert isinstance(need, booking.BookHold) and need.spans == expected
    assert need.title == "Tattoo: Lead xl-0001- (extra-large)"
    done = book(lead)
    assert "📅 Sat 3 May, 2 days from 10:00am (BST)" in texts(done)
    # Booked 32.5 h before the first day: only the 24 h reminder is still to come.
    assert done.lead.booking.reminders_sent == 1
    assert engine.next_reminder_at(done.lead, POLICY) == slot.start - timedelta(hours=24)


# -- the artist moves or cancels a booking ------------------------------------------------------


def test_the_artist_moves_a_booking_and_the_old_one_comes_out_once_the_new_one_is_in() -> None:
    lead = booked_on("8")
    old_slot, old_events, old_hold = (
        lead.booking.slot,
        list(lead.booking.event_ids),
        lead.booking.booked_hold_id,
    )
    assert old_hold and old_events
    assert artist.actions_for(lead) == ["offer_times", "cancel_booking"]
    workflow = Workflow()
    moving = workflow.decide(lead, "offer_times", at(2))
    assert moving.lead.status == "BOOKING_PENDING" and moving.lead.booking.moving
    assert keys(moving, "client") == ["booking.offer.reschedule"]
    # Until the new time is booked, the old booking stands: nothing is taken out.
    assert workflow.taken_out == [] and moving.lead.booking.slot == old_slot

    done = workflow.say(moving.lead, "1", at(2.1))
    assert done.lead.status == "BOOKED" and done.lead.booking.slot != old_slot
    assert keys(done, "client") == ["booking.confirmed"]
    assert workflow.taken_out == [Appointment(old_hold, old_events)]
    assert done.lead.booking.cancel == [] and not done.lead.booking.moving
    assert workflow.checkouts == 0  # paid already: no second deposit
    new_ids = done.lead.booking.event_ids
    assert new_ids and new_ids[0] != old_events[0]  # a fresh id: Google keeps deleted ones


def test_a_move_settled_by_hand_keeps_the_booking_as_it_was() -> None:
    lead = booked_on("8")
    moving = artist.decide(lead, "offer_times", at(2), POLICY).lead
    kept = artist.decide(moving, "mark_booked", at(3), POLICY).lead
    assert kept.status == "BOOKED" and not kept.booking.moving
    assert kept.booking.slot == lead.booking.slot and kept.booking.cancel == []


def test_the_artist_cancels_a_booking_the_client_is_told_and_the_calendar_freed() -> None:
    lead = booked_on("8")
    workflow = Workflow()
    turn = workflow.decide(lead, "cancel_booking", at(2))
    assert turn.lead.status == "CANCELLED"
    cancelled = the(turn, "booking.cancelled")
    assert "Tue 13 May" in cancelled.text and cancelled.template is not None
    assert cancelled.template.name == "appointment_cancelled"
    assert workflow.taken_out == [Appointment(lead.booking.booked_hold_id, lead.booking.event_ids)]
    assert keys(turn, "artist") == ["artist.ack.cancel_booking"]
    assert engine.finished(turn.lead, POLICY)  # the run ends; no appointment reminders


def test_a_calendar_that_will_not_let_go_is_left_to_the_artist() -> None:
    lead = artist.decide(booked_on("8"), "cancel_booking", at(2), POLICY).lead
    need = booking.next_need(lead, at(2), POLICY)
    assert isinstance(need, booking.CancelBooking)
    turn = booking.taken_out(lead, need.appointment.hold_id, at(2), POLICY, error="403 forbidden")
    assert turn.lead.booking.cancel == [] and booking.next_need(turn.lead, at(2), POLICY) is None
    assert keys(turn, "artist") == ["artist.take_out_failed"]
    assert [e.level for e in turn.events if e.type == "booking.take_out_failed"] == ["ERROR"]


def test_only_a_booked_lead_can_be_cancelled() -> None:
    assert artist.why_not(offered(), "cancel_booking") == (
        "This lead is not booked: it is waiting for the deposit."
    )


@pytest.mark.parametrize(
    "text", ["can I talk to the artist?", "I'd like a refund", "please delete my data"]
)
def test_a_booked_client_asking_for_the_artist_a_refund_or_deletion_reaches_the_artist(
    text: str,
) -> None:
    lead = booked_on("8")
    turn = client(lead, text, 5)
    assert turn.lead.status == "BOOKED"  # still booked
    assert keys(turn, "client") == ["booking.change.client"]
    assert keys(turn, "artist") == ["artist.booked_client_asks"]
    assert text in texts(turn, "artist")
