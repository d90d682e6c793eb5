"""LeadWorkflow: one enquiry from first message to a final status, durable across restarts.

The conversation itself is decided by the pure core (`consultation.engine`); this workflow only
orders the inbound messages, runs the timers and carries out what a turn decided (send, project,
record) through activities.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    import consultation.engine as engine
    from consultation.lead import Event, Lead, Turn
    from consultation.messages import Inbound
    from consultation.statuses import is_final
    from workflows.contracts import (
        Carried,
        HoldNotice,
        LeadInput,
        LeadSnapshot,
        OptOutChange,
        SendRequest,
        SendResult,
    )
    from workflows.visibility import attributes, changes

# Bounded so the carried state stays small; Meta's redeliveries come within days, and the edge
# dedupes in PostgreSQL first anyway.
SEEN_LIMIT = 500

SEND_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=30,
)
DB_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)
)


@workflow.defn
class LeadWorkflow:
    @workflow.init
    def __init__(self, start: LeadInput) -> None:
        self.contact_key = start.contact_key
        self.policy = start.policy
        carried = start.carried or Carried(
            lead=Lead(
                lead_id=workflow.info().run_id,
                status="OPTOUT" if start.opted_out else "NEW",
                opted_out=start.opted_out,
            )
        )
        self.lead = carried.lead
        self.inbox = list(carried.inbox)
        self.seen = list(carried.seen)
        self.seen_set = set(self.seen)
        self.sent = carried.sent
        self.held: list[HoldNotice] = []
        self.visible: dict[str, str | int | None] = {}  # search attributes as last upserted

    # -- inputs ---------------------------------------------------------------------------------

    @workflow.signal
    def message(self, msg: Inbound) -> None:
        if msg.message_id in self.seen_set:
            return  # a redelivery the edge let through (e.g. its row was lost): ignore it
        self.seen.append(msg.message_id)
        self.seen_set.add(msg.message_id)
        if len(self.seen) > SEEN_LIMIT:
            self.seen_set.discard(self.seen.pop(0))
        # Meta does not guarantee order: queue by the client's own timestamp (stable for ties).
        position = len(self.inbox)
        while position > 0 and self.inbox[position - 1].sent_at > msg.sent_at:
            position -= 1
        self.inbox.insert(position, msg)

    @workflow.signal
    def hold(self, notice: HoldNotice) -> None:
        self.held.append(notice)

    @workflow.query
    def state(self) -> Lead:
        return self.lead

    # -- the loop -------------------------------------------------------------------------------

    @workflow.run
    async def run(self, start: LeadInput) -> str:
        await self._publish(self.lead)
        while not (is_final(self.lead.status) and not self.inbox and not self.held):
            if self.held:
                self.held.pop(0)
                await self._apply(engine.hold_reply(self.lead, workflow.now(), self.policy))
                continue
            if not self.inbox:
                due = engine.next_reminder_at(self.lead, self.policy)
                timeout = (due - workflow.now()).total_seconds() if due else None
                if timeout is None or timeout > 0:
                    with contextlib.suppress(TimeoutError):
                        await workflow.wait_condition(
                            lambda: bool(self.inbox or self.held), timeout=timeout
                        )
                if not (self.inbox or self.held):
                    await self._apply(engine.remind(self.lead, workflow.now(), self.policy))
                    continue
                if not self.inbox:
                    continue
            msg = self.inbox.pop(0)
            await self._apply(engine.handle(self.lead, msg, workflow.now(), self.policy))
            if workflow.info().is_continue_as_new_suggested() and not is_final(self.lead.status):
                workflow.continue_as_new(
                    LeadInput(
                        contact_key=self.contact_key,
                        policy=self.policy,
                        carried=Carried(self.lead, self.inbox, self.seen, self.sent),
                    )
                )
        return self.lead.status

    # -- carrying out a turn --------------------------------------------------------------------

    async def _apply(self, turn: Turn) -> None:
        before = self.lead
        lead = turn.lead
        lead.version = before.version + 1
        self.lead = lead
        if lead.opted_out != before.opted_out:
            await workflow.execute_activity(
                "set_opt_out",
                OptOutChange(self.contact_key, lead.opted_out),
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=DB_RETRY,
            )
        window_open = engine.window_open(lead, workflow.now())
        # Replies go out in order, one at a time; the projection runs beside them.
        bookkeeping = asyncio.ensure_future(self._publish(lead, turn.events))
        for reply in turn.replies:
            self.sent += 1
            # A local activity: the reply leaves in milliseconds with no server round trip;
            # retries still back off durably, and the outbound id keeps them from resending.
            result = await workflow.execute_local_activity(
                "send_message",
                SendRequest(
                    outbound_id=f"{lead.lead_id}:{self.sent}",
                    contact_key=self.contact_key,
                    lead_id=lead.lead_id,
                    message=reply,
                    window_open=window_open if reply.to == "client" else True,
                ),
                result_type=SendResult,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=SEND_RETRY,
            )
            if result.status in ("FAILED", "SKIPPED"):
                workflow.logger.warning("reply %s not sent: %s", reply.key, result.status)
        await bookkeeping

    async def _publish(self, lead: Lead, events: list[Event] | None = None) -> None:
        """Project the lead to PostgreSQL and the Temporal UI, and record its events."""
        current = attributes(lead)
        if updates := changes(self.visible, current):
            workflow.upsert_search_attributes(updates)
        self.visible = current
        info = workflow.info()
        # A local activity: one quick transaction, no round trip through the server.
        await workflow.execute_local_activity(
            "save_lead",
            LeadSnapshot(self.contact_key, info.workflow_id, info.run_id, lead, events or []),
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=DB_RETRY,
        )
