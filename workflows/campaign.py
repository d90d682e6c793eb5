"""CampaignWorkflow: one marketing campaign, sent exactly once per recipient at a pace WhatsApp
allows. The audience is frozen at the start (an activity); batches then go out through a
heartbeating activity, each sized by the number's throughput and by what is left of the
portfolio's 24 h messaging limit; the run waits out the limit when it is used up, and 131049
recipients once more after 24 h. Pause, resume and cancel are updates; progress is a query and
search attributes. The recipients' states live in PostgreSQL, so continue-as-new carries only
counters and the 24 h window."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.campaigns import BatchRequest, BatchResult, CampaignActivities, FreezeRequest
    from campaigns import CampaignStatus, batch_size
    from workflows import calls
    from workflows.campaign_contracts import CampaignInput, Carried, Control, Progress
    from workflows.visibility import CAMPAIGN_SENT, CAMPAIGN_STATUS, CAMPAIGN_TOTAL

# After a 130429 (over the number's throughput) or an outage, the next batch waits this long.
SLOW_DOWN = timedelta(seconds=10)
OUTAGE = timedelta(seconds=30)
# A send that may have reached Meta waits for its status webhook; look again after this.
AWAIT_STATUS = timedelta(seconds=15)


@workflow.defn(name="CampaignWorkflow")
class CampaignWorkflow:
    @workflow.init
    def __init__(self, start: CampaignInput) -> None:
        self.start = start
        self.state = start.carried or Carried()
        self.next_send_at: datetime | None = None
        self.shown: tuple[str, int, int] | None = None  # the search attributes last upserted

    # -- updates and query ------------------------------------------------------------------

    @workflow.update(name="pause")
    def pause(self, control: Control) -> Progress:
        self.state.paused = True
        return self.progress()

    @pause.validator
    def _can_pause(self, control: Control) -> None:
        if self.state.status.finished or self.state.paused:
            raise ValueError(f"cannot pause a campaign that is {self._shown_status().lower()}")

    @workflow.update(name="resume")
    def resume(self, control: Control) -> Progress:
        self.state.paused = False
        if self.state.status == CampaignStatus.PAUSED:
            self.state.status = CampaignStatus.SENDING  # the loop shows it as it goes on
        return self.progress()

    @resume.validator
    def _can_resume(self, control: Control) -> None:
        if not self.state.paused or self.state.status.finished:
            raise ValueError("the campaign is not paused")

    @workflow.update(name="cancel")
    def cancel(self, control: Control) -> Progress:
        self.state.cancelled = True
        return self.progress()

    @cancel.validator
    def _can_cancel(self, control: Control) -> None:
        if self.state.status.finished or self.state.cancelled:
            raise ValueError("the campaign has already ended")

    @workflow.query(name="progress")
    def progress(self) -> Progress:
        totals = self.state.totals
        return Progress(
            status=self._shown_status(),
            total=self.state.total,
            sent=totals.get("sent", 0),
            failed=totals.get("failed", 0),
            deferred=totals.get("deferred", 0),
            skipped=totals.get("skipped", 0),
            pending=totals.get("pending", 0),
            next_send_at=self.next_send_at,
        )

    # -- the run ----------------------------------------------------------------------------

    @workflow.run
    async def run(self, start: CampaignInput) -> Progress:
        if not self.state.frozen:
            await self._wait_for_start()
            if not self.state.cancelled:
                await self._freeze()
        batches = 0
        while not self.state.cancelled:
            if self.state.paused:
                self._show(CampaignStatus.PAUSED)
                # Updates set `paused`/`cancelled`; nothing else is waited for meanwhile.
                await workflow.wait_condition(lambda: not self.state.paused or self.state.cancelled)
                continue
            if batches >= start.batches_per_run or workflow.info().is_continue_as_new_suggested():
                # Let a pause or cancel being handled finish, so it is carried, not lost.
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(CampaignInput(**{**start.__dict__, "carried": self.state}))
            now = workflow.now()
            self.state.window.prune(now)
            allowance = self.state.window.allowance(now, start.messaging_limit)
            if allowance == 0 and start.messaging_limit is not None:
                frees = self.state.window.frees_at(now, start.messaging_limit)
                await self._wait(CampaignStatus.WAITING_LIMIT, frees)
                continue
            size = batch_size(start.rate, start.batch_seconds)
            if allowance is not None:
                size = min(size, allowance)
            self._show(CampaignStatus.SENDING)
            result = await self._send_batch(size, now)
            batches += 1
            if not result.totals.get("pending") and result.next_retry is None:
                break  # everyone has been sent to, or has failed for good
            if result.due == 0:
                if result.awaiting:
                    await self._wait(CampaignStatus.SENDING, workflow.now() + AWAIT_STATUS)
                elif waits := _next_wait(result):
                    await self._wait(*waits)
                else:
                    break
                continue
            if result.slow_down or result.transient:
                pause = SLOW_DOWN if result.slow_down else OUTAGE
                await self._wait(CampaignStatus.SENDING, workflow.now() + pause)
                continue
            # The next batch starts no sooner than this one's share of the rate allows.
            await self._wait(CampaignStatus.SENDING, now + timedelta(seconds=size / start.rate))
        final = CampaignStatus.CANCELLED if self.state.cancelled else CampaignStatus.COMPLETED
        self._show(final)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.progress()

    async def _wait_for_start(self) -> None:
        """Until the scheduled time; a pause meanwhile holds the campaign past it until resumed,
        and a resume before it never starts it early."""
        start_at = self.start.start_at
        while start_at is not None and not self.state.cancelled:
            if self.state.paused:
                self._show(CampaignStatus.PAUSED)
                await workflow.wait_condition(lambda: not self.state.paused or self.state.cancelled)
            elif start_at > workflow.now():
                await self._wait(CampaignStatus.SCHEDULED, start_at)
            else:
                return

    async def _freeze(self) -> None:
        frozen = await workflow.execute_activity_method(
            CampaignActivities.freeze_audience,
            FreezeRequest(self.start.campaign_id, workflow.now(), self.start.zone),
            **calls.CAMPAIGN_FREEZE,
        )
        self.state.frozen = True
        self.state.total = frozen.total
        self.state.template = frozen.template
        self.state.language = frozen.language
        self.state.params = list(frozen.params)
        self.state.totals = {"pending": frozen.total}

    async def _send_batch(self, size: int, now: datetime) -> BatchResult:
        state = self.state
        sent_before = state.totals.get("sent", 0)
        result = await workflow.execute_activity_method(
            CampaignActivities.send_batch,
            BatchRequest(
                self.start.campaign_id,
                state.template,
                state.language,
                state.params,
                size,
                self.start.rate,
                now,
            ),
            **calls.CAMPAIGN_BATCH,
        )
        state.totals = dict(result.totals)
        # Every newly sent recipient is one more unique user in the 24 h window (counted from
        # the database, so sends of an attempt that crashed before answering count too), as of
        # the batch's end: no send of it is later than that.
        state.window.record(workflow.now(), state.totals.get("sent", 0) - sent_before)
        self._show(state.status)
        return result

    async def _wait(self, status: CampaignStatus, until: datetime) -> None:
        """Wait until `until`, or until paused or cancelled (which act at once)."""
        self._show(status)
        left = until - workflow.now()
        if left <= timedelta(0):
            return
        self.next_send_at = until
        # A timer that a pause or cancel (updates) cuts short.
        with contextlib.suppress(asyncio.TimeoutError):
            await workflow.wait_condition(
                lambda: self.state.paused or self.state.cancelled, timeout=left
            )
        self.next_send_at = None

    def _shown_status(self) -> CampaignStatus:
        if self.state.paused and not self.state.status.finished:
            return CampaignStatus.PAUSED
        return self.state.status

    def _show(self, status: CampaignStatus) -> None:
        """Set the status and show it, with sent of total, in the search attributes."""
        state = self.state
        state.status = status
        now = (status.value, state.totals.get("sent", 0), state.total)
        if now == self.shown:
            return  # each upsert is a visibility write: only changes are written
        self.shown = now
        workflow.upsert_search_attributes(
            [
                CAMPAIGN_STATUS.value_set(now[0]),
                CAMPAIGN_SENT.value_set(now[1]),
                CAMPAIGN_TOTAL.value_set(float(now[2])),
            ]
        )


def _next_wait(result: BatchResult) -> tuple[CampaignStatus, datetime] | None:
    """Nobody is due now: wait for the next local hour (a campaign at each recipient's hour) or
    131049 retry, whichever comes first."""
    waits = [
        (at, status)
        for at, status in (
            (result.next_send_at, CampaignStatus.SCHEDULED),
            (result.next_retry, CampaignStatus.WAITING_RETRY),
        )
        if at is not None
    ]
    if not waits:
        return None
    at, status = min(waits)
    return status, at
