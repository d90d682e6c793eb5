"""LeadLogWorkflow: the one writer of the Google Sheets lead log (workflow id "lead-log").

Every change to a lead is signalled here as a row; the workflow keeps the newest row per lead
and writes them in batches. One writer means no two appends race for the same lead, and
batching keeps a busy day far below Sheets' quota of 60 writes a minute per service account
(platform_facts D3).
"""

import contextlib
from datetime import datetime, timedelta
from itertools import islice

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.lead_log import LeadLogActivities, LeadLogBatch, LeadLogInput, LeadRow
    from workflows import calls

BATCH_SIZE = 50  # rows pending that are worth a write at once
BATCH_WINDOW = timedelta(seconds=2)  # the longest a row waits for others to join it
# One write activity makes up to two write requests (an update and an append), so 2.4 s apart
# stays under 60 requests a minute with room left for retries.
WRITE_SPACING = timedelta(seconds=2.4)
# Keeps one request's body well under the 2 MB Google recommends (a row is at most ~2 kB).
MAX_ROWS_PER_WRITE = 500
# After Google refused a write (no access, tab missing): wait for someone to fix the sheet,
# keeping the rows, so the log catches up once it is fixed.
REFUSED_PAUSE = timedelta(minutes=5)


@workflow.defn(name="LeadLogWorkflow")
class LeadLogWorkflow:
    @workflow.init
    def __init__(self, start: LeadLogInput) -> None:
        self.pending: dict[str, LeadRow] = {}
        self.first_pending_at: datetime | None = None
        self.recheck = start.recheck
        self.last_write_at = start.last_write_at
        for row in start.pending:
            self.row(row)

    @workflow.signal
    def row(self, row: LeadRow) -> None:
        """The newest row of a lead. Signals may arrive out of order: an older version than
        the one pending is dropped (one already written is refused by the activity)."""
        current = self.pending.get(row.lead_id)
        if current is None or current.version < row.version:
            self.pending[row.lead_id] = row
        if self.first_pending_at is None:
            self.first_pending_at = workflow.now()

    @workflow.run
    async def run(self, start: LeadLogInput) -> None:
        while True:
            await workflow.wait_condition(lambda: bool(self.pending))
            await self._gather()
            await self._write(self._take())
            if workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(
                    LeadLogInput(list(self.pending.values()), self.recheck, self.last_write_at)
                )

    async def _gather(self) -> None:
        """Wait until a batch is full or its oldest row has waited long enough, and until the
        last write is far enough behind."""
        assert self.first_pending_at is not None
        window = (self.first_pending_at + BATCH_WINDOW - workflow.now()).total_seconds()
        if window > 0:
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    lambda: len(self.pending) >= BATCH_SIZE, timeout=window
                )
        if self.last_write_at is not None:
            spacing = self.last_write_at + WRITE_SPACING - workflow.now()
            if spacing > timedelta(0):
                await workflow.sleep(spacing)

    def _take(self) -> list[LeadRow]:
        batch = list(islice(self.pending.values(), MAX_ROWS_PER_WRITE))
        for row in batch:
            del self.pending[row.lead_id]
        if not self.pending:
            self.first_pending_at = None  # what is left (if anything) is already due
        return batch

    async def _write(self, batch: list[LeadRow]) -> None:
        # Awaited here, so at most one write is ever in flight.
        try:
            await workflow.execute_activity_method(
                LeadLogActivities.write_lead_log, LeadLogBatch(batch, self.recheck), **calls.SHEETS
            )
            self.recheck = False
        except ActivityError as error:
            workflow.logger.error("lead log write refused, keeping %d rows: %s", len(batch), error)
            # The failed attempt may have appended some rows: the next write looks first.
            self.recheck = True
            for row in batch:
                self.row(row)  # unless a newer version arrived meanwhile
            await workflow.sleep(REFUSED_PAUSE)
        self.last_write_at = workflow.now()
