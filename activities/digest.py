"""The leads the artist's daily digest lists: read from the lead read model in PostgreSQL,
those quiet longest first."""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload.

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity

from stores.leads import Leads


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
        self.leads = Leads(sessions)

    @activity.defn(name="waiting_leads")
    async def waiting_leads(self, query: WaitingQuery) -> WaitingLeads:
        total, rows = await self.leads.waiting(query.statuses, query.limit)
        return WaitingLeads(total, [WaitingLead(*row) for row in rows])
