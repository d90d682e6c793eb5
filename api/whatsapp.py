"""WhatsApp webhook: Meta's verify handshake, and deliveries turned into workflow signals.

A delivery is verified, every message in it is deduped in PostgreSQL and signalled (with start)
to its lead's workflow; the answer goes back in milliseconds. A message whose signal failed keeps
`signalled_at` empty, so Meta's retry of the same delivery signals it again: nothing is lost.
"""

from __future__ import annotations

import dataclasses
import hmac
import logging
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import select, update
from temporalio.common import WorkflowIDReusePolicy

from api.contacts import arrive, artist_seen, workflow_id
from api.meta_payload import InboundMessage, MalformedDelivery, parse_delivery, verify_signature
from api.state import Edge, EdgeState
from consultation.messages import Inbound
from models import InboundMessage as InboundRow
from models import OutboundMessage, SystemEvent
from workflows.contracts import HoldNotice, LeadInput
from workflows.lead import LeadWorkflow

log = logging.getLogger(__name__)
router = APIRouter(prefix="/webhooks/whatsapp", tags=["webhooks"])

# Delivery statuses only move forward; "read" may arrive before "delivered" (platform_facts B2).
DELIVERY_RANK = {"sent": 1, "delivered": 2, "read": 3, "played": 3, "failed": 4}


@router.get("")
async def verify(request: Request, state: Edge) -> PlainTextResponse:
    params = request.query_params
    expected = state.settings.WHATSAPP_VERIFY_TOKEN
    token = params.get("hub.verify_token", "")
    if params.get("hub.mode") == "subscribe" and expected and hmac.compare_digest(token, expected):
        return PlainTextResponse(params.get("hub.challenge", ""))
    return PlainTextResponse("Verification failed", status_code=403)


@router.post("")
async def receive(request: Request, state: Edge) -> JSONResponse:
    raw = await request.body()
    status, body = await ingest(state, raw, request.headers.get("X-Hub-Signature-256"))
    return JSONResponse(body, status_code=status)


async def ingest(state: EdgeState, raw: bytes, signature: str | None) -> tuple[int, dict[str, Any]]:
    """Handle one delivery; returns (HTTP status, body). Shared by the webhook and /demo."""
    settings = state.settings
    secret = settings.WHATSAPP_APP_SECRET
    signed = secret and verify_signature(raw, signature, secret)
    if (secret or settings.APP_ENV == "production") and not signed:
        await event(state, "WARN", "whatsapp.signature_invalid", has_header=bool(signature))
        return 403, {"received": False, "error": "Invalid webhook signature"}
    try:
        delivery = parse_delivery(raw)
    except MalformedDelivery as error:
        await event(state, "WARN", "whatsapp.malformed_delivery", reason=str(error)[:200])
        return 400, {"received": False, "error": f"Malformed delivery: {error}"}

    for problem in delivery.problems:
        await event(state, "WARN", "whatsapp.unreadable_part", problem=problem[:300])
    for status_update in delivery.statuses:
        await record_delivery(
            state, status_update.message_id, status_update.status, status_update.callback_data
        )
        if status_update.status == "failed":
            codes = ",".join(str(code) for code in status_update.error_codes)
            await event(state, "ERROR", "whatsapp.delivery_failed", error_codes=codes)

    received = duplicates = ignored = 0
    failed: list[str] = []
    for item in sorted(delivery.messages, key=lambda m: m.message.sent_at):
        outcome = await accept(state, item)
        if outcome == "duplicate":
            duplicates += 1
        elif outcome == "ignored":
            ignored += 1
        elif outcome == "failed":
            failed.append(item.message.message_id)
        else:
            received += 1
    body = {"received": received, "duplicates": duplicates, "ignored": ignored}
    if failed:
        # Meta retries non-2xx deliveries; the stored rows make that retry finish the job.
        return 503, {**body, "error": "Temporal unavailable; retry", "pending": len(failed)}
    return 200, body


