"""The artist answering in person, on the time-skipping server: while the artist handles a lead
no timer of the bot's fires (no nudge, no closing as ABANDONED); a reply once the client's 24 h
window has shut is refused with the re-open template offered; handing back re-arms the
reminders from the hand-back."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError

from consultation.messages import Inbound
from models import OutboundMessage
from tests.conftest import eventually
from tests.workflows.runs import client_says, sandbox_settings, sent_keys, settled, start_lead
from worker import build_worker, http_clients
from workflows.contracts import ActionRequest
from workflows.lead import LeadWorkflow

pytestmark = pytest.mark.asyncio(loop_scope="session")

QUEUE = "leads-takeover"


@pytest.fixture(scope="module")
async def takeover_worker(time_skipping, sessions, database_url):
    settings = sandbox_settings(database_url, QUEUE)
    async with (
        http_clients() as http,
        build_worker(time_skipping.client, settings, sessions, http),
    ):
        yield time_skipping


async def artist_says(handle, text: str) -> None:
    message = Inbound(message_id=f"a-{uuid.uuid4()}", sent_at=0, text=text, from_artist=True)
    await handle.signal(LeadWorkflow.message, message)


async def sent(sessions, key: str, wanted: tuple[str, str]) -> bool:
    return wanted in await sent_keys(sessions, key)


async def to_artist(sessions, lead_id: str) -> list[tuple[str, str]]:
    async with sessions() as session:
        rows = await session.execute(
            select(OutboundMessage.key, OutboundMessage.body)
            .where(OutboundMessage.lead_id == lead_id, OutboundMessage.recipient == "artist")
            .order_by(OutboundMessage.seq)
        )
        return [(row.key, row.body) for row in rows]


async def test_timers_wait_while_the_artist_handles_the_lead(takeover_worker, sessions):
    env = takeover_worker
    key, handle = await start_lead(env, sessions, queue=QUEUE)
    await client_says(handle, "A dragon on my back")
    await settled(handle, lambda lead: lead.step == 1)
    await artist_says(handle, "Hi, Sam here: a dragon sounds great")
    await settled(handle, lambda lead: lead.taken_over)
    assert await eventually(
        lambda: sent(sessions, key, ("artist.reply", "SENT"))
    )  # the query answers while the turn's send is still on its way

    # Well past the 12 h nudge and the 36 h close: nothing fires while the artist has it.
    await env.sleep(timedelta(hours=40))
    lead = await settled(handle, lambda lead: True)
    assert lead.status == "QUALIFYING" and lead.taken_over
    assert not [k for k, _ in await sent_keys(sessions, key) if k.startswith("reminder")]

    # The client's window has shut: the artist's next reply is refused, the template offered.
    await artist_says(handle, "Still there?")
    refused = await settled(
        handle, lambda lead: lead.version > 0 and lead.taken_over and lead.step == 1
    )

    async def closed_told():
        told = await to_artist(sessions, refused.lead_id)
        return [body for k, body in told if k == "takeover.window_closed"]

    closed = await eventually(closed_told)
    assert "Ask the client to write back: http" in closed[0]
    assert [k for k, _ in await sent_keys(sessions, key)].count("artist.reply") == 1

    # The artist taps it: the approved template goes to the client.
    result = await handle.execute_update(LeadWorkflow.act, ActionRequest("reopen", "link"))
    assert result.done
    assert await eventually(lambda: sent(sessions, key, ("takeover.reopen", "TEMPLATE")))

    # Handed back: the reminders count from the hand-back, not from the client's last word.
    result = await handle.execute_update(LeadWorkflow.act, ActionRequest("hand_back", "link"))
    assert result.done and result.status == "QUALIFYING"
    assert not (await settled(handle, lambda lead: not lead.taken_over)).taken_over
    await env.sleep(timedelta(hours=11))
    assert not [k for k, _ in await sent_keys(sessions, key) if k.startswith("reminder")]
    await env.sleep(timedelta(hours=2))
    assert [k for k, _ in await sent_keys(sessions, key)].count("reminder.1") == 1
    await handle.terminate("test done")


async def test_hand_back_is_refused_when_the_artist_is_not_handling_the_lead(
    takeover_worker, sessions
):
    env = takeover_worker
    _, handle = await start_lead(env, sessions, queue=QUEUE)
    await settled(handle, lambda lead: lead.status == "QUALIFYING")
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(LeadWorkflow.act, ActionRequest("hand_back", "link"))
    assert "is not being handled by you" in str(refused.value.cause)
    await handle.terminate("test done")
