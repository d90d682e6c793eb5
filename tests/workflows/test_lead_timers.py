"""Qualifying reminders as workflow timers, on the time-skipping test server: 12 h nudge, 36 h
closes the enquiry as ABANDONED (by template, since the 24 h window is shut), a reply cancels."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType

from tests.workflows.runs import (
    QUEUE,
    client_says,
    sandbox_settings,
    sent_keys,
    settled,
    start_lead,
    state,
)
from worker import build_worker, http_clients

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture(scope="module")
async def timer_worker(time_skipping, sessions, database_url):
    settings = sandbox_settings(database_url, QUEUE)
    async with (
        http_clients() as http,
        build_worker(time_skipping.client, settings, sessions, http),
    ):
        yield time_skipping


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


async def test_messages_keep_one_timer_and_the_reminder_still_counts_from_the_last(
    timer_worker, sessions
):
    """A message moves the reminder later; the timer set for earlier is kept and, when it
    fires early, only makes the run look again. So a message costs no timer cancelled and
    started, and the nudge still comes 12 h after the last message, not the first."""
    env = timer_worker
    key, handle = await start_lead(env, sessions)
    for step, answer in enumerate(["A dragon on my back", "Forearm", "10x12cm"], 1):
        await client_says(handle, answer)
        await settled(handle, lambda lead, s=step: lead.step == s)
        await env.sleep(timedelta(hours=3))
    # 9 h after the first message, 3 h after the last: nothing due yet, though the first
    # message's timer (12 h) fires meanwhile.
    await env.sleep(timedelta(hours=5))  # 8 h after the last
    assert not [k for k, _ in await sent_keys(sessions, key) if k.startswith("reminder")]
    await env.sleep(timedelta(hours=5))  # 13 h after the last
    assert [k for k, _ in await sent_keys(sessions, key)].count("reminder.1") == 1

    history = await handle.fetch_history()
    kinds = [EventType.Name(event.event_type) for event in history.events]
    assert kinds.count("EVENT_TYPE_TIMER_CANCELED") == 0
    assert kinds.count("EVENT_TYPE_TIMER_STARTED") < 3 + 2  # not one per message
    await handle.terminate("test done")
