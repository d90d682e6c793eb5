"""No lead stuck, on the time-skipping test server: a reminder that could not be sent is not
counted as sent; a lead left waiting on the artist goes STALE and the client returning is
welcomed back; with nothing free in the calendar the artist is told, the client reminded, and
the lead handed to the artist, who can act on it meanwhile."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from temporalio.testing import WorkflowEnvironment

import devstack
import worker
from activities.calendar import Calendar
from consultation.templates import TEMPLATES
from models import SystemEvent
from stores.calendar import CalendarEvent
from stores.spans import Span
from tests.conftest import eventually
from tests.workflows.booking_runs import (
    QUEUE,
    approved,
    count_reaches,
    pending_approval,
    sent,
)
from tests.workflows.runs import client_says, sandbox_settings, settled, state
from workflows.contracts import ActionRequest
from workflows.lead import LeadWorkflow

pytestmark = pytest.mark.asyncio(loop_scope="session")
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


class FullCalendar:
    """An artist with no free time at all."""

    async def busy(self, start: datetime, end: datetime) -> list[Span]:
        return [Span(start, end)]

    async def event_exists(self, event_id: str) -> bool:
        return False

    async def create_event(self, event: CalendarEvent) -> None:
        raise AssertionError("nothing is ever booked in a full calendar")

    async def cancel_event(self, event_id: str) -> None:
        return None


@contextlib.asynccontextmanager
async def server(
    sessions, database_url: str, calendar: Calendar | None = None
) -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of the test's own (these tests sleep through weeks) and a worker
    whose WhatsApp number has every template approved but `booking_times`."""
    settings = sandbox_settings(database_url, QUEUE)
    settings.WHATSAPP_APPROVED_TEMPLATES = ",".join(t for t in TEMPLATES if t != "booking_times")
    env = await devstack.time_skipping_server()
    async with (
        env,
        worker.http_clients() as http,
        worker.build_worker(env.client, settings, sessions, http, calendar=calendar),
    ):
        yield env


async def events_of(sessions, lead_id: str, event_type: str) -> list[SystemEvent]:
    async with sessions() as session:
        rows = await session.scalars(
            select(SystemEvent)
            .where(SystemEvent.lead_id == lead_id, SystemEvent.type == event_type)
            .order_by(SystemEvent.id)
        )
        return list(rows)


async def test_a_reminder_that_could_not_be_sent_is_recorded_skipped_and_not_counted_delivered(
    sessions, database_url
):
    async with server(sessions, database_url) as env:
        _, handle, lead = await approved(env, sessions)
        await env.sleep(25 * HOUR)  # the client's window has shut; its template isn't approved
        [reminder] = await count_reaches(sessions, lead.lead_id, "booking.offer.reminder", 1)
        assert (reminder.recipient, reminder.status) == ("client", "SKIPPED")
        # On the record as not sent (written by the turn that counts the reminders) ...
        [warning] = await eventually(lambda: events_of(sessions, lead.lead_id, "reminder.not_sent"))
        assert warning.level == "WARN"
        assert warning.detail == {"message": "booking.offer.reminder", "status": "SKIPPED"}
        # ... and not counted as delivered, though it fell due (counted in `reminders_sent`,
        # which times the next one at 72 h).
        lead = await state(handle)
        assert lead.deposit is not None and lead.deposit.reminders_sent == 1
        assert lead.reminders_delivered == {}
        await handle.terminate("test done")


async def test_a_lead_left_waiting_on_the_artist_goes_stale_and_the_client_is_welcomed_back(
    sessions, database_url
):
    async with server(sessions, database_url) as env:
        _, handle, lead = await pending_approval(env, sessions)
        await env.sleep(14 * DAY - HOUR)
        assert (await state(handle)).status == "PENDING_APPROVAL"
        nudged = await state(handle)
        assert nudged.reminders_delivered == {"artist.approval_nudge": 1}  # counted: it was sent

        await env.sleep(2 * HOUR)
        [stale] = await count_reaches(sessions, lead.lead_id, "artist.stale", 1)
        assert stale.recipient == "artist" and "went stale after 14 days" in stale.body
        await settled(handle, lambda lead: lead.status == "STALE")

        await client_says(handle, "Hello again, is my swallow still possible?")
        lead = await settled(handle, lambda lead: lead.status == "QUALIFYING")
        assert lead.reviewing and lead.answers  # their answers kept, to confirm
        back = [m for m in await sent(sessions, lead.lead_id) if "Welcome back" in m.body]
        assert [(m.recipient, m.key) for m in back] == [("client", "summary")]
        await handle.terminate("test done")


async def test_with_nothing_free_the_artist_is_told_the_client_reminded_then_handed_over(
    sessions, database_url
):
    async with server(sessions, database_url, calendar=FullCalendar()) as env:
        _, handle, lead = await pending_approval(env, sessions)
        result = await handle.execute_update(LeadWorkflow.act, ActionRequest("approve"))
        assert result.done and result.status == "COLLECTING_TIME_WINDOWS"
        [notice] = await count_reaches(sessions, lead.lead_id, "artist.no_slots", 1)
        assert "Offer new times:" in notice.body and "Reject:" in notice.body

        await env.sleep(25 * HOUR)
        [reminder] = await count_reaches(sessions, lead.lead_id, "booking.windows.reminder", 1)
        assert reminder.recipient == "client" and reminder.status == "TEMPLATE"

        await env.sleep(48 * HOUR)  # 73 h: the artist takes it from here
        lead = await settled(handle, lambda lead: lead.status == "NEEDS_ARTIST_REPLY")
        assert lead.handover_kind == "time_windows"
        await count_reaches(sessions, lead.lead_id, "artist.time_windows", 1)
        result = await handle.execute_update(LeadWorkflow.act, ActionRequest("reject"))
        assert result.done and result.status == "REJECTED"


async def test_the_artist_can_decline_a_lead_while_its_times_are_collected(sessions, database_url):
    async with server(sessions, database_url, calendar=FullCalendar()) as env:
        _, handle, lead = await pending_approval(env, sessions)
        await handle.execute_update(LeadWorkflow.act, ActionRequest("approve"))
        await settled(handle, lambda lead: lead.status == "COLLECTING_TIME_WINDOWS")
        result = await handle.execute_update(LeadWorkflow.act, ActionRequest("reject"))
        assert result.done and result.status == "REJECTED"
        await count_reaches(sessions, lead.lead_id, "decision.rejected", 1)
        assert await handle.result() == "REJECTED"
