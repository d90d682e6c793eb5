"""The artist's daily digest on the time-skipping test server: one message a day at the digest
hour, listing the leads waiting on the artist (from the read model) with their one-tap links."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowExecutionStatus

import devstack
import worker
from models import LeadRecord, OutboundMessage
from tests.conftest import eventually
from tests.workflows.runs import sandbox_settings
from workflows.digest import DIGEST_ID, DigestInput, DigestWorkflow

pytestmark = pytest.mark.asyncio(loop_scope="session")
QUEUE = "digest"
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)  # quiet longest: listed first


async def add_lead(sessions, status: str) -> str:
    lead_id = f"dg{uuid.uuid4().hex[:14]}"
    async with sessions.begin() as session:
        session.add(
            LeadRecord(
                lead_id=lead_id,
                contact_key=uuid.uuid4().hex[:32],
                workflow_id=f"lead-{lead_id}",
                run_id=uuid.uuid4().hex,
                status=status,
                answers={},
                parsed={},
                version=1,
                updated_at=LONG_AGO,
            )
        )
    return lead_id


async def digests(sessions, ids: list[str]) -> list[OutboundMessage]:
    """The digests sent that list any of `ids`."""
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.id.like("digest:%"))
            .order_by(OutboundMessage.seq)
        )
        return [row for row in rows if any(f"Lead {i[:8]}" in row.body for i in ids)]


async def test_one_digest_a_day_lists_the_leads_waiting_on_the_artist_with_links(
    sessions, database_url
):
    approval = await add_lead(sessions, "PENDING_APPROVAL")
    collecting = await add_lead(sessions, "COLLECTING_TIME_WINDOWS")
    booked = await add_lead(sessions, "BOOKED")
    settings = sandbox_settings(database_url, QUEUE)
    env = await devstack.time_skipping_server()
    async with (
        env,
        worker.http_clients() as http,
        worker.build_worker(env.client, settings, sessions, http),
    ):
        handle = await env.client.start_workflow(
            DigestWorkflow.run,
            DigestInput(hour_utc=8),
            id=f"digest-{uuid.uuid4().hex[:8]}",
            task_queue=QUEUE,
        )
        ours = [approval, collecting, booked]
        await env.sleep(timedelta(hours=25))  # the digest hour has come once
        [first] = await eventually(lambda: digests(sessions, ours))
        assert first.recipient == "artist" and first.key == "artist.digest"
        assert first.status in ("SENT", "TEMPLATE")
        body = first.body
        assert "waiting on you" in body
        assert f"Lead {approval[:8]}: it is waiting for your approval" in body
        assert "✅ Approve: http" in body and "❌ Reject: http" in body
        assert f"Lead {collecting[:8]}: the client is sharing the times" in body
        assert "🗓 Offer new times: http" in body
        assert f"Lead {booked[:8]}" not in body  # not waiting on anyone

        await env.sleep(timedelta(hours=24))
        sent = await eventually(
            lambda: _at_least(digests(sessions, ours), 2)  # type: ignore[arg-type]
        )
        assert len(sent) == 2 and sent[0].id != sent[1].id  # one a day, each day its own
        await handle.terminate("test done")


async def _at_least(found, count: int):  # type: ignore[no-untyped-def]
    rows = await found
    return rows if len(rows) >= count else None


async def test_every_worker_starting_up_shares_one_digest_run(time_skipping, database_url):
    settings = sandbox_settings(database_url, QUEUE)
    settings.DIGEST_HOUR_UTC = 6
    first = await worker.start_digest(time_skipping.client, settings)
    again = await worker.start_digest(time_skipping.client, settings)  # another worker, a restart
    assert first.id == again.id == DIGEST_ID
    assert first.result_run_id == again.result_run_id  # the run already going, not a new one
    described = await again.describe()
    assert described.status == WorkflowExecutionStatus.RUNNING
    await again.terminate("test done")
