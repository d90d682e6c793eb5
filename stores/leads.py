"""The lead read model (`leads`), projected from each lead's workflow, with its system events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker

from models import LeadRecord, SystemEvent
from stores import inbound_queue


class Leads:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    async def project(self, values: dict[str, Any], events: list[dict[str, Any]]) -> None:
        """Upsert a lead's row and add its events, in one transaction. Only a newer version
        wins, so a retried or late write never rolls the lead back; events are keyed by their
        `source`, so a retry adds nothing twice."""
        statement = insert(LeadRecord).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[LeadRecord.lead_id],
            set_={k: statement.excluded[k] for k in values if k not in ("lead_id", "contact_key")},
            where=LeadRecord.version < statement.excluded.version,
        )
        async with self.sessions.begin() as session:
            await session.execute(statement)
            # The turn has read what the relay handed over: room for the next (api/relay.py).
            await session.execute(inbound_queue.READ, {"contact_key": values["contact_key"]})
            if events:
                await session.execute(insert(SystemEvent).values(events).on_conflict_do_nothing())

    async def waiting(
        self, statuses: list[str], limit: int
    ) -> tuple[int, list[tuple[str, str, str]]]:
        """How many leads are in `statuses`, and the first `limit` of them (lead id, workflow
        id, status), quiet longest first."""
        waiting = LeadRecord.status.in_(statuses)
        async with self.sessions() as session:
            total = await session.scalar(select(func.count()).where(waiting)) or 0
            rows = await session.execute(
                select(LeadRecord.lead_id, LeadRecord.workflow_id, LeadRecord.status)
                .where(waiting)
                .order_by(LeadRecord.updated_at, LeadRecord.lead_id)
                .limit(limit)
            )
        return total, [(row.lead_id, row.workflow_id, row.status) for row in rows]
