"""Leads on the time-skipping server brought to each booking step (pending approval, approved,
held, booked, booking pending, lapsed), and what they were sent, for the booking timer tests.
Their worker is the `deposit_worker` fixture (tests/workflows/conftest.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from temporalio import activity
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle

from consultation.lead import Lead, Payment
from models import CalendarHold, CheckoutSessionRow, OutboundMessage
from tests.conftest import eventually
from tests.workflows.record_histories import CONSULTATION
from tests.workflows.runs import client_says, settled, start_lead
from workflows.contracts import ActionRequest
from workflows.lead import LeadWorkflow

QUEUE = "leads-deposit-timers"
ARTIST_ID = f"timers-{uuid.uuid4().hex[:8]}"  # these tests' holds, apart from other tests'
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def server_now() -> datetime:
    """Inside an activity, the test server's (skipped) time when this attempt was scheduled."""
    return activity.info().current_attempt_scheduled_time


# The running test's time-skipping server's client, set by `deposit_worker`.
server_clients: list[Client] = []


async def status_of(handle: WorkflowHandle) -> WorkflowExecutionStatus:
    """The run's status, read raw: the time-skipping test server hands back Datetime search
    attributes (LeadAppointment) in a shape `describe()` cannot decode."""
    client = server_clients[0]
    described = await client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=client.namespace, execution=WorkflowExecution(workflow_id=handle.id)
        )
    )
    return WorkflowExecutionStatus(described.workflow_execution_info.status)


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

    try:
        return await eventually(ready, timeout=5)
    except AssertionError:
        so_far = [(m.key, m.recipient, m.status) for m in await sent(sessions, lead_id)]
        raise AssertionError(f"{count} x {key!r} never sent; sent so far: {so_far}") from None


async def checkouts(sessions, lead_id: str) -> list[CheckoutSessionRow]:
    async with sessions() as session:
        rows = await session.scalars(
            select(CheckoutSessionRow)
            .where(CheckoutSessionRow.lead_id == lead_id)
            .order_by(CheckoutSessionRow.created_at, CheckoutSessionRow.idempotency_key)
        )
        return list(rows)


async def pending_approval(env, sessions) -> tuple[str, WorkflowHandle, Lead]:
    """A client who has answered everything and confirmed: the artist has to decide."""
    key, handle = await start_lead(env, sessions, queue=QUEUE)
    for text in CONSULTATION[1:]:  # the first, "Hi", started the workflow
        await client_says(handle, text)
    lead = await settled(handle, lambda lead: lead.status == "PENDING_APPROVAL")
    return key, handle, lead


async def approved(env, sessions) -> tuple[str, WorkflowHandle, Lead]:
    """A lead the artist approved, once the free times have gone out."""
    key, handle, _ = await pending_approval(env, sessions)
    result = await handle.execute_update(LeadWorkflow.act, ActionRequest("approve"))
    assert result.done and result.status == "AWAITING_DEPOSIT"
    lead = await settled(handle, lambda lead: bool(lead.booking.offered))
    await count_reaches(sessions, lead.lead_id, "booking.offer.approved", 1)
    return key, handle, lead


async def held(env, sessions, pick: str = "1") -> tuple[str, WorkflowHandle, Lead]:
    """An approved lead whose client picked a time: held, with its deposit link sent."""
    key, handle, _ = await approved(env, sessions)
    await client_says(handle, pick)
    lead = await settled(handle, lambda lead: lead.deposit.url is not None)
    await count_reaches(sessions, lead.lead_id, "deposit.link", 1)
    return key, handle, lead


def paid(lead: Lead, session_id: str | None = None) -> Payment:
    """Stripe's "paid" for the lead's current checkout session, in full, as a new event."""
    assert lead.deposit is not None
    return Payment(
        event_id=f"evt_{uuid.uuid4().hex}",
        kind="paid",
        session_id=session_id or lead.deposit.session_id,
        payment_intent="pi_x",
        amount_pence=lead.deposit.amount_pence,
    )


async def booked(env, sessions, pick: str = "1") -> tuple[str, WorkflowHandle, Lead]:
    key, handle, lead = await held(env, sessions, pick)
    await handle.signal(LeadWorkflow.payment, paid(lead))
    lead = await settled(handle, lambda lead: lead.status == "BOOKED")
    await count_reaches(sessions, lead.lead_id, "booking.confirmed", 1)
    return key, handle, lead


async def booking_pending(env, sessions) -> tuple[str, WorkflowHandle, Lead]:
    """Paid while the artist was deciding, then approved: paid, with times to pick from."""
    key, handle, lead = await pending_approval(env, sessions)
    payment = Payment(f"evt_{uuid.uuid4().hex}", "paid", "cs_early", "pi_early", 15_000)
    await handle.signal(LeadWorkflow.payment, payment)
    await settled(handle, lambda lead: bool(lead.payments))
    await handle.execute_update(LeadWorkflow.act, ActionRequest("approve"))
    lead = await settled(handle, lambda lead: lead.status == "BOOKING_PENDING")
    await count_reaches(sessions, lead.lead_id, "booking.offer.paid", 1)
    return key, handle, lead


async def lapsed(env, sessions) -> tuple[WorkflowHandle, Lead]:
    """A held time left unpaid past its hour: released, and fresh times offered."""
    _, handle, _ = await held(env, sessions)
    await env.sleep(61 * MINUTE)
    lead = await settled(
        handle, lambda lead: lead.booking.hold is None and not lead.booking.release
    )
    return handle, lead


async def holds_of(sessions, lead_id: str) -> list[CalendarHold]:
    async with sessions() as session:
        rows = await session.scalars(
            select(CalendarHold).where(CalendarHold.lead_id == lead_id).order_by(CalendarHold.id)
        )
        return list(rows)


def keys(messages: list[Sent]) -> list[str]:
    return [message.key for message in messages]


CHOOSING_REMINDER = "artist.booking_reminder.choosing"
DELIVERED = ("SENT", "TEMPLATE")  # the artist's own window decides which


async def finished(handle: WorkflowHandle) -> bool:
    return await status_of(handle) == WorkflowExecutionStatus.COMPLETED
