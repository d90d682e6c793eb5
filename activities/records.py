"""Activities that write what the workflow decided into PostgreSQL: the lead read model with
its system events, and the contact's opt-out. Each is idempotent, so retries are harmless."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity

from activities.contracts import LeadSnapshot, OptOutChange
from activities.lead_log import enqueue, row_for
from consultation.takeover import waiting_since
from stores.contacts import Contacts
from stores.leads import Leads
from stores.outbox import Attempt, LookedUp


class RecordActivities:
    def __init__(self, sessions: async_sessionmaker, lead_log_queue: str | None = None) -> None:
        self.leads = Leads(sessions)
        self.contacts = Contacts(sessions)
        self.lead_log_queue = lead_log_queue  # set when the Google Sheets lead log is on

    async def save_lead(
        self, snapshot: LeadSnapshot, first: Attempt | None = None
    ) -> LookedUp | None:
        """Project the lead with its events. With `first`, the turn's first reply is looked up
        and attempted in the same statement: returns what `Outbox.look_up_and_attempt` would."""
        lead = snapshot.lead
        values = {
            "lead_id": lead.lead_id,
            "contact_key": snapshot.contact_key,
            "workflow_id": snapshot.workflow_id,
            "run_id": snapshot.run_id,
            "status": lead.status,
            "step": lead.step,
            "answers": lead.answers,
            "parsed": lead.parsed,
            "estimate": dataclasses.asdict(lead.estimate) if lead.estimate else None,
            "handover_reason": lead.handover_reason,
            "taken_over": lead.taken_over,
            "waiting_since": waiting_since(lead),
            "version": lead.version,
            "updated_at": datetime.now(UTC),
        }
        # Keyed by the lead's version, so a retry after a lost acknowledgement adds nothing twice.
        events = [
            {
                "level": event.level,
                "type": event.type,
                "lead_id": lead.lead_id,
                "detail": event.detail,
                "source": f"{lead.lead_id}/{lead.version}/{index}",
            }
            for index, event in enumerate(snapshot.events)
        ]
        looked_up = await self.leads.project(values, events, first)
        if snapshot.log and self.lead_log_queue:
            # The single writer batches rows under Sheets' quota; this only hands the row over.
            await enqueue(activity.client(), self.lead_log_queue, row_for(snapshot))
        return looked_up

    @activity.defn(name="set_opt_out")
    async def set_opt_out(self, change: OptOutChange) -> None:
        await self.contacts.set_opt_out(change.contact_key, change.opted_out)
