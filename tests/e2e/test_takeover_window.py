"""End to end on the time-skipping server: a handed-over client last wrote over 24 h ago, so the
artist's swipe-reply (through the signed webhook and the relay) is refused; the artist is told,
with a one-tap link that sends the approved template re-opening the conversation."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

import devstack
from api.app import create_app
from tests.conftest import ARTIST, Stack, artist_writes_in, eventually, stack_settings
from tests.e2e.test_takeover import artist_says, handed_over, wamid_of_handover
from tests.fakes.graph_api import text_message
from tests.fakes.loopback import LoopbackServer
from tests.whatsapp_client import body_of, clock, sent_to, told_artist
from worker import build_worker, http_clients

pytestmark = pytest.mark.asyncio(loop_scope="session")

LINK = re.compile(r"Ask the client to write back: (\S+/a/\S+)")


@pytest.fixture(scope="module")
async def skipping(time_skipping, database_url, graph, sessions) -> AsyncIterator[Stack]:
    """The webhook, relay and worker as `stack` has them, on the time-skipping server."""
    env = time_skipping
    port = devstack.free_port()
    settings = stack_settings(
        database_url,
        env.client.service_client.config.target_host,
        graph,
        TEMPORAL_TASK_QUEUE="leads-e2e-window",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
    )
    async with (
        http_clients() as outbound_http,
        build_worker(env.client, settings, sessions, outbound_http),
    ):
        with LoopbackServer(create_app(settings), port):
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=20) as http:
                await artist_writes_in(http)  # the artist's own window: plain messages to them
                yield Stack(settings, f"http://127.0.0.1:{port}", http, env.client, graph,
                            None, None, None)  # type: ignore[arg-type]  # fmt: skip


async def test_a_reply_outside_the_window_is_refused_with_the_template_offered(
    skipping: Stack, time_skipping, sessions
) -> None:
    stack = skipping
    phone, lead = await handed_over(stack, sessions)
    await time_skipping.sleep(timedelta(hours=25))  # the client's 24 h window shuts

    words = f"Sorry for the wait {uuid.uuid4().hex[:6]}"
    swipe = text_message(ARTIST, words, timestamp=next(clock),
                         reply_to=wamid_of_handover(stack, lead.lead_id))  # fmt: skip
    assert (await artist_says(stack, swipe))["received"] == 1
    refusals = await eventually(
        lambda: told_artist(stack, lead.lead_id, "Not sent", "24 hours"), timeout=30
    )
    assert words not in " ".join(body_of(m) for m in sent_to(stack, phone))

    # The link sends the approved template to the client, by template (the window is shut).
    url = LINK.search(body_of(refusals[-1]))
    assert url is not None
    path = url.group(1).removeprefix(stack.base_url)
    confirm = await stack.http.get(path)
    assert confirm.status_code == 200 and "Ask the client to write back" in confirm.text
    done = await stack.http.post(path)
    assert done.status_code == 200 and "Done" in done.text

    def template_sent():
        return [
            m
            for m in sent_to(stack, phone)
            if m["type"] == "template" and m["template"]["name"] == "artist_reply_waiting"
        ]

    (sent,) = await eventually(template_sent, timeout=30)
    params = sent["template"]["components"][0]["parameters"]
    assert [p["text"] for p in params] == ["Sam"]
