"""A WhatsApp outage longer than every retry, on the time-skipping server: the replies are given
up on the record and the lead's run goes on, answering the next message once WhatsApp is back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import SystemEvent
from settings import Settings
from tests.conftest import eventually
from tests.workflows.runs import client_says, start_lead, state
from worker import build_worker, http_clients

pytestmark = pytest.mark.asyncio(loop_scope="session")
QUEUE = "leads-outage"


@pytest.fixture(scope="module")
async def cloud_worker(time_skipping, sessions, database_url, graph):
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        DATABASE_URL=database_url,
        TEMPORAL_TASK_QUEUE=QUEUE,
        ARTIST_WHATSAPP_NUMBER="447700900002",
        WHATSAPP_MODE="cloud",
        WHATSAPP_API_BASE_URL=graph.base_url,
        WHATSAPP_ACCESS_TOKEN="test-token",
        WHATSAPP_PHONE_NUMBER_ID="PNID",
        STRIPE_MODE="sandbox",
    )
    async with (
        http_clients() as http,
        build_worker(time_skipping.client, settings, sessions, http),
    ):
        yield time_skipping


async def gave_up(sessions, lead_id: str) -> list[dict]:
    async with sessions() as session:
        rows = await session.scalars(
            select(SystemEvent.detail)
            .where(SystemEvent.lead_id == lead_id, SystemEvent.type == "whatsapp.send_gave_up")
            .order_by(SystemEvent.id)
        )
        return list(rows)


async def test_an_outage_longer_than_every_retry_gives_the_reply_up_and_the_lead_goes_on(
    cloud_worker, sessions, graph
):
    env = cloud_worker
    graph.clear()
    graph.fail_next(1, times=30, http_status=503)  # every one of the 30 tries, over about 2 h
    _, handle = await start_lead(env, sessions, queue=QUEUE)
    lead = await eventually(lambda: state(handle))
    await env.sleep(timedelta(hours=3))

    events = await eventually(lambda: gave_up(sessions, lead.lead_id))
    assert [event["message"] for event in events] == ["welcome"]
    assert "Injected error" in events[0]["error"]  # what the Graph API said, kept for ops
    assert graph.sent == []
    # WhatsApp is back: the run takes the next message (a closed run would refuse the signal)
    # and answers it as usual.
    await client_says(handle, "A swallow on my wrist")
    await eventually(lambda: graph.sent)
    assert (await state(handle)).status == "QUALIFYING"
    await handle.terminate("test done")
