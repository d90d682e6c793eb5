"""Starting and driving one lead's run on the time-skipping server, for the workflow tests and
the history recorder: settings with every provider in sandbox mode, a new contact's first
message, what the lead was sent."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from temporalio.client import WorkflowHandle

from consultation.lead import Lead, Policy
from consultation.messages import Inbound
from models import Contact, OutboundMessage
from settings import Settings
from tests.conftest import eventually
from workflows.contracts import LeadInput
from workflows.lead import LeadWorkflow

QUEUE = "leads-timers"


def sandbox_settings(database_url: str, queue: str) -> Settings:
    """Every provider in sandbox mode: the workflow's timers are what is under test."""
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        DATABASE_URL=database_url,
        TEMPORAL_TASK_QUEUE=queue,
        ARTIST_WHATSAPP_NUMBER="447700900002",
        WHATSAPP_MODE="sandbox",
        STRIPE_MODE="sandbox",
    )


async def start_lead(
    env, sessions, *, queue: str = QUEUE, text: str = "Hi", message_id: str | None = None
) -> tuple[str, WorkflowHandle]:
    """A new contact whose first message starts their lead workflow on `queue`."""
    key = uuid.uuid4().hex[:32]
    async with sessions.begin() as session:
        session.add(Contact(key=key, wa_id=f"4477{uuid.uuid4().int % 10**8:08d}"))
    handle = await env.client.start_workflow(
        LeadWorkflow.run,
        LeadInput(contact_key=key, policy=Policy(artist_name="Sam")),
        id=f"lead-{key}",
        task_queue=queue,
        start_signal="message",
        start_signal_args=[
            Inbound(message_id=message_id or f"m-{uuid.uuid4()}", sent_at=0, text=text)
        ],
    )
    return key, handle


async def client_says(handle: WorkflowHandle, text: str) -> None:
    await handle.signal(
        LeadWorkflow.message, Inbound(message_id=f"m-{uuid.uuid4()}", sent_at=0, text=text)
    )


async def sent_keys(sessions, key: str) -> list[tuple[str, str]]:
    async with sessions() as session:
        rows = await session.execute(
            select(OutboundMessage.key, OutboundMessage.status)
            .where(OutboundMessage.contact_key == key)
            .order_by(OutboundMessage.seq)
        )
        return [(row.key, row.status) for row in rows]


async def state(handle: WorkflowHandle) -> Lead:
    return await handle.query(LeadWorkflow.state)


async def settled(handle: WorkflowHandle, check) -> Lead:
    """The lead once the workflow has processed what it was sent (signals are asynchronous)."""

    async def ready():
        lead = await state(handle)
        return lead if check(lead) else None

    return await eventually(ready)
