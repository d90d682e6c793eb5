"""An artist's decision run as an update on the lead's workflow (with a validator), for the
one-tap links and the admin API alike; and whether a lead's workflow still runs (a reply for a
client whose enquiry has ended must not start a new one)."""

from __future__ import annotations

from temporalio.client import WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from api.deps import EdgeState
from workflows.contracts import ActionRequest, ActionResult
from workflows.lead import LeadWorkflow


async def run_action(state: EdgeState, workflow_id: str, request: ActionRequest) -> ActionResult:
    """Execute an artist decision on the lead's workflow; a refusal is a result, not an error."""
    client = await state.temporal()
    handle = client.get_workflow_handle(workflow_id)
    try:
        return await handle.execute_update(LeadWorkflow.act, request)
    except WorkflowUpdateFailedError as error:
        reason = str(error.cause.message if error.cause else error)  # type: ignore[attr-defined]
        return ActionResult(False, "", reason)
    except RPCError as error:
        if "not found" in str(error).lower() or "completed" in str(error).lower():
            return ActionResult(False, "", "This enquiry has ended.")
        raise


async def is_running(state: EdgeState, workflow_id: str) -> bool:
    client = await state.temporal()
    try:
        described = await client.get_workflow_handle(workflow_id).describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return described.status == WorkflowExecutionStatus.RUNNING
