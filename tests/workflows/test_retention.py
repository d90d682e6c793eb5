"""Retention on the time-skipping server: a contact whose leads all finished before the cut-off
is erased (rows and event), while one with a recent or unfinished lead is kept."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models import Contact, LeadRecord, SystemEvent
from tests.conftest import eventually
from tests.workflows.runs import sandbox_settings
from worker import build_worker, http_clients
from workflows.retention import RetentionInput, RetentionWorkflow

pytestmark = pytest.mark.asyncio(loop_scope="session")
QUEUE = "leads-retention"


async def contact_with_lead(sessions, status: str, days_ago: int) -> str:
    key = uuid.uuid4().hex[:32]
    updated = datetime.now(UTC) - timedelta(days=days_ago)
    async with sessions.begin() as session:
        session.add(Contact(key=key, wa_id=f"4477{uuid.uuid4().int % 10**8:08d}"))
        session.add(
            LeadRecord(
                lead_id=uuid.uuid4().hex, contact_key=key, workflow_id=f"lead-{key}",
                run_id="r", status=status, answers={"idea": "a koi"}, parsed={},
                updated_at=updated, created_at=updated,
            )
        )  # fmt: skip
    return key


async def test_finished_leads_past_retention_are_erased_and_the_rest_kept(
    time_skipping, sessions, database_url
) -> None:
    expired = await contact_with_lead(sessions, "ABANDONED", days_ago=40)
    recent = await contact_with_lead(sessions, "REJECTED", days_ago=5)
    unfinished = await contact_with_lead(sessions, "PENDING_APPROVAL", days_ago=60)
    settings = sandbox_settings(database_url, QUEUE)
    async with (
        http_clients() as http,
        build_worker(time_skipping.client, settings, sessions, http),
    ):
        handle = await time_skipping.client.start_workflow(
            RetentionWorkflow.run,
            RetentionInput(days=30),
            id=f"retention-{uuid.uuid4()}",
            task_queue=QUEUE,
        )

        async def gone() -> bool:
            async with sessions() as session:
                return await session.get(Contact, expired) is None

        await eventually(gone, timeout=20, interval=0.2)
        await handle.terminate()
    async with sessions() as session:
        assert await session.get(Contact, recent) is not None
        assert await session.get(Contact, unfinished) is not None
        leads = await session.scalars(select(LeadRecord).where(LeadRecord.contact_key == expired))
        assert leads.all() == []
        events = await session.scalars(
            select(SystemEvent).where(SystemEvent.type == "contact.erased")
        )
        assert any(e.detail.get("reason") == "retention" for e in events.all())
