"""The one way a message leaves the system: `send_message`, over the WhatsApp Cloud API or the
sandbox outbox the demo page reads. Every attempt is logged in `outbound_messages`."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.whatsapp_cloud import SendError
from consultation.messages import Outbound
from models import Contact, OutboundMessage, SystemEvent
from workflows.contracts import SendRequest, SendResult

DONE = ("SENT", "TEMPLATE", "SKIPPED", "FAILED")
WINDOW = timedelta(hours=24)  # WhatsApp's customer-service window


class Sender(Protocol):
    async def send(self, to: str, message: Outbound, *, as_template: bool = False) -> str: ...


class SandboxSender:
    """Sends nothing: the row in `outbound_messages` is the message, shown by /demo."""

    async def send(self, to: str, message: Outbound, *, as_template: bool = False) -> str:
        return f"sandbox.{uuid.uuid4().hex}"


class MessagingActivities:
    def __init__(
        self,
        sessions: async_sessionmaker,
        sender: Sender,
        artist_number: str,
        approved_templates: frozenset[str] | None = None,
    ) -> None:
        self.sessions = sessions
        self.sender = sender
        self.artist_number = artist_number
        self.approved = approved_templates  # None: every template in the registry

    @activity.defn(name="send_message")
    async def send_message(self, request: SendRequest) -> SendResult:
        message = request.message
        # One round trip: was this outbound id already handled, and who is the client?
        async with self.sessions() as session:
            known = (
                await session.execute(
                    select(
                        OutboundMessage.status,
                        OutboundMessage.provider_message_id,
                        Contact.wa_id,
                        Contact.user_id,
                        Contact.opted_out,
                    )
                    .select_from(Contact)
                    .outerjoin(OutboundMessage, OutboundMessage.id == request.outbound_id)
                    .where(Contact.key == request.contact_key)
                )
            ).first()
        if known is not None and known.status in DONE:
            return SendResult(known.status, known.provider_message_id, "already handled")

        window_open = request.window_open
        if message.to == "artist":
            to = self.artist_number
            blocked = "" if to else "no ARTIST_WHATSAPP_NUMBER configured"
            # The artist has a 24 h window of their own, opened by writing to the bot's number.
            window_open = bool(to) and await self._artist_window_open()
        else:
            to = (known.wa_id or known.user_id or "") if known else ""
            blocked = "" if to else "contact unknown"
            # Opt-out is decided by the conversation; this is the last line of defence.
            if known and known.opted_out and not message.key.startswith("optout"):
                blocked = "client opted out"
        as_template = not window_open
        if not blocked and as_template and not self._approved(message):
            name = message.template.name if message.template else "none for this message"
            blocked = f"24 h window closed and no approved template ({name})"
        if blocked:
            return await self._finish(request, "SKIPPED", None, blocked, level="WARN")

        try:
            provider_id = await self.sender.send(to, message, as_template=as_template)
        except SendError as error:
            if error.kind == "template_required" and self._approved(message) and not as_template:
                # The window closed on Meta's clock before ours noticed: fall back once.
                try:
                    provider_id = await self.sender.send(to, message, as_template=True)
                except SendError as second:
                    return await self._failed(request, second)
                return await self._finish(request, "TEMPLATE", provider_id, "window closed", "INFO")
            return await self._failed(request, error)
        if as_template:
            return await self._finish(request, "TEMPLATE", provider_id, "window closed", "INFO")
        return await self._finish(request, "SENT", provider_id, "")

    def _approved(self, message: Outbound) -> bool:
        return message.template is not None and (
            self.approved is None or message.template.name in self.approved
        )

    async def _artist_window_open(self) -> bool:
        async with self.sessions() as session:
            last = await session.scalar(
                select(Contact.last_inbound_at).where(Contact.wa_id == self.artist_number)
            )
        return last is not None and datetime.now(UTC) - last < WINDOW

    async def _failed(self, request: SendRequest, error: SendError) -> SendResult:
        if error.kind == "retry":
            # Rate limits and provider outages: let Temporal back off and try again.
            raise ApplicationError(f"WhatsApp send failed ({error.code}): retrying", type="Retry")
        return await self._finish(request, "FAILED", None, f"{error.kind} ({error.code})", "ERROR")

    async def _finish(
        self,
        request: SendRequest,
        status: str,
        provider_id: str | None,
        detail: str,
        level: str = "",
    ) -> SendResult:
        message = request.message
        row = {
            "id": request.outbound_id,
            "contact_key": request.contact_key if message.to == "client" else None,
            "recipient": message.to,
            "lead_id": request.lead_id,
            "key": message.key[:64],
            "body": message.text,
            "message": dataclasses.asdict(message),
            "status": status,
            "provider_message_id": provider_id,
            "error": detail or None,
        }
        async with self.sessions.begin() as session:
            statement = insert(OutboundMessage).values(**row)
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[OutboundMessage.id],
                    set_={
                        "status": status,
                        "provider_message_id": provider_id,
                        "error": row["error"],
                    },
                )
            )
            if level:
                session.add(
                    SystemEvent(
                        level=level,
                        type=f"whatsapp.{status.lower()}",
                        lead_id=request.lead_id,
                        detail={"message": message.key, "reason": detail},
                        source=f"send/{request.outbound_id}",
                    )
                )
        return SendResult(status, provider_id, detail)
