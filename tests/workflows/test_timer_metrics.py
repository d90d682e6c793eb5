"""Timers that fire are counted through the Temporal SDK's metric meter (exported on the worker's
Temporal metrics port), on the time-skipping server with a runtime whose metrics a test reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.runtime import MetricBuffer, Runtime, TelemetryConfig

import devstack
from tests.workflows.runs import client_says, sandbox_settings, sent_keys, settled, start_lead
from worker import build_worker, http_clients
from workflows.lead import TIMERS_FIRED

pytestmark = pytest.mark.asyncio(loop_scope="session")
QUEUE = "leads-timer-metrics"


async def test_a_fired_reminder_timer_is_counted(sessions, database_url) -> None:
    buffer = MetricBuffer(10_000)
    runtime = Runtime(telemetry=TelemetryConfig(metrics=buffer))
    env = await devstack.time_skipping_server(runtime)
    settings = sandbox_settings(database_url, QUEUE)
    async with env, http_clients() as http, build_worker(env.client, settings, sessions, http):
        key, handle = await start_lead(env, sessions, queue=QUEUE)
        await client_says(handle, "A dragon on my back")
        await settled(handle, lambda lead: lead.step == 1)

        def fired() -> float:
            return sum(
                update.value
                for update in buffer.retrieve_updates()
                if update.metric.name == TIMERS_FIRED
            )

        assert fired() == 0  # the conversation alone fires no timer
        await env.sleep(timedelta(hours=13))  # past the 12 h nudge
        assert ("reminder.1", "SENT") in await sent_keys(sessions, key)
        assert fired() == 1
