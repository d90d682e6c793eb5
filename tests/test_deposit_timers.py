"""Deposit, approval and booking timers as workflow timers, on the time-skipping test server: the
deposit link on approval, reminders at 24 h and 72 h (each with a fresh checkout once the last
one lapsed), expiry at 96 h, late payments, the artist's nudges, and what each reminder really
was sent as (SENT inside the client's 24 h window, TEMPLATE outside it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from temporalio import activity
from temporalio.client import WorkflowHandle

import activities.payments
from consultation.lead import Lead, Payment, Policy
from consultation.messages import Inbound
from models import CheckoutSessionRow, Contact, OutboundMessage
from tests.conftest import eventually
from tests.record_histories import CONSULTATION
from tests.test_lead_timers import client_says, sandbox_settings, settled, state
from worker import build_worker
from workflows.contracts import ActionRequest, LeadInput
from workflows.lead import LeadWorkflow

pytestmark = pytest.mark.asyncio(loop_scope="session")
QUEUE = "leads-deposit-timers"
HOUR = timedelta(hours=1)


class _ServerClock(datetime):
    """`datetime` for activities/payments.py whose `now()`, in a checkout activity on this
    file's queue, is the test server's (skipped) time at which the activity was scheduled.

    The sandbox checkout judges a session's life by the wall clock, which time skipping does not
    move: without this a session made "23 h" ago would still be open, and every renewal would
    hand back the same session. In production the workflow's and the provider's clocks agree;
    this makes them agree here too. Everywhere else (other queues, other tests) it is the real
    clock."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
        if activity.in_activity():
            info = activity.info()
            if info.task_queue == QUEUE and not info.is_local:
                return info.current_attempt_scheduled_time.astimezone(tz or UTC)
        return datetime.now(tz)


@pytest.fixture(scope="session")
async def deposit_worker(time_skipping, sessions, database_url):
    settings = sandbox_settings(database_url, QUEUE)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(activities.payments, "datetime", _ServerClock)
        async with (
            httpx.AsyncClient() as http,
            build_worker(time_skipping.client, settings, sessions, http),
        ):
            yield time_skipping


# -- helpers ------------------------------------------------------------------------------------


@dataclass
class Sent:
    key: str
    recipient: str
    status: str
    body: str


async def sent(sessions, lead_id: str) -> list[Sent]:
    """Every message written for the lead, to the client and to the artist, in order."""
    async with sessions() as session:
        rows = await session.execute(
            select(
                OutboundMessage.key,
                OutboundMessage.recipient,
                OutboundMessage.status,
                OutboundMessage.body,
            )
            .where(OutboundMessage.lead_id == lead_id)
            .order_by(OutboundMessage.seq)
        )
        return [Sent(*row) for row in rows]


async def sent_as(sessions, lead_id: str, key: str) -> list[Sent]:
    return [message for message in await sent(sessions, lead_id) if message.key == key]


async def count_reaches(sessions, lead_id: str, key: str, count: int) -> list[Sent]:
    """The messages with `key` once there are `count` of them (sends are asynchronous)."""

    async def ready():
        found = await sent_as(sessions, lead_id, key)
        return found if len(found) >= count else None

    return await eventually(ready)


async def checkouts(sessions, lead_id: str) -> list[CheckoutSessionRow]:
    async with sessions() as session:
        rows = await session.scalars(
            select(CheckoutSessionRow)
            .where(CheckoutSessionRow.lead_id == lead_id)
            .order_by(CheckoutSessionRow.created_at, CheckoutSessionRow.idempotency_key)
        )
        return list(rows)


async def pending_approval(env, sessions) -> tuple[str, WorkflowHandle, Lead]:
    """A client who has answered everything and confirmed: the artist has to decide. Started
    as `start_lead` does, on this file's queue."""
    key = uuid.uuid4().hex[:32]
    async with sessions.begin() as session:
        session.add(Contact(key=key, wa_id=f"4477{uuid.uuid4().int % 10**8:08d}"))
    handle = await env.client.start_workflow(
        LeadWorkflow.run,
        LeadInput(contact_key=key, policy=Policy(artist_name="Sam")),
        id=f"lead-{key}",
        task_queue=QUEUE,
        start_signal="message",
        start_signal_args=[Inbound(message_id=f"m-{uuid.uuid4()}", sent_at=0, text="Hi")],
    )
    for text in CONSULTATION[1:]:  # the first, "Hi", started the workflow
        await client_says(handle, text)
    lead = await settled(handle, lambda lead: lead.status == "PENDING_APPROVAL")
    return key, handle, lead


async def approved(env, sessions) -> tuple[str, WorkflowHandle, Lead]:
    """A lead the artist approved, once its deposit link has gone out."""
    key, handle, _ = await pending_approval(env, sessions)
    result = await handle.execute_update(LeadWorkflow.act, ActionRequest("approve"))
    assert result.done and result.status == "AWAITING_DEPOSIT"
    lead = await settled(handle, lambda lead: lead.deposit is not None and lead.deposit.url)
    await count_reaches(sessions, lead.lead_id, "deposit.link", 1)
    return key, handle, lead


async def pay(handle: WorkflowHandle, lead: Lead, event_id: str | None = None) -> Payment:
    assert lead.deposit is not None
    payment = Payment(
        event_id=event_id or f"evt_{uuid.uuid4().hex}",
        kind="paid",
        session_id=lead.deposit.session_id,
        payment_intent=f"pi_{lead.lead_id[:8]}",
        amount_pence=lead.deposit.amount_pence,
    )
    await handle.signal(LeadWorkflow.payment, payment)
    return payment


# -- tests --------------------------------------------------------------------------------------


async def test_explore(deposit_worker, sessions):
    env = deposit_worker
    key, handle, lead = await approved(env, sessions)
    print(lead.deposit)
    print(await checkouts(sessions, lead.lead_id))
    for m in await sent(sessions, lead.lead_id):
        print(m)
    await env.sleep(25 * HOUR)
    await count_reaches(sessions, lead.lead_id, "deposit.reminder", 1)
    for c in await checkouts(sessions, lead.lead_id):
        print(c.id, c.idempotency_key, c.expires_at, c.created_at, c.status, c.amount_pence)
    print((await state(handle)).deposit)
    for m in await sent(sessions, lead.lead_id):
        print(m.key, m.recipient, m.status)
    await handle.terminate("done")
