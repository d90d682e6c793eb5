"""The leads the artist's daily digest lists: read from the lead read model in PostgreSQL,
those quiet longest first."""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload.

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity

from models import LeadRecord


@dataclass
class WaitingQuery:
    statuses: list[str]
    limit: int = 8


@dataclass
class WaitingLead:
    lead_id: str
    workflow_id: str
    status: str


@dataclass
class WaitingLeads:
    total: int = 0  # all waiting, of which `leads` are the first
    leads: list[WaitingLead] = field(default_factory=list)


class DigestActivities:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    @activity.defn(name="waiting_leads")
    async def waiting_leads(self, query: WaitingQuery) -> WaitingLeads:
        waiting = LeadRecord.status.in_(query.statuses)
        async with self.sessions() as session:
            total = await session.scalar(select(func.count()).where(waiting)) or 0
            rows = await session.execute(
                select(LeadRecord.lead_id, LeadRecord.workflow_id, LeadRecord.status)
                .where(waiting)
                .order_by(LeadRecord.updated_at, LeadRecord.lead_id)
                .limit(query.limit)
            )
        return WaitingLeads(total, [WaitingLead(*row) for row in rows])
