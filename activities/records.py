"""Activities that write what the workflow decided into PostgreSQL: the lead read model with
its system events, and the contact's opt-out. Each is idempotent, so retries are harmless."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity

from activities.lead_log import enqueue, row_for
from models import Contact, LeadRecord, SystemEvent
from workflows.contracts import LeadSnapshot, OptOutChange


class RecordActivities:
    def __init__(self, sessions: async_sessionmaker, lead_log_queue: str | None = None) -> None:
        self.sessions = sessions
        self.lead_log_queue = lead_log_queue  # set when the Google Sheets lead log is on

    async def save_lead(self, snapshot: LeadSnapshot) -> None:
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
            "version": lead.version,
            "updated_at": datetime.now(UTC),
        }
        statement = insert(LeadRecord).values(**values)
        # Only a newer version wins: a retried or late write can never roll the lead back.
        statement = statement.on_conflict_do_update(
            index_elements=[LeadRecord.lead_id],
            set_={k: statement.excluded[k] for k in values if k not in ("lead_id", "contact_key")},
            where=LeadRecord.version < statement.excluded.version,
        )
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
        async with self.sessions.begin() as session:
            await session.execute(statement)
            if events:
                await session.execute(insert(SystemEvent).values(events).on_conflict_do_nothing())
        if snapshot.log and self.lead_log_queue:
            # The single writer batches rows under Sheets' quota; this only hands the row over.
            await enqueue(activity.client(), self.lead_log_queue, row_for(snapshot))

    @activity.defn(name="set_opt_out")
    async def set_opt_out(self, change: OptOutChange) -> None:
        async with self.sessions.begin() as session:
            await session.execute(
                update(Contact)
                .where(Contact.key == change.contact_key)
                .values(
                    opted_out=change.opted_out,
                    opted_out_at=datetime.now(UTC) if change.opted_out else None,
                )
            )
