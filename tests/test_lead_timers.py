"""Qualifying reminders as workflow timers, on the time-skipping test server: 12 h nudge, 36 h
closes the enquiry as ABANDONED (by template, since the 24 h window is shut), a reply cancels."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from temporalio.client import WorkflowHandle

from consultation.lead import Lead, Policy
from consultation.messages import Inbound
from models import Contact, OutboundMessage
from settings import Settings
from tests.conftest import eventually
from worker import build_worker
from workflows.contracts import LeadInput
from workflows.lead import LeadWorkflow

pytestmark = pytest.mark.asyncio(loop_scope="session")
QUEUE = "leads-timers"


def sandbox_settings(database_url: str, queue: str) -> Settings:
    """Every provider in sandbox mode: the workflow's timers are what is under test."""
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        DATABASE_URL=database_url,
        TEMPORAL_TASK_QUEUE=queue,
        ARTIST_WHATSAPP_NUMBER="447700900002",
        WHATSAPP_MODE="sandbox",
        STRIPE_MODE="sandbox",
    )


@pytest.fixture(scope="module")
async def timer_worker(time_skipping, sessions, database_url):
    settings = sandbox_settings(database_url, QUEUE)
    async with (
        httpx.AsyncClient() as http,
        build_worker(time_skipping.client, settings, sessions, http),
    ):
        yield time_skipping


async def start_lead(
    env, sessions, *, queue: str = QUEUE, text: str = "Hi", message_id: str | None = None
) -> tuple[str, WorkflowHandle]:
    """A new contact whose first message starts their lead workflow on `queue`."""
    key = uuid.uuid4().hex[:32]
    async with sessions.begin() as session:
        session.add(Contact(key=key, wa_id=f"4477{uuid.uuid4().int % 10**8:08d}"))
    handle = await env.client.start_workflow(
        LeadWorkflow.run,
        LeadInput(contact_key=key, policy=Policy(artist_name="Sam")),
        id=f"lead-{key}",
        task_queue=queue,
        start_signal="message",
        start_signal_args=[
            Inbound(message_id=message_id or f"m-{uuid.uuid4()}", sent_at=0, text=text)
        ],
    )
    return key, handle


async def client_says(handle: WorkflowHandle, text: str) -> None:
    await handle.signal(
        LeadWorkflow.message, Inbound(message_id=f"m-{uuid.uuid4()}", sent_at=0, text=text)
    )


async def sent_keys(sessions, key: str) -> list[tuple[str, str]]:
    async with sessions() as session:
        rows = await session.execute(
            select(OutboundMessage.key, OutboundMessage.status)
            .where(OutboundMessage.contact_key == key)
            .order_by(OutboundMessage.seq)
        )
        return [(row.key, row.status) for row in rows]


async def state(handle: WorkflowHandle) -> Lead:
    return await handle.query(LeadWorkflow.state)


async def settled(handle: WorkflowHandle, check) -> Lead:
    """The lead once the workflow has processed what it was sent (signals are asynchronous)."""

    async def ready():
        lead = await state(handle)
        return lead if check(lead) else None

    return await eventually(ready)


async def test_silent_client_is_nudged_at_12h_and_abandoned_at_36h(timer_worker, sessions):
    env = timer_worker
    key, handle = await start_lead(env, sessions)
    await client_says(handle, "A dragon on my back")
    await settled(handle, lambda lead: lead.step == 1)

    await env.sleep(timedelta(hours=11))
    assert not [k for k, _ in await sent_keys(sessions, key) if k.startswith("reminder")]

    await env.sleep(timedelta(hours=2))
    keys = await sent_keys(sessions, key)
    assert ("reminder.1", "SENT") in keys

    # Nothing more until 36 h after the last message; then the enquiry closes by template.
    assert await handle.result() == "ABANDONED"
    keys = await sent_keys(sessions, key)
    assert ("reminder.final", "TEMPLATE") in keys
    assert [k for k, _ in keys].count("reminder.1") == 1


async def test_a_reply_cancels_the_pending_reminder(timer_worker, sessions):
    env = timer_worker
    key, handle = await start_lead(env, sessions)
    await env.sleep(timedelta(hours=10))
    await client_says(handle, "A koi fish")  # restarts the clock
    await settled(handle, lambda lead: lead.step == 1)
    await env.sleep(timedelta(hours=10))
    assert not [k for k, _ in await sent_keys(sessions, key) if k.startswith("reminder")]
    lead = await state(handle)
    assert lead.status == "QUALIFYING" and lead.reminders_sent == 0

    await env.sleep(timedelta(hours=3))  # 13 h after the reply
    assert [k for k, _ in await sent_keys(sessions, key)].count("reminder.1") == 1
    await client_says(handle, "Forearm")
    await settled(handle, lambda lead: lead.step == 2)
    await env.sleep(timedelta(hours=30))  # final reminder would have fallen at 36 h of silence
    assert (await state(handle)).status == "QUALIFYING"
    assert "reminder.final" not in [k for k, _ in await sent_keys(sessions, key)]
    await handle.terminate("test done")


async def test_reminders_stop_once_the_lead_is_handed_over(timer_worker, sessions):
    env = timer_worker
    key, handle = await start_lead(env, sessions)
    await client_says(handle, "human")
    await settled(handle, lambda lead: lead.status == "NEEDS_ARTIST_REPLY")
    await env.sleep(timedelta(days=3))
    assert not [k for k, _ in await sent_keys(sessions, key) if k.startswith("reminder")]
    await handle.terminate("test done")
