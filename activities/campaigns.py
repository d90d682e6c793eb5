"""The campaign's activities: freeze the audience once, then send batches of marketing templates
at a steady rate, heartbeating. Each recipient's send is an `outbound_messages` row keyed by
an outbound id derived from (campaign, attempt, contact), recorded SENDING before Graph is
called and carrying that id as `biz_opaque_callback_data` (as `activities/messaging.py` does):
a batch retried after a crash sends to nobody twice. Consent is checked at each send, so a
withdrawal after the audience was frozen is still honoured."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import DONE, SendStatus
from activities.messaging import CONFIRM_WITHIN, Sender
from activities.whatsapp_cloud import SendError
from campaigns import Outcome, SegmentFilter, classify, fill
from campaigns.zones import local_send_at, zone_of
from consultation.messages import Outbound, Template
from stores.campaign_zones import CampaignZones
from stores.campaigns import CampaignStore, Due
from stores.consent import Consents
from stores.outbox import Outbox

RETRY_AFTER = timedelta(hours=24)  # 131049: Meta asks for at least 24 h before trying again
# Sends in flight at once: Graph answers in 100-300 ms, so 80 msg/s needs some overlap; kept
# under the worker's database pool (30 connections, one of them holding the batch lock).
CONCURRENCY = 24


@dataclass
class FreezeRequest:
    campaign_id: str
    # The workflow's clock: a campaign at a local hour sends to each recipient when that hour
    # next comes for them after this.
    now: datetime | None = None
    zone: str = "Europe/London"  # the artist's: for a recipient whose own zone is unknown


@dataclass
class FreezeResult:
    total: int
    template: str
    language: str
    params: list[str] = field(default_factory=list)


@dataclass
class BatchRequest:
    campaign_id: str
    template: str
    language: str
    params: list[str]
    limit: int  # recipients in this batch (the 24 h messaging-limit allowance included)
    rate: float  # sends per second within the batch
    now: datetime  # the workflow's clock: when deferred recipients are due, and when a 131049
    # recipient may be tried again


@dataclass
class BatchResult:
    due: int  # recipients this batch found to send to
    totals: dict[str, int]  # recipients by state, after the batch
    slow_down: bool = False  # 130429: over the number's throughput
    transient: bool = False  # an outage: the rest waits for the next batch
    awaiting: int = 0  # sends that may have gone out, waiting for Meta's status
    next_retry: datetime | None = None  # the earliest deferred (131049) recipient's retry time
    next_send_at: datetime | None = None  # the next recipient's local hour still to come


class CampaignActivities:
    def __init__(
        self,
        sessions: async_sessionmaker,
        sender: Sender,
        confirm_within: timedelta = CONFIRM_WITHIN,
    ) -> None:
        self.store = CampaignStore(sessions)
        self.zones = CampaignZones(sessions)
        self.outbox = Outbox(sessions)
        self.consents = Consents(sessions)
        self.sender = sender
        self.confirm_within = confirm_within

    @activity.defn(name="campaign_freeze_audience")
    async def freeze_audience(self, request: FreezeRequest) -> FreezeResult:
        campaign = await self.store.campaign(request.campaign_id)
        if campaign is None:
            raise ValueError(f"no campaign {request.campaign_id!r}")
        segment = SegmentFilter.from_json(campaign.filters)
        total = await self.store.freeze(campaign.id, segment)
        if campaign.local_hour is not None:
            earliest = request.now or datetime.now(UTC)
            await self.zones.place(
                campaign.id,
                [
                    (place.contact_key, zone, local_send_at(earliest, campaign.local_hour, zone))
                    for place in await self.zones.unplaced(campaign.id)
                    for zone in [zone_of(place.city, place.country, place.wa_id, request.zone)]
                ],
            )
        return FreezeResult(total, campaign.template, campaign.language, list(campaign.params))

    @activity.defn(name="campaign_send_batch")
    async def send_batch(self, request: BatchRequest) -> BatchResult:
        async with self.store.sending(request.campaign_id) as held:
            if not held:
                raise ApplicationError(
                    "an earlier attempt of this batch is still sending", type="BatchBusy"
                )
            return await self._send_batch(request)

    async def _send_batch(self, request: BatchRequest) -> BatchResult:
        due = await self.store.due(request.campaign_id, request.now, request.limit)
        batch = _Batch(request)
        loop = asyncio.get_running_loop()
        start = loop.time()
        gate = asyncio.Semaphore(CONCURRENCY)
        sends: list[asyncio.Task[None]] = []
        for index, recipient in enumerate(due):
            if batch.stopped:
                break
            # Spread the batch evenly at the rate: a burst of a whole batch could exceed the
            # number's throughput within one second even when the average does not.
            delay = start + index / request.rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            activity.heartbeat(index)
            await gate.acquire()
            task = asyncio.create_task(self._send(batch, recipient))
            task.add_done_callback(lambda _: gate.release())
            sends.append(task)
        await asyncio.gather(*sends)
        return BatchResult(
            due=len(due),
            totals=await self.store.totals(request.campaign_id),
            slow_down=batch.slow_down,
            transient=batch.transient,
            awaiting=batch.awaiting,
            next_retry=await self.store.next_retry(request.campaign_id),
            next_send_at=await self.zones.next_send_at(request.campaign_id, request.now),
        )

    async def _send(self, batch: _Batch, recipient: Due) -> None:
        request = batch.request
        key = recipient.contact_key
        if not recipient.consent:
            # Withdrawn since the audience was frozen: never a marketing message without it.
            await self.store.mark(request.campaign_id, key, state="skipped", reason="no consent")
            return
        outbound_id = f"campaign-{request.campaign_id}-{recipient.attempt}-{key}"
        message = Outbound(
            to="client",
            text=f"[{request.template}]",
            template=Template(
                request.template, fill(request.params, recipient.profile_name), request.language
            ),
            key=f"campaign.{request.template}"[:64],
        )
        row = _row(outbound_id, key, message)
        known = await self.outbox.look_up(outbound_id, key)
        if known.status in DONE:
            # Finished before a crash, but the recipient was not marked yet.
            sent = known.status in (SendStatus.SENT, SendStatus.TEMPLATE)
            await self._mark(batch, recipient, outbound_id, "sent" if sent else "failed", None)
            return
        if known.status == SendStatus.SENDING:
            if known.provider_message_id:  # Meta's status webhook named this outbound id
                await self.outbox.finish(row, SendStatus.TEMPLATE, known.provider_message_id, None)
                await self._mark(batch, recipient, outbound_id, "sent", None)
                return
            if self.sender.confirms_by_status and self._may_confirm(known.attempted_at):
                batch.awaiting += 1  # it may have gone out: wait for its status
                return
        to = recipient.wa_id or recipient.user_id
        if not to:
            await self.store.mark(request.campaign_id, key, state="skipped", reason="no number")
            return
        confirmed = await self.outbox.attempt(row, SendStatus.SENDING, datetime.now(UTC))
        if confirmed:
            await self.outbox.finish(row, SendStatus.TEMPLATE, confirmed, None)
            await self._mark(batch, recipient, outbound_id, "sent", None)
            return
        try:
            wamid = await self.sender.send(to, message, as_template=True, callback_data=outbound_id)
        except SendError as error:
            await self._failed(batch, recipient, row, error)
            return
        await self.outbox.finish(row, SendStatus.TEMPLATE, wamid, None)
        await self._mark(batch, recipient, outbound_id, "sent", None)

    def _may_confirm(self, attempted_at: datetime | None) -> bool:
        """Whether Meta's status for an attempt at `attempted_at` may still come."""
        return attempted_at is not None and datetime.now(UTC) < attempted_at + self.confirm_within

    async def _failed(
        self, batch: _Batch, recipient: Due, row: dict[str, Any], error: SendError
    ) -> None:
        outcome = classify(error.code, retryable=error.kind == "retry")
        if outcome in (Outcome.SLOW_DOWN, Outcome.TRANSIENT):
            # The recipient stays pending for the next batch. A send that may have reached Meta
            # stays SENDING, so the next batch waits for its status before sending again.
            if not error.maybe_sent:
                await self.outbox.mark(row["id"], SendStatus.RETRYING)
            batch.slow_down |= outcome == Outcome.SLOW_DOWN
            batch.transient |= outcome == Outcome.TRANSIENT
            return
        detail = f"{outcome} ({error.code})"
        await self.outbox.finish(row, SendStatus.FAILED, None, detail)
        if outcome == Outcome.RETRY_LATER and recipient.attempt == 1:
            await self.store.mark(
                batch.request.campaign_id,
                recipient.contact_key,
                state="deferred",
                reason=outcome.value,
                attempt=2,
                retry_at=batch.request.now + RETRY_AFTER,
            )
            return
        if outcome == Outcome.CONSENT_WITHDRAWN:
            await self.consents.change(
                recipient.contact_key, False, "meta:131050", datetime.now(UTC)
            )
        await self._mark(batch, recipient, row["id"], "failed", outcome.value)

    async def _mark(
        self, batch: _Batch, recipient: Due, outbound_id: str, state: str, reason: str | None
    ) -> None:
        await self.store.mark(
            batch.request.campaign_id,
            recipient.contact_key,
            state=state,
            reason=reason,
            outbound_id=outbound_id,
            sent_at=datetime.now(UTC) if state == "sent" else None,
        )


class _Batch:
    """What one batch has met so far; a slow-down or an outage stops it early."""

    def __init__(self, request: BatchRequest) -> None:
        self.request = request
        self.slow_down = False
        self.transient = False
        self.awaiting = 0

    @property
    def stopped(self) -> bool:
        return self.slow_down or self.transient


def _row(outbound_id: str, contact_key: str, message: Outbound) -> dict[str, Any]:
    return {
        "id": outbound_id,
        "contact_key": contact_key,
        "recipient": "client",
        "lead_id": None,
        "key": message.key,
        "body": message.text,
        "message": dataclasses.asdict(message),
    }