async def accept(state: EdgeState, item: InboundMessage) -> str:
    settings = state.settings
    sender = item.contact
    if settings.ARTIST_WHATSAPP_NUMBER and sender.wa_id == settings.ARTIST_WHATSAPP_NUMBER.lstrip(
        "+"
    ):
        async with state.sessions.begin() as session:
            await artist_seen(session, settings.CONTACT_KEY_SECRET, sender.wa_id)
        await event(state, "INFO", "artist.message_received", kind=item.message.kind)
        return "ignored"
    if settings.PILOT_MODE_ENABLED and (sender.wa_id or "") not in settings.pilot_allowlist:
        await event(state, "INFO", "pilot.blocked", kind=item.message.kind)
        return "ignored"

    message = item.message
    async with state.sessions.begin() as session:
        arrival = await arrive(
            session, settings.CONTACT_KEY_SECRET, sender, message, dataclasses.asdict(message)
        )
    if not arrival.new and arrival.signalled:
        return "duplicate"
    key, opted_out = arrival.contact_key, arrival.opted_out

    try:
        await signal_lead(state, key, opted_out, message, hold=settings.PANIC_MODE_ENABLED)
    except Exception:
        log.exception("could not signal lead workflow")
        await event(state, "ERROR", "whatsapp.signal_failed", kind=message.kind)
        return "failed"
    if settings.PANIC_MODE_ENABLED:
        # Panic: no automation. The message stays stored (signalled_at empty) for release.
        await event(state, "WARN", "panic.held", kind=message.kind)
    else:
        await mark_signalled(state, message.message_id)
    return "accepted"


async def signal_lead(
    state: EdgeState, key: str, opted_out: bool, message: Inbound, *, hold: bool = False
) -> None:
    """Signal-with-start the contact's lead workflow: the first message creates it, race-free."""
    settings = state.settings
    client = await state.temporal()
    start = LeadInput(
        contact_key=key,
        policy=settings.policy,
        opted_out=opted_out,
        public_base_url=settings.PUBLIC_BASE_URL,
    )
    signal, argument = ("hold", HoldNotice(message.message_id)) if hold else ("message", message)
    await client.start_workflow(
        LeadWorkflow.run,
        start,
        id=workflow_id(key),
        task_queue=settings.TEMPORAL_TASK_QUEUE,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        start_signal=signal,
        start_signal_args=[argument],
    )


async def mark_signalled(state: EdgeState, message_id: str) -> None:
    async with state.sessions.begin() as session:
        await session.execute(
            update(InboundRow)
            .where(InboundRow.message_id == message_id)
            .values(signalled_at=datetime.now(UTC))
        )


async def record_delivery(
    state: EdgeState, provider_id: str, status: str, outbound_id: str = ""
) -> None:
    if status not in DELIVERY_RANK:
        return
    lower = [name for name, rank in DELIVERY_RANK.items() if rank < DELIVERY_RANK[status]]
    async with state.sessions.begin() as session:
        if outbound_id:
            # Meta took the message with our outbound id (echoed as biz_opaque_callback_data):
            # the proof a send interrupted before its record went out, so its retry does not
            # send again (activities/messaging.py).
            taken = select(OutboundMessage.id).where(
                OutboundMessage.provider_message_id == provider_id
            )
            await session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.id == outbound_id)
                .where(OutboundMessage.provider_message_id.is_(None))
                .where(~taken.exists())
                .values(provider_message_id=provider_id)
            )
        await session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.provider_message_id == provider_id)
            .where(OutboundMessage.delivery.is_(None) | OutboundMessage.delivery.in_(lower))
            .values(delivery=status)
        )


async def event(
    state: EdgeState, level: str, type_: str, lead_id: str | None = None, **detail: Any
) -> None:
    """A system event from the edge. Details never carry phone numbers or secrets."""
    async with state.sessions.begin() as session:
        session.add(SystemEvent(level=level, type=type_, lead_id=lead_id, detail=detail))
