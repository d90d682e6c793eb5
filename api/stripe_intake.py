"""Stripe events, once verified: dedupe by event id, hand the payment to the lead's workflow.

Stripe redelivers and reorders events; the workflow applies each payment once whatever the order.
A payment whose lead has no running enquiry any more is never dropped: it is stored, recorded as
an error event and the artist is asked to decide. Used by the webhook and the demo's checkout.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError

from api.deps import EdgeState
from api.events import record_event
from api.stripe_events import PaymentEvent, invalid, to_payment_event
from consultation.lead import Payment
from consultation.money import format_money
from models import LeadRecord, ProviderEvent
from workflows.alerts import ArtistAlert, ArtistAlertWorkflow
from workflows.lead import LeadWorkflow

log = logging.getLogger(__name__)


async def ingest_stripe(
    state: EdgeState, stripe_event: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """Take one verified event; returns (HTTP status, body)."""
    payment = to_payment_event(stripe_event)
    if reason := invalid(stripe_event, payment):
        await record_event(state, "WARN", "stripe.event_invalid", reason=reason)
        return 400, {"received": False, "error": f"Unusable Stripe event: {reason}"}
    # A Checkout Session is paid once: another "paid" event for it (a new event id) is a repeat.
    paid_session = payment.session_id if payment.kind == "paid" else None

    async with state.sessions.begin() as session:
        new = await session.scalar(
            insert(ProviderEvent)
            .values(
                provider="stripe",
                event_id=payment.event_id,
                type=str(stripe_event.get("type", "")),
                lead_id=payment.lead_id,
                payload=stripe_event,
                paid_session=paid_session,
            )
            .on_conflict_do_nothing()
            .returning(ProviderEvent.event_id)
        )
        if new is None:
            signalled = await session.scalar(
                select(ProviderEvent.signalled_at).where(
                    ProviderEvent.provider == "stripe", ProviderEvent.event_id == payment.event_id
                )
            )
            if signalled is not None:
                return 200, {"received": True, "duplicate": True}
        # The first line only: two such events at once both go on, and the workflow (which
        # applies a payment once per session and PaymentIntent) drops the second.
        repeat = paid_session is not None and await session.scalar(
            select(ProviderEvent.event_id).where(
                ProviderEvent.provider == "stripe",
                ProviderEvent.paid_session == paid_session,
                ProviderEvent.event_id != payment.event_id,
                ProviderEvent.signalled_at.is_not(None),
            )
        )
        if repeat:
            await session.execute(
                update(ProviderEvent)
                .where(
                    ProviderEvent.provider == "stripe", ProviderEvent.event_id == payment.event_id
                )
                .values(signalled_at=datetime.now(UTC))
            )
    if repeat:
        await record_event(state, "INFO", "stripe.payment_repeated", lead_id=payment.lead_id)
        return 200, {"received": True, "duplicate": True}

    if payment.kind != "ignored":
        try:
            await deliver(state, payment)
        except RPCError:
            log.exception("could not hand a Stripe event to its workflow")
            await record_event(
                state, "ERROR", "stripe.signal_failed", lead_id=payment.lead_id, kind=payment.kind
            )
            # Stripe retries non-2xx for days; the stored row lets that retry finish the job.
            return 503, {"received": False, "error": "Temporal unavailable; retry"}
    async with state.sessions.begin() as session:
        await session.execute(
            update(ProviderEvent)
            .where(ProviderEvent.provider == "stripe", ProviderEvent.event_id == payment.event_id)
            .values(signalled_at=datetime.now(UTC))
        )
    return 200, {"received": True, "kind": payment.kind}


async def deliver(state: EdgeState, payment: PaymentEvent) -> None:
    client = await state.temporal()
    workflow_id = payment.workflow_id
    if payment.lead_id and not workflow_id:
        async with state.sessions() as session:
            workflow_id = await session.scalar(
                select(LeadRecord.workflow_id).where(LeadRecord.lead_id == payment.lead_id)
            )
    item = Payment(
        event_id=payment.event_id,
        kind=payment.kind,
        session_id=payment.session_id,
        payment_intent=payment.payment_intent,
        amount_pence=payment.amount_pence,
    )
    if workflow_id:
        handle = client.get_workflow_handle(workflow_id)
        try:
            description = await handle.describe()
            running = description.status == WorkflowExecutionStatus.RUNNING
            # The id is reused by the contact's next enquiry: is the running one this lead's?
            same_lead = (
                running and (await handle.query(LeadWorkflow.state)).lead_id == payment.lead_id
            )
        except RPCError as error:
            if "not found" not in str(error).lower():
                raise
            same_lead = False
        if same_lead:
            await handle.signal(LeadWorkflow.payment, item)
            return
    # No running enquiry for this payment: keep it and ask the artist.
    await record_event(
        state,
        "ERROR",
        "payment.orphaned",
        lead_id=payment.lead_id,
        kind=payment.kind,
        amount_pence=str(payment.amount_pence),
        event_id=payment.event_id,
    )
    if payment.kind in ("paid", "refunded"):
        amount = format_money(payment.amount_pence or 0, payment.currency or "GBP")
        await client.start_workflow(
            ArtistAlertWorkflow.run,
            ArtistAlert(
                lead_id=payment.lead_id or "",
                text=(
                    f"A Stripe payment event ({payment.kind}, {amount}) arrived for lead "
                    f"{(payment.lead_id or 'unknown')[:8]}, which is no longer open. "
                    "It is recorded; please check Stripe and decide whether to refund "
                    "or re-open the booking."
                ),
                key=f"payment.orphaned.{payment.event_id}",
            ),
            id=f"alert-{payment.event_id}",
            task_queue=state.settings.TEMPORAL_TASK_QUEUE,
        )
