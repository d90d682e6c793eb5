"""The lead workflow reads a client's messages in the order they were sent, on the
time-skipping server: a fresh message waits for its settle window (a workflow timer) so an
older one delivered after it is read first, and same-second messages are placed by content."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle

from consultation.lead import Lead
from consultation.messages import Inbound
from tests.workflows.runs import sandbox_settings, sent_keys, settled, start_lead, state
from worker import build_worker, http_clients
from workflows.lead import LeadWorkflow

pytestmark = pytest.mark.asyncio(loop_scope="session")
QUEUE = "leads-order"


@pytest.fixture(scope="module")
async def env(time_skipping, sessions, database_url):
    settings = sandbox_settings(database_url, QUEUE)
    async with (
        http_clients() as http,
        build_worker(time_skipping.client, settings, sessions, http),
    ):
        yield time_skipping


async def asked_the_idea(env, sessions) -> tuple[str, WorkflowHandle]:
    key, handle = await start_lead(env, sessions, queue=QUEUE)
    await settled(handle, lambda lead: lead.status == "QUALIFYING")
    return key, handle


async def now_epoch(env) -> int:
    return int((await env.get_current_time()).timestamp())


async def send(handle: WorkflowHandle, text: str, sent_at: int) -> None:
    await handle.signal(LeadWorkflow.message, Inbound(f"m-{uuid.uuid4()}", sent_at, text=text))


async def test_an_older_message_delivered_after_a_newer_one_is_read_first(env, sessions):
    key, handle = await asked_the_idea(env, sessions)
    sent = await now_epoch(env)
    await send(handle, "Upper arm, outside", sent + 1)  # the newer message arrives first
    await env.sleep(timedelta(seconds=0.2))
    assert "idea" not in (await state(handle)).answers  # still settling
    await send(handle, "A heron in reeds", sent)
    await env.sleep(timedelta(seconds=5))
    lead = await settled(handle, lambda lead: "placement" in lead.answers)
    assert lead.answers["idea"] == "A heron in reeds"
    assert lead.answers["placement"] == "Upper arm, outside"
    keys = [k for k, _ in await sent_keys(sessions, key)]
    assert keys[-2:] == ["question.placement", "question.dimensions"]
    await handle.terminate("test done")


async def test_a_message_delivered_after_its_window_is_read_without_a_timer(env, sessions):
    key, handle = await asked_the_idea(env, sessions)
    await send(handle, "A moth with an eye on each wing", await now_epoch(env) - 30)
    lead = await settled(handle, lambda lead: "idea" in lead.answers)
    assert lead.answers["idea"] == "A moth with an eye on each wing"
    history = await handle.fetch_history()
    timers = [
        e.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta()
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_TIMER_STARTED
    ]
    assert timers and min(timers) > timedelta(hours=1)  # the 12 h nudge only: no settling
    await handle.terminate("test done")


async def test_a_same_second_idea_and_size_each_land_on_their_question(env, sessions):
    key, handle = await asked_the_idea(env, sessions)
    sent = await now_epoch(env)
    await send(handle, "9x7cm", sent)  # arrives first, though typed second
    await send(handle, "A fox curled asleep", sent)
    await env.sleep(timedelta(seconds=5))
    await settled(handle, lambda lead: "idea" in lead.answers)
    await send(handle, "Ribs", sent + 6)
    await env.sleep(timedelta(seconds=5))
    lead: Lead = await settled(handle, lambda lead: "dimensions" in lead.answers)
    assert lead.answers["idea"] == "A fox curled asleep"
    assert lead.answers["dimensions"] == "9x7cm"
    assert lead.answers["placement"] == "Ribs"
    keys = [k for k, _ in await sent_keys(sessions, key)]
    assert "tie.taken_as" not in keys  # content placed them: nothing to own up to
    assert keys[-1] == "question.style"  # the size was not asked again
    await handle.terminate("test done")


async def test_a_same_second_pair_content_cannot_place_is_read_and_the_client_told(env, sessions):
    key, handle = await asked_the_idea(env, sessions)
    sent = await now_epoch(env)
    # ("Shin" alone would be placed: it plainly answers the placement question.)
    await send(handle, "A wolf howling", sent)
    await send(handle, "Just above the knee please", sent)
    await env.sleep(timedelta(seconds=5))
    lead = await settled(handle, lambda lead: "placement" in lead.answers)
    assert (lead.answers["idea"], lead.answers["placement"]) == (
        "A wolf howling",
        "Just above the knee please",
    )
    keys = [k for k, _ in await sent_keys(sessions, key)]
    assert keys[-2:] == ["tie.taken_as", "question.dimensions"]
    await handle.terminate("test done")
