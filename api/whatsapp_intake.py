"""WhatsApp deliveries, once verified: every message in one is fitted (`message_limits`) and stored
on its own in PostgreSQL (a unique id: dedupe), and delivery statuses are recorded; the webhook
answers in milliseconds. The relay (`api/relay.py`) hands the stored messages to their workflows
afterwards, so a Temporal outage delays replies but loses nothing, whether or not Meta
redelivers. Used by the webhook and by /demo.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from temporalio.service import RPCError

from api.artist_intake import from_artist
from api.contacts import arrive
from api.deps import EdgeState
from api.events import record_event
from api.marketing import campaigns_since, note_consent, note_failed_status
from api.message_limits import fit
from api.meta_payload import InboundMessage, MalformedDelivery, parse_delivery
from campaigns.consent import consent_change
from models import OutboundMessage

log = logging.getLogger(__name__)

# What became of one message of a delivery; the answer's body counts each.
Outcome = Literal["received", "duplicates", "ignored", "refused", "unavailable"]

# The database out of reach: a retry of the delivery can succeed. Any other database error
# means a value it will never store, refused alone.
UNAVAILABLE = (OperationalError, InterfaceError, OSError)
NEVER_STORED = (DBAPIError, ValueError)


def refusal_reason(error: Exception) -> str:
    """The driver's error class, never its message (which can carry the values refused)."""
    return type(getattr(error, "orig", None) or error).__name__


# Delivery statuses only move forward; "read" may arrive before "delivered" (platform_facts B2).
DELIVERY_RANK = {"sent": 1, "delivered": 2, "read": 3, "played": 3, "failed": 4}


async def ingest_whatsapp(state: EdgeState, raw: bytes) -> tuple[int, dict[str, Any]]:
    """Take one verified delivery; returns (HTTP status, body)."""
    try:
        delivery = parse_delivery(raw)
    except MalformedDelivery as error:
        await record_event(state, "WARN", "whatsapp.malformed_delivery", reason=str(error)[:200])
        return 400, {"received": False, "error": f"Malformed delivery: {error}"}

    for problem in delivery.problems:
        await record_event(state, "WARN", "whatsapp.unreadable_part", problem=problem[:300])
    for status_update in delivery.statuses:
        try:
            await record_delivery(
                state, status_update.message_id, status_update.status, status_update.callback_data
            )
        except UNAVAILABLE:
            log.exception("could not record a delivery status")
            return 503, {"received": False, "error": "Database unavailable; retry"}
        except NEVER_STORED as error:
            # A status we can never store (a NUL, an id longer than Meta's own) stands alone:
            # recorded without its content, and the rest of the delivery goes on.
            reason = refusal_reason(error)
            await record_event(state, "WARN", "whatsapp.status_refused", reason=reason)
            continue
        if status_update.status == "failed":
            codes = ",".join(str(code) for code in status_update.error_codes)
            await record_event(state, "ERROR", "whatsapp.delivery_failed", error_codes=codes)
            async with state.sessions.begin() as session:
                await note_failed_status(
                    session,
                    status_update.message_id,
                    status_update.error_codes,
                    status_update.timestamp,
                )

    counts = dict.fromkeys(("received", "duplicates", "ignored", "refused", "unavailable"), 0)
    for item in sorted(delivery.messages, key=lambda m: m.message.sent_at):
        counts[await accept(state, item)] += 1
    unavailable = counts.pop("unavailable")
    if unavailable:
        # Only the database being out of reach fails a delivery: Meta's retry can then succeed,
        # and what was stored already counts as a duplicate.
        return 503, {**counts, "error": "Database unavailable; retry", "pending": unavailable}
    return 200, counts


async def accept(state: EdgeState, item: InboundMessage) -> Outcome:
    """Store one message on its own, for the relay to hand over; nothing here waits on Temporal.
    A message that can never be stored is refused (an event without its content), alone."""
    settings = state.settings
    fitted = fit(item)
    kind = item.message.kind
    if fitted.refusal:
        await record_event(
            state, "WARN", "whatsapp.message_refused", kind=kind, reason=fitted.refusal
        )
        return "refused"
    sender, message = fitted.item.contact, fitted.item.message
    if settings.ARTIST_WHATSAPP_NUMBER and sender.wa_id == settings.ARTIST_WHATSAPP_NUMBER:
        try:
            return await from_artist(state, message, sender.wa_id)
        except (*UNAVAILABLE, RPCError):
            log.exception("could not take the artist's message")
            return "unavailable"
    if settings.PILOT_MODE_ENABLED and (sender.wa_id or "") not in settings.pilot_allowlist:
        await record_event(state, "INFO", "pilot.blocked", kind=kind)
        return "ignored"

    store = partial(
        arrive,
        secret=settings.CONTACT_KEY_SECRET,
        sender=sender,
        message=message,
        paused=settings.PAUSED,
        task_queue=settings.TEMPORAL_TASK_QUEUE,
        campaigns_since=campaigns_since(settings),
    )
    change = consent_change(message.text, message.choice_id)
    try:
        if change is None:
            # An ordinary message: one statement committed on its own, the ack's only round
            # trip to PostgreSQL.
            async with state.autocommit.connect() as conn:
                arrival = await store(conn)
        else:
            # A consent word is stored with the change it makes, in one transaction.
            async with state.sessions.begin() as session:
                arrival = await store(session)
                if arrival.new:
                    await note_consent(session, settings, arrival.contact_key, message, change)
    except UNAVAILABLE:
        log.exception("could not store an inbound message")
        return "unavailable"
    except NEVER_STORED as error:
        # Something `fit` did not foresee; a retry would fail the same way.
        reason = refusal_reason(error)
        await record_event(state, "ERROR", "whatsapp.message_refused", kind=kind, reason=reason)
        return "refused"
    if not arrival.new:
        return "duplicates"
    state.stored.set()  # committed: the relay hands it over after the answer
    if fitted.cut or fitted.cleaned:
        # Field names and lengths only, never the content.
        cut, cleaned = fitted.cut, fitted.cleaned
        await record_event(
            state, "WARN", "whatsapp.message_trimmed", kind=kind, cut=cut, cleaned=cleaned
        )
    if settings.PAUSED:
        # Paused: no automation. The workflow is told (one status reply); the message waits.
        await record_event(state, "WARN", "paused.kept", kind=kind)
    return "received"


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
