"""The deposit's terms: the notice the artist configured is the one clients are shown, and a
booked client's request to move is judged with the moves already used."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from consultation import engine
from consultation.lead import Policy
from consultation.messages import Inbound
from tests.core.leads import POLICY, Workflow, at, awaiting_deposit, book, keys, paid


def booked(policy: Policy = POLICY):  # type: ignore[no-untyped-def]
    lead = paid(awaiting_deposit("8"), hours=0.5).lead
    return book(lead, hours=0.5, policy=policy).lead


def test_clients_are_shown_the_configured_notice_not_a_fixed_48_hours() -> None:
    policy = replace(POLICY, reschedule_notice_hours=72)
    lead = booked(policy)
    slot = lead.booking.slot
    assert slot is not None
    reminder = engine.remind(lead, slot.start - timedelta(hours=48), policy).replies[0]
    assert reminder.key == "booking.reminder"
    assert "move your appointment once if you give at least 72 hours' notice" in reminder.text
    assert "48 hours" not in reminder.text


def test_no_free_moves_reads_as_no_moves() -> None:
    policy = replace(POLICY, free_moves=0)
    lead = booked(policy)
    slot = lead.booking.slot
    assert slot is not None
    reminder = engine.remind(lead, slot.start - timedelta(hours=48), policy).replies[0]
    assert "The deposit is non-refundable." in reminder.text and "move" not in reminder.text


def test_a_second_move_is_not_promised_once_the_free_one_is_used() -> None:
    lead = booked()
    assert lead.booking.moves == 0
    workflow = Workflow()
    moving = workflow.decide(lead, "offer_times", at(2)).lead
    assert moving.booking.moves == 0  # not moved until the new time is in
    moved = workflow.say(moving, "1", at(2.1)).lead
    assert moved.status == "BOOKED" and moved.booking.moves == 1
    slot = moved.booking.slot
    assert slot is not None

    now = slot.start - timedelta(hours=100)  # plenty of notice, but the free move is spent
    turn = engine.handle(moved, Inbound("m-again", int(now.timestamp()), text="can I reschedule?"),
                         now, POLICY)  # fmt: skip
    assert keys(turn, "client") == ["booking.change.client.reschedule.used"]
    assert "already moved this appointment once" in turn.replies[0].text
    request = next(r for r in turn.replies if r.to == "artist").text
    assert "free moves already used (1 of 1)" in request
    assert any(e.detail.get("moves_used") == "1" for e in turn.events)
