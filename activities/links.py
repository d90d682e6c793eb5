"""One-tap links for the artist: random tokens (32 bytes), stored only as a SHA-256 hash,
single use, expiring, and valid only in the status they were issued for."""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity

from models import ActionToken


@dataclass
class IssueLinks:
    lead_id: str
    workflow_id: str
    status: str  # the lead's status now; a link works only while it stays so
    actions: list[str] = field(default_factory=list)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LinkActivities:
    def __init__(self, sessions: async_sessionmaker, base_url: str, ttl_days: int) -> None:
        self.sessions = sessions
        self.base_url = base_url.rstrip("/")
        self.ttl = timedelta(days=ttl_days)

    @activity.defn(name="issue_links")
    async def issue_links(self, request: IssueLinks) -> dict[str, str]:
        # A retry issues fresh tokens; the unused ones from a lost attempt simply expire.
        expires_at = datetime.now(UTC) + self.ttl
        links: dict[str, str] = {}
        async with self.sessions.begin() as session:
            for action in request.actions:
                token = secrets.token_urlsafe(32)
                session.add(
                    ActionToken(
                        token_hash=token_hash(token),
                        lead_id=request.lead_id,
                        workflow_id=request.workflow_id,
                        action=action,
                        issued_status=request.status,
                        expires_at=expires_at,
                    )
                )
                links[action] = f"{self.base_url}/a/{token}"
        return links
