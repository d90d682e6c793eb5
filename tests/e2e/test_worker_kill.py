"""End to end with a worker process killed (SIGKILL) while it sends: the fake Graph takes each
reply, reports its status to our webhook as Meta would, and answers slowly, so every kill lands
between Meta taking a reply and the worker recording it. Over 20 kills no reply may reach Graph
twice, and every reply must get there in the end; a campaign killed mid-batch likewise."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from temporalio.client import Client

import devstack
from api.app import create_app
from models import Contact, OutboundMessage
from tests.conftest import APP_SECRET, artist_writes_in, eventually, stack_settings
from tests.e2e.journeys import ANSWERS
from tests.fakes.graph_api import FakeGraphApi, inbound_delivery, sign, text_message
from tests.fakes.loopback import LoopbackServer
from tests.whatsapp_client import new_phone
from tests.workflows.campaign_runs import (
    add_audience,
    add_campaign,
    new_city,
    per_recipient,
    sends_for,
)
from workflows.campaign import CampaignWorkflow
from workflows.campaign_contracts import CampaignInput

pytestmark = pytest.mark.asyncio(loop_scope="session")

ROOT = Path(__file__).resolve().parents[2]
KILLS = 20
QUEUE = "leads-worker-kill"


@pytest.fixture(scope="module")
def temporal_for_kills() -> Iterator[str]:
    # A killed worker's workflow task is handed to the next worker once it times out; the
    # default 10 s would make 20 kills take minutes, so this server's default is 2 s.
    config = {"history.defaultWorkflowTaskTimeout": '"2s"'}
    with devstack.temporal_dev_server(
        None, devstack.free_port(), None, dynamic_config=config
    ) as address:
        yield address


@dataclass
class KillStack:
    http: httpx.AsyncClient
    graph: FakeGraphApi
    env: dict[str, str]
    worker: subprocess.Popen[bytes] | None = None

    def start_worker(self) -> None:
        self.worker = subprocess.Popen(
            [sys.executable, "worker.py"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def kill_worker(self) -> None:
        assert self.worker is not None and self.worker.poll() is None, "worker died by itself"
        os.kill(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=10)
        self.worker = None


@pytest.fixture(scope="module")
async def kill_stack(database_url: str, temporal_for_kills: str) -> AsyncIterator[KillStack]:
    with FakeGraphApi(access_token="test-token") as graph:
        port = devstack.free_port()
        settings = stack_settings(
            database_url,
            temporal_for_kills,
            graph,
            TEMPORAL_TASK_QUEUE=QUEUE,
            PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        )
        graph.report_statuses(f"http://127.0.0.1:{port}/webhooks/whatsapp", APP_SECRET)
        graph.response_delay = 1.0
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", "/tmp"),
            **{
                name: str(getattr(settings, name))
                for name in (
                    "APP_ENV",
                    "DATABASE_URL",
                    "TEMPORAL_ADDRESS",
                    "TEMPORAL_TASK_QUEUE",
                    "WHATSAPP_MODE",
                    "WHATSAPP_ACCESS_TOKEN",
                    "WHATSAPP_PHONE_NUMBER_ID",
                    "WHATSAPP_API_BASE_URL",
                    "ARTIST_WHATSAPP_NUMBER",
                    "ARTIST_NAME",
                    "PUBLIC_BASE_URL",
                    "MEDIA_DIR",
                )
            },
            "STRIPE_MODE": "sandbox",
        }
        with LoopbackServer(create_app(settings), port):
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
                await artist_writes_in(http)
                stack = KillStack(http, graph, env)
                stack.start_worker()
                try:
                    yield stack
                finally:
                    if stack.worker is not None:
                        stack.worker.kill()
                        stack.worker.wait(timeout=10)


async def say(stack: KillStack, phone: str, body: str, at: int) -> None:
    raw = json.dumps(inbound_delivery([text_message(phone, body, timestamp=at)])).encode()
    headers = {"X-Hub-Signature-256": sign(raw, APP_SECRET), "Content-Type": "application/json"}
    response = await stack.http.post("/webhooks/whatsapp", content=raw, headers=headers)
    assert response.status_code == 200, response.text


async def rows_for(sessions, phones: list[str]) -> list[OutboundMessage]:
    """Every outbound row of these clients' leads, the artist's messages about them included."""
    async with sessions() as session:
        keys = select(Contact.key).where(Contact.wa_id.in_(phones))
        leads = select(OutboundMessage.lead_id).where(OutboundMessage.contact_key.in_(keys))
        query = select(OutboundMessage).where(OutboundMessage.lead_id.in_(leads))
        return list((await session.scalars(query)).all())


async def settled(sessions, phone: str, replies: int) -> bool:
    """At least `replies` replies to `phone` are done and none is still in flight."""
    rows = await rows_for(sessions, [phone])
    done = [r for r in rows if r.recipient == "client" and r.status in ("SENT", "TEMPLATE")]
    return len(done) >= replies and all(r.status in ("SENT", "TEMPLATE") for r in rows)


async def test_no_reply_is_sent_twice_or_lost_over_20_worker_kills(kill_stack, sessions):
    stack, graph = kill_stack, kill_stack.graph
    phones = [new_phone(), new_phone()]
    kills, clock = 0, 1_800_000_000
    for phone in phones:
        for number, text in enumerate(["Hi", *ANSWERS, "confirm"], start=1):
            before = len(graph.sent)
            clock += 1
            await say(stack, phone, text, clock)
            if kills < KILLS:
                # Graph has taken the reply and is slow to answer: kill the worker now.
                await eventually(lambda b=before: len(graph.sent) > b, timeout=60)
                stack.kill_worker()
                kills += 1
                stack.start_worker()
            await eventually(lambda p=phone, n=number: settled(sessions, p, n), timeout=90)
    assert kills == KILLS

    async def artist_told_of_both() -> list[OutboundMessage] | None:
        rows = await rows_for(sessions, phones)
        artist = [r for r in rows if r.recipient == "artist" and r.status in ("SENT", "TEMPLATE")]
        return rows if len(artist) >= len(phones) else None

    # Each client finished the consultation and the artist heard about both leads.
    rows = await eventually(artist_told_of_both, timeout=90)
    per_id = graph.sends_per_outbound_id()
    twice = {outbound_id: n for outbound_id, n in per_id.items() if n > 1}
    assert twice == {}, f"sent more than once: {twice}"
    assert all(row.status in ("SENT", "TEMPLATE") for row in rows)
    assert {row.id for row in rows} <= set(per_id), "a reply never reached Graph"


async def test_a_campaign_resumes_after_worker_kills_with_no_recipient_messaged_twice(
    kill_stack, sessions
):
    """Kills land while Graph holds sends of a batch (it answers after a second): the batch is
    retried on the next worker, which finds those sends confirmed by Meta's status webhooks
    (biz_opaque_callback_data) and does not send them again."""
    stack, graph = kill_stack, kill_stack.graph
    city = new_city()
    await add_audience(sessions, city, 40)
    campaign_id = await add_campaign(sessions, city)
    client = await Client.connect(stack.env["TEMPORAL_ADDRESS"])
    handle = await client.start_workflow(
        CampaignWorkflow.run,
        CampaignInput(campaign_id, rate=10, batch_seconds=1),
        id=f"campaign-{campaign_id}",
        task_queue=QUEUE,
    )
    for _ in range(2):
        before = len(sends_for(graph, city))
        await eventually(lambda b=before: len(sends_for(graph, city)) >= b + 5, timeout=120)
        stack.kill_worker()
        stack.start_worker()

    progress = await asyncio.wait_for(handle.result(), timeout=240)

    assert (progress.total, progress.sent) == (40, 40)
    mine = {
        outbound_id: count
        for outbound_id, count in graph.sends_per_outbound_id().items()
        if outbound_id.startswith(f"campaign-{campaign_id}-")
    }
    assert len(mine) == 40 and set(mine.values()) == {1}, "a recipient was messaged twice"
    assert set(per_recipient(sends_for(graph, city)).values()) == {1}
