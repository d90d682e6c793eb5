"""One-tap links for the artist: a token per action (`stores.tokens`), as a URL of our own."""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity

from stores.tokens import Tokens


@dataclass
class IssueLinks:
    lead_id: str
    workflow_id: str
    status: str  # the lead's status now; a link works only while it stays so
    actions: list[str] = field(default_factory=list)


class LinkActivities:
    def __init__(self, sessions: async_sessionmaker, base_url: str, ttl_days: int) -> None:
        self.tokens = Tokens(sessions)
        self.base_url = base_url.rstrip("/")
        self.ttl = timedelta(days=ttl_days)

    @activity.defn(name="issue_links")
    async def issue_links(self, request: IssueLinks) -> dict[str, str]:
        # A retry issues fresh tokens; the unused ones from a lost attempt simply expire.
        tokens = await self.tokens.issue(
            request.lead_id,
            request.workflow_id,
            request.status,
            request.actions,
            datetime.now(UTC) + self.ttl,
        )
        return {action: f"{self.base_url}/a/{token}" for action, token in tokens.items()}
