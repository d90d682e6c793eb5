"""Fixtures for the workflow tests that serve more than one module."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

import devstack
import worker
from activities.payments import SandboxCheckout
from models import CalendarHold
from tests.workflows.booking_runs import ARTIST_ID, QUEUE, server_clients, server_now
from tests.workflows.campaign_runs import campaign_worker
from tests.workflows.runs import sandbox_settings


@pytest.fixture
async def deposit_worker(sessions, database_url):
    """A time-skipping server and a worker of its own for each test: these tests sleep through
    days of timers, and a lead one test leaves behind must not hold the next test's clock (a
    shared server once stopped skipping time for every test after one, under load). The test's
    holds and bookings go with it too: the database's clock does not skip."""
    settings = sandbox_settings(database_url, QUEUE)
    settings.ARTIST_ID = ARTIST_ID
    # The sandbox checkout judged by the test server's skipped clock, not the wall clock.
    checkout = SandboxCheckout(sessions, settings.PUBLIC_BASE_URL, clock=server_now)
    env = await devstack.time_skipping_server()
    async with env, worker.http_clients() as http:
        lead_worker = worker.build_worker(env.client, settings, sessions, http, checkout=checkout)
        async with lead_worker:
            server_clients[:] = [env.client]
            yield env
    async with sessions.begin() as session:
        await session.execute(delete(CalendarHold).where(CalendarHold.artist_id == ARTIST_ID))


@pytest.fixture
async def campaign_env(sessions, graph):
    """A time-skipping server and campaign worker per test: these tests sleep through days, and
    a campaign one test leaves behind must not hold the next test's clock."""
    graph.clear()
    server = await devstack.time_skipping_server()
    async with server, campaign_worker(server.client, sessions, graph):
        yield server
