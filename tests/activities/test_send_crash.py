"""send_message when an earlier attempt's fate is unknown (a crash or a timeout between Meta
taking the message and our record of it): Meta's status webhook, which echoes our outbound id
as biz_opaque_callback_data, decides whether the retry sends again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import cast

import aiohttp
import pytest
from sqlalchemy import select, update
from temporalio.exceptions import ApplicationError

from activities.messaging import MessagingActivities, SandboxSender
from activities.whatsapp_cloud import CloudApi
from api.deps import EdgeState
from api.whatsapp_intake import record_delivery
from models import OutboundMessage, SystemEvent
from tests.activities.test_send_message import new_contact, request, send
from tests.conftest import ARTIST
from tests.fakes.graph_api import FakeGraphApi

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
async def impatient(graph: FakeGraphApi, sessions) -> AsyncIterator[MessagingActivities]:
    """send_message over a Cloud API client that gives up on Graph after 0.3 s; Graph answers
    after 1 s, so every send it takes ends in a timeout on our side."""
    graph.clear()
    graph.response_delay = 1.0
    async with aiohttp.ClientSession() as http:
        api = CloudApi(
            base_url=graph.base_url,
            phone_number_id="PNID",
            access_token="test-token",
            client=http,
            timeout=0.3,
        )
        yield MessagingActivities(sessions, api, artist_number=ARTIST)
    graph.clear()


async def row_of(sessions, outbound_id: str) -> OutboundMessage:
    async with sessions() as session:
        row = await session.get(OutboundMessage, outbound_id)
    assert row is not None
    return row


async def test_every_send_carries_its_outbound_id_for_meta_to_echo(sender, graph, sessions):
    key, _ = await new_contact(sessions)
    req = request(key)
    await send(sender, req)
    assert graph.sent[-1]["biz_opaque_callback_data"] == req.outbound_id


async def test_a_send_meta_took_before_the_crash_is_not_sent_again(impatient, graph, sessions):
    key, phone = await new_contact(sessions)
    req = request(key)
    with pytest.raises(ApplicationError):
        await send(impatient, req)  # Meta took it; we never heard back
    assert (await row_of(sessions, req.outbound_id)).status == "SENDING"
    # Meta's "sent" status names our outbound id and its wamid.
    wamid = graph.wamid_of(req.outbound_id)
    assert wamid is not None
    state = cast(EdgeState, SimpleNamespace(sessions=sessions))
    await record_delivery(state, wamid, "sent", req.outbound_id)

    graph.response_delay = 0.0
    result = await send(impatient, req)  # Temporal's retry

    assert (result.status, result.provider_message_id) == ("SENT", wamid)
    assert graph.sends_per_outbound_id()[req.outbound_id] == 1
    row = await row_of(sessions, req.outbound_id)
    assert (row.status, row.provider_message_id, row.delivery) == ("SENT", wamid, "sent")


async def test_an_unconfirmed_send_waits_for_the_status_then_goes_again(impatient, graph, sessions):
    key, _ = await new_contact(sessions)
    req = request(key)
    with pytest.raises(ApplicationError):
        await send(impatient, req)
    graph.response_delay = 0.0

    # No status yet, inside the window: a short retry, nothing sent.
    with pytest.raises(ApplicationError) as waiting:
        await send(impatient, req)
    assert waiting.value.type == "AwaitingStatus"
    assert waiting.value.next_retry_delay is not None
    assert waiting.value.next_retry_delay <= timedelta(seconds=5)
    assert graph.sends_per_outbound_id()[req.outbound_id] == 1

    # Still nothing a minute after the attempt: it is taken as lost and sent again.
    async with sessions.begin() as session:
        await session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id == req.outbound_id)
            .values(attempted_at=datetime.now(UTC) - timedelta(seconds=61))
        )
    result = await send(impatient, req)
    assert result.status == "SENT" and graph.sends_per_outbound_id()[req.outbound_id] == 2
    async with sessions() as session:
        warned = await session.scalar(
            select(SystemEvent).where(SystemEvent.source == f"send/{req.outbound_id}")
        )
    assert warned is not None and warned.level == "WARN"
    assert "sent again" in warned.detail["reason"]


async def test_a_send_graph_refused_is_retried_at_once(sender, graph, sessions):
    key, _ = await new_contact(sessions)
    graph.fail_next(131016, http_status=503)
    req = request(key)
    with pytest.raises(ApplicationError):
        await send(sender, req)
    assert (await row_of(sessions, req.outbound_id)).status == "RETRYING"
    result = await send(sender, req)  # no wait: Graph said no, so nothing went out
    assert result.status == "SENT" and graph.sends_per_outbound_id()[req.outbound_id] == 1


async def test_the_sandbox_resends_an_interrupted_attempt_at_once(sessions):
    # The sandbox's outbox row is the message: sending it again cannot make a second one.
    key, _ = await new_contact(sessions)
    req = request(key)
    async with sessions.begin() as session:
        session.add(
            OutboundMessage(
                id=req.outbound_id, contact_key=key, recipient="client", lead_id=req.lead_id,
                key=req.message.key, body=req.message.text, message={}, status="SENDING",
                attempted_at=datetime.now(UTC),
            )
        )  # fmt: skip
    sandbox = MessagingActivities(sessions, SandboxSender(), artist_number=ARTIST)
    result = await send(sandbox, req)
    assert result.status == "SENT" and result.detail == ""
    assert (await row_of(sessions, req.outbound_id)).status == "SENT"
