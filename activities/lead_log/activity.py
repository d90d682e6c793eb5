"""The lead log's activity, and how a lead's row reaches its single writer (LeadLogWorkflow)."""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

from dataclasses import dataclass, field
from datetime import datetime

from temporalio import activity
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy

from activities.errors import provider_errors
from activities.lead_log.rows import LeadRow
from activities.lead_log.sheet import SheetsLog


@dataclass
class LeadLogBatch:
    rows: list[LeadRow]
    # A previous write of these rows failed after it may have appended them: look in the
    # sheet before appending again.
    recheck: bool = False


class LeadLogActivities:
    def __init__(self, log: SheetsLog) -> None:
        self.log = log

    @activity.defn(name="write_lead_log")
    @provider_errors
    async def write_lead_log(self, batch: LeadLogBatch) -> None:
        # A retry may follow an append that reached the sheet before its answer was lost.
        recheck = batch.recheck or activity.info().attempt > 1
        await self.log.write(batch.rows, recheck=recheck)


WORKFLOW_ID = "lead-log"  # the single writer: one LeadLogWorkflow for the whole sheet


@dataclass
class LeadLogInput:
    """What a LeadLogWorkflow run hands to its continuation; empty for the first run."""

    pending: list[LeadRow] = field(default_factory=list)
    recheck: bool = False
    last_write_at: datetime | None = None


async def enqueue(client: Client, task_queue: str, row: LeadRow) -> None:
    """Hand a lead's row to the lead log, starting the writer if it is not running
    (signal-with-start: one round trip, and no start race between producers)."""
    await client.start_workflow(
        "LeadLogWorkflow",
        LeadLogInput(),
        id=WORKFLOW_ID,
        task_queue=task_queue,
        start_signal="row",
        start_signal_args=[row],
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
