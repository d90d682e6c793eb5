"""The one way a message leaves the system: `send_message`, over the WhatsApp Cloud API or the
sandbox outbox the demo page reads. Every attempt is logged in `outbound_messages`.

A send is recorded (SENDING, with the time) and committed before Graph is called, and carries
our outbound id as `biz_opaque_callback_data`, which Meta echoes on the message's status
webhooks. A retry that finds SENDING (a crash, or a timeout, between the call and its record)
therefore knows a call may have gone out: when a status webhook has named the outbound id, it
went out and is not sent again; otherwise the retry waits for one, up to `confirm_within` after
the attempt, before concluding it did not and sending again.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import DONE, SendRequest, SendResult, SendStatus
from activities.errors import ProviderError, provider_errors
from activities.whatsapp_cloud import SendError
from consultation import window
from consultation.messages import Outbound
from models import SystemEvent
from stores.outbox import Attempt, LookedUp, Outbox
from telemetry.metrics import MESSAGES_OUT, SEND_FAILURES

# Meta's status webhooks for an accepted message usually follow within seconds. A retry waits
# this long after an unconfirmed attempt, polling every CONFIRM_POLL, before sending again.
CONFIRM_WITHIN = timedelta(seconds=60)
CONFIRM_POLL = timedelta(seconds=5)


def opt_out_reply(message: Outbound) -> bool:
    """The answer to an opt-out, which goes even to a client who has just opted out."""
    return message.key.startswith("optout")


class Sender(Protocol):
    # Whether a status webhook naming our outbound id comes back for every message sent.
    confirms_by_status: bool

    async def send(
        self, to: str, message: Outbound, *, as_template: bool = False, callback_data: str = ""
    ) -> str: ...


class SandboxSender:
    """Sends nothing: the row in `outbound_messages` is the message, shown by /demo. So a send
    repeated after a crash is the same row, never a second message."""

    confirms_by_status = False

    async def send(
        self, to: str, message: Outbound, *, as_template: bool = False, callback_data: str = ""
    ) -> str:
        return f"sandbox.{uuid.uuid4().hex}"


class MessagingActivities:
    def __init__(
        self,
        sessions: async_sessionmaker,
        sender: Sender,
        artist_number: str,
        approved_templates: frozenset[str] | None = None,
        confirm_within: timedelta = CONFIRM_WITHIN,
    ) -> None:
        self.outbox = Outbox(sessions)
        self.sender = sender
        self.artist_number = artist_number
        self.approved = approved_templates  # None: every template in the registry
        self.confirm_within = confirm_within

    @activity.defn(name="send_message")
    async def send_message(self, request: SendRequest) -> SendResult:
        return await self.send(request)

    def eager_attempt(self, request: SendRequest) -> Attempt | None:
        """The attempt to record with the look-up, if the send is a reply to a client in their
        window (nearly every reply): recorded only if it can go, and then in the same round
        trip. Anything else is decided after the look-up."""
        message = request.message
        if message.to != "client" or not request.window_open:
            return None
        return Attempt(
            self._row(request), SendStatus.SENDING, datetime.now(UTC), opt_out_reply(message)
        )

    @provider_errors
    async def send(self, request: SendRequest, known: LookedUp | None = None) -> SendResult:
        """Send `request`, unless it was already handled or must not go. `known`: its look-up,
        made already with the turn's projection (`deliver_turn`)."""
        message = request.message
        if known is None:
            # Was this outbound id already handled or tried, and who is the client?
            eager = self.eager_attempt(request)
            known = await (
                self.outbox.look_up_and_attempt(eager)
                if eager
                else self.outbox.look_up(request.outbound_id, request.contact_key)
            )
        if known.status in DONE:
            return SendResult(
                SendStatus(known.status), known.provider_message_id, "already handled"
            )
        resent = ""
        if known.status == SendStatus.SENDING:
            if known.provider_message_id:
                # Meta's status webhook named this outbound id: the earlier call went out.
                return await self._finish(request, SendStatus.SENT, known.provider_message_id,
                                          "confirmed by Meta's status after a retry")  # fmt: skip
            if self.sender.confirms_by_status:  # (the sandbox's row is its message)
                self._await_status(known.attempted_at)
                resent = f"no status {self.confirm_within.seconds} s after the attempt; sent again"

        window_open = request.window_open
        if message.to == "artist":
            to = self.artist_number
            blocked = "" if to else "no ARTIST_WHATSAPP_NUMBER configured"
            # The artist has a 24 h window of their own, opened by writing to the bot's number.
            window_open = bool(to) and await self._artist_window_open()
        else:
            to = (known.wa_id or known.user_id or "") if known.key else ""
            blocked = "" if to else "contact unknown"
            # Opt-out is decided by the conversation; this is the last line of defence. (The
            # look-up's eager attempt asks the same of the contact: a blocked send it recorded
            # anyway would end SKIPPED below, never sent.)
            if known.opted_out and not opt_out_reply(message):
                blocked = "client opted out"
        as_template = not window_open
        if not blocked and as_template and not self._approved(message):
            name = message.template.name if message.template else "none for this message"
            blocked = f"24 h window closed and no approved template ({name})"
        if blocked:
            return await self._finish(request, SendStatus.SKIPPED, None, blocked, level="WARN")

        confirmed = None if known.attempted else await self._attempt(request)
        if confirmed:
            # The status webhook arrived between our look and this attempt.
            return await self._finish(
                request, SendStatus.SENT, confirmed, "confirmed by Meta's status"
            )
        callback = request.outbound_id
        try:
            provider_id = await self.sender.send(
                to, message, as_template=as_template, callback_data=callback
            )
        except SendError as error:
            if error.kind == "template_required" and self._approved(message) and not as_template:
                # The window closed on Meta's clock before ours noticed: fall back once.
                try:
                    provider_id = await self.sender.send(
                        to, message, as_template=True, callback_data=callback
                    )
                except SendError as second:
                    return await self._failed(request, second)
                return await self._finish(
                    request, SendStatus.TEMPLATE, provider_id, "window closed", "INFO"
                )
            return await self._failed(request, error)
        if as_template:
            return await self._finish(
                request, SendStatus.TEMPLATE, provider_id, "window closed", "INFO"
            )
        if resent:
            return await self._finish(request, SendStatus.SENT, provider_id, resent, "WARN")
        return await self._finish(request, SendStatus.SENT, provider_id, "")

    def _await_status(self, attempted_at: datetime | None) -> None:
        """Raise a short retry while an unconfirmed attempt may still be confirmed by Meta's
        status webhook; return when it is time to send again."""
        if attempted_at is None:
            return
        left = attempted_at + self.confirm_within - datetime.now(UTC)
        if left > timedelta(0):
            raise ApplicationError(
                "an earlier attempt may have gone out: waiting for Meta's status",
                type="AwaitingStatus",
                next_retry_delay=max(min(CONFIRM_POLL, left), timedelta(seconds=1)),
            )

    async def _attempt(self, request: SendRequest) -> str | None:
        """Record the attempt (SENDING, now) in its own transaction before calling Graph.
        Returns the wamid instead when a status webhook has already confirmed the message."""
        return await self.outbox.attempt(self._row(request), SendStatus.SENDING, datetime.now(UTC))

    def _approved(self, message: Outbound) -> bool:
        return message.template is not None and (
            self.approved is None or message.template.name in self.approved
        )

    async def _artist_window_open(self) -> bool:
        last = await self.outbox.last_inbound_at(self.artist_number)
        return window.is_open(last, datetime.now(UTC))

    async def _failed(self, request: SendRequest, error: SendError) -> SendResult:
        SEND_FAILURES.labels(str(error.code) if error.code is not None else "none").inc()
        if error.kind == "retry":
            if not error.maybe_sent:
                # Certainly not sent: the retry need not wait for a status before sending.
                await self.outbox.mark(request.outbound_id, SendStatus.RETRYING)
            # Rate limits and provider outages: let Temporal back off and try again. What Graph
            # said stays the failure's cause, for the record if every retry fails.
            raise ProviderError(
                "WhatsApp",
                f"WhatsApp send failed ({error.code}): retrying",
                retryable=True,
                code=error.code,
                error_type="Retry",
            ) from error
        return await self._finish(
            request, SendStatus.FAILED, None, f"{error.kind} ({error.code})", "ERROR"
        )

    async def _finish(
        self,
        request: SendRequest,
        status: SendStatus,
        provider_id: str | None,
        detail: str,
        level: str = "",
    ) -> SendResult:
        event = (
            SystemEvent(
                level=level,
                type=f"whatsapp.{status.lower()}",
                lead_id=request.lead_id,
                detail={"message": request.message.key, "reason": detail},
                source=f"send/{request.outbound_id}",
            )
            if level
            else None
        )
        await self.outbox.finish(self._row(request), status, provider_id, detail or None, event)
        MESSAGES_OUT.labels(request.message.to, status.lower()).inc()
        return SendResult(status, provider_id, detail)

    @staticmethod
    def _row(request: SendRequest) -> dict[str, Any]:
        message = request.message
        return {
            "id": request.outbound_id,
            "contact_key": request.contact_key if message.to == "client" else None,
            "recipient": message.to,
            "lead_id": request.lead_id,
            "key": message.key[:64],
            "body": message.text,
            "message": dataclasses.asdict(message),
        }
