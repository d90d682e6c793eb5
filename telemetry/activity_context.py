"""A worker interceptor that binds the running activity's workflow id, activity name and lead
id (when its input carries one) to every log line the activity writes."""

from __future__ import annotations

from typing import Any

from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from telemetry.logs import bound_contextvars


def lead_id_of(args: Any) -> str | None:
    """The lead an activity works for: its input's `lead_id`, or its lead's or snapshot's."""
    for arg in args:
        snapshot = getattr(arg, "snapshot", None)
        holders = (arg, getattr(arg, "lead", None), snapshot, getattr(snapshot, "lead", None))
        for holder in holders:
            lead_id = getattr(holder, "lead_id", None)
            if isinstance(lead_id, str) and lead_id:
                return lead_id
    return None


class _BindActivityContext(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        context = {"workflow_id": info.workflow_id, "activity": info.activity_type}
        if lead_id := lead_id_of(input.args):
            context["lead_id"] = lead_id
        with bound_contextvars(**context):
            return await super().execute_activity(input)


class LogContext(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _BindActivityContext(next)
