"""Contacts as the activities see them: opt-out lives here, so it outlives a run."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker

from models import Contact


class Contacts:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    async def set_opt_out(self, contact_key: str, opted_out: bool) -> None:
        async with self.sessions.begin() as session:
            await session.execute(
                update(Contact)
                .where(Contact.key == contact_key)
                .values(opted_out=opted_out, opted_out_at=datetime.now(UTC) if opted_out else None)
            )
