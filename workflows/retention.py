"""RetentionWorkflow: finished leads' personal data erased RETENTION_DAYS after they finished.
One run per deployment (a fixed id, started by the worker when retention is on): each day it
erases the contacts whose every lead finished before the cut-off, then continues as new."""

from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.erasure import EraseContact, ErasureActivities, ExpiredQuery
    from workflows import calls

RETENTION_ID = "retention"
SWEEP_EVERY = timedelta(days=1)


@dataclass
class RetentionInput:
    days: int
    batch: int = 100  # contacts erased per sweep; the rest wait for the next one


@workflow.defn(name="RetentionWorkflow")
class RetentionWorkflow:
    @workflow.run
    async def run(self, start: RetentionInput) -> None:
        cutoff = workflow.now() - timedelta(days=start.days)
        expired = await workflow.execute_activity_method(
            ErasureActivities.expired_contacts, ExpiredQuery(cutoff, start.batch), **calls.DB_LONG
        )
        for key in expired.contact_keys:
            await workflow.execute_activity_method(
                ErasureActivities.erase_contact, EraseContact(key, "retention"), **calls.ERASE
            )
        if len(expired.contact_keys) < start.batch:
            await workflow.sleep(SWEEP_EVERY)
        workflow.continue_as_new(start)
