"""An artist's decision run as an update on the lead's workflow (with a validator), for the
one-tap links and the admin API alike; and whether a lead's workflow still runs (a reply for a
client whose enquiry has ended must not start a new one)."""

from __future__ import annotations

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import WorkflowUpdateFailedError
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
    # The raw call: only the status is wanted, not the run's search attributes decoded.
    request = DescribeWorkflowExecutionRequest(
        namespace=client.namespace, execution=WorkflowExecution(workflow_id=workflow_id)
    )
    try:
        described = await client.workflow_service.describe_workflow_execution(request)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    status = described.workflow_execution_info.status
    return status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
