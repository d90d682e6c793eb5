"""The artist's one-tap link tokens: random (32 bytes), stored only as a SHA-256 hash, single
use, expiring, and valid only in the status they were issued for."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy.ext.asyncio import async_sessionmaker

from models import ActionToken


def token_hash(token: str) -> str:
    """What is stored of a token: the link itself never is."""
    return hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    async def issue(
        self,
        lead_id: str,
        workflow_id: str,
        status: str,
        actions: list[str],
        expires_at: datetime,
    ) -> dict[str, str]:
        """A fresh token per action (action → token), good while the lead stays in `status`."""
        tokens: dict[str, str] = {}
        async with self.sessions.begin() as session:
            for action in actions:
                token = secrets.token_urlsafe(32)
                session.add(
                    ActionToken(
                        token_hash=token_hash(token),
                        lead_id=lead_id,
                        workflow_id=workflow_id,
                        action=action,
                        issued_status=status,
                        expires_at=expires_at,
                    )
                )
                tokens[action] = token
        return tokens
