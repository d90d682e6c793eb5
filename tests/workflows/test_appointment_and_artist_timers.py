"""Appointment and artist timers as workflow timers, on the time-skipping test server:
appointment reminders 48 h and 24 h before, the artist's nudges while a lead waits on them, and
a final decision ending the run at once."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowExecutionStatus

from tests.conftest import eventually
from tests.workflows.booking_runs import (
    CHOOSING_REMINDER,
    DELIVERED,
    HOUR,
    booked,
    booking_pending,
    count_reaches,
    finished,
    pending_approval,
    sent,
    sent_as,
    status_of,
)
from tests.workflows.runs import client_says, settled, state
from workflows.contracts import ActionRequest
from workflows.lead import LeadWorkflow

pytestmark = pytest.mark.asyncio(loop_scope="session")


# -- the appointment ----------------------------------------------------------------------------


async def test_appointment_reminders_48h_and_24h_before_then_the_run_ends(deposit_worker, sessions):
    env = deposit_worker
    _, handle, lead = await booked(env, sessions, pick="8")  # the latest offered: days ahead
    start = lead.booking.slot.start
    now = lead.status_since
    assert start - now > 72 * HOUR

    await env.sleep(start - now - 49 * HOUR)
    assert await sent_as(sessions, lead.lead_id, "booking.reminder") == []
    await env.sleep(2 * HOUR)  # 47 h before
    [first] = await count_reaches(sessions, lead.lead_id, "booking.reminder", 1)
    assert first.recipient == "client" and first.status == "TEMPLATE"
    await env.sleep(22 * HOUR)  # 25 h before
    assert len(await sent_as(sessions, lead.lead_id, "booking.reminder")) == 1
    await env.sleep(2 * HOUR)  # 23 h before
    await count_reaches(sessions, lead.lead_id, "booking.reminder", 2)
    assert await status_of(handle) == WorkflowExecutionStatus.RUNNING

    # A message before the appointment still reaches this enquiry (not a new one).
    await client_says(handle, "Can I reschedule please?")
    [change] = await count_reaches(sessions, lead.lead_id, "artist.change_request", 1)
    assert "reschedule" in change.body and "outside the policy" in change.body  # < 48 h

    await env.sleep(30 * HOUR)  # past the end of the session
    assert await handle.result() == "BOOKED"


# -- the artist's timers ------------------------------------------------------------------------


async def test_a_lead_left_pending_approval_nudges_the_artist_once_at_72h(deposit_worker, sessions):
    env = deposit_worker
    _, handle, lead = await pending_approval(env, sessions)
    await env.sleep(71 * HOUR)
    assert await sent_as(sessions, lead.lead_id, "artist.approval_nudge") == []

    await env.sleep(2 * HOUR)
    [nudge] = await count_reaches(sessions, lead.lead_id, "artist.approval_nudge", 1)
    assert nudge.recipient == "artist" and nudge.status in DELIVERED
    assert "72 hours" in nudge.body and "Approve:" in nudge.body  # with its one-tap links
    lead = await settled(handle, lambda lead: lead.artist_nudges == 1)

    await env.sleep(100 * HOUR)
    assert len(await sent_as(sessions, lead.lead_id, "artist.approval_nudge")) == 1
    assert (await state(handle)).status == "PENDING_APPROVAL"


@pytest.mark.parametrize(
    ("action", "status"), [("approve", "AWAITING_DEPOSIT"), ("reject", "REJECTED")]
)
async def test_a_decision_in_time_means_no_approval_nudge(deposit_worker, sessions, action, status):
    env = deposit_worker
    _, handle, lead = await pending_approval(env, sessions)
    await env.sleep(70 * HOUR)
    result = await handle.execute_update(LeadWorkflow.act, ActionRequest(action))
    assert result.done and result.status == status

    await env.sleep(30 * HOUR)  # past the 72 h the nudge would have fallen at
    assert await sent_as(sessions, lead.lead_id, "artist.approval_nudge") == []
    assert (await state(handle)).status == status
    if status == "REJECTED":
        assert await handle.result() == "REJECTED"


async def test_booking_pending_reminds_the_artist_at_24h_and_72h(deposit_worker, sessions):
    env = deposit_worker
    _, handle, lead = await booking_pending(env, sessions)
    # Paid first: the client has times to pick from, so the reminder says they haven't chosen.
    await env.sleep(23 * HOUR)
    assert await sent_as(sessions, lead.lead_id, CHOOSING_REMINDER) == []

    await env.sleep(2 * HOUR)
    [first] = await count_reaches(sessions, lead.lead_id, CHOOSING_REMINDER, 1)
    assert first.recipient == "artist" and first.status in DELIVERED
    assert "24 hours" in first.body and "hasn't" in first.body and "Mark booked:" in first.body

    await env.sleep(46 * HOUR)  # 71 h
    assert len(await sent_as(sessions, lead.lead_id, CHOOSING_REMINDER)) == 1
    await env.sleep(2 * HOUR)
    reminders = await count_reaches(sessions, lead.lead_id, CHOOSING_REMINDER, 2)
    assert "72 hours" in reminders[1].body
    await settled(handle, lambda lead: lead.artist_nudges == 2)

    await env.sleep(100 * HOUR)
    assert len(await sent_as(sessions, lead.lead_id, CHOOSING_REMINDER)) == 2
    assert (await state(handle)).status == "BOOKING_PENDING"


async def test_mark_booked_cancels_the_booking_reminders(deposit_worker, sessions):
    env = deposit_worker
    _, handle, lead = await booking_pending(env, sessions)
    await env.sleep(12 * HOUR)
    result = await handle.execute_update(LeadWorkflow.act, ActionRequest("mark_booked"))
    assert result.done and result.status == "BOOKED"
    [booked] = await count_reaches(sessions, lead.lead_id, "decision.booked", 1)
    assert booked.recipient == "client"

    await env.sleep(100 * HOUR)
    assert not [m for m in await sent(sessions, lead.lead_id) if "booking_reminder" in m.key]
    assert await handle.result() == "BOOKED"


@pytest.mark.parametrize("decision", ["mark_booked", "reject"])
async def test_a_final_decision_ends_the_run_without_waiting_for_a_timer(
    deposit_worker, sessions, decision
):
    """A final status ends the run (the contact's next message starts a new enquiry); a timer
    armed for the status before must not keep it open until it fires."""
    env = deposit_worker
    if decision == "mark_booked":
        _, handle, _ = await booking_pending(env, sessions)
    else:
        _, handle, _ = await pending_approval(env, sessions)
    await handle.execute_update(LeadWorkflow.act, ActionRequest(decision))
    await eventually(lambda: finished(handle), timeout=5)
