"""ErasureWorkflow: one contact's data erased, by request or by retention. A workflow (not a
call from the edge) because erasure touches what only the worker reaches (stored images, the
sheet) and must finish once asked, whatever fails meanwhile. Its id is `erase-<contact key>`:
asking twice while it runs is one erasure. It carries only the contact's key."""

from dataclasses import asdict
from typing import Any

from temporalio import workflow
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy

with workflow.unsafe.imports_passed_through():
    from activities.erasure import ContactErased, EraseContact, ErasureActivities
    from workflows import calls


__all__ = ["ContactErased", "EraseContact", "ErasureWorkflow", "erase", "erasure_id"]


def erasure_id(contact_key: str) -> str:
    return f"erase-{contact_key}"


@workflow.defn(name="ErasureWorkflow")
class ErasureWorkflow:
    @workflow.run
    async def run(self, request: EraseContact) -> ContactErased:
        return await workflow.execute_activity_method(
            ErasureActivities.erase_contact, request, **calls.ERASE
        )


async def erase(
    client: Client, task_queue: str, key: str, reason: str = "request"
) -> dict[str, Any]:
    """Run one contact's erasure to its end (the admin API and the ops CLI); says what went,
    counts only, never the data."""
    result = await client.execute_workflow(
        ErasureWorkflow.run,
        EraseContact(key, reason),
        id=erasure_id(key),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    return asdict(result)
