"""The secret of the artist's calendar feed URL: made on first use, replaced on rotation (the
old URL then finds nothing)."""

from __future__ import annotations

import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker

from models import CalendarFeed


def new_secret() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeeds:
    def __init__(self, sessions: async_sessionmaker, artist_id: str = "artist") -> None:
        self.sessions = sessions
        self.artist_id = artist_id

    async def secret(self) -> str:
        """The feed's secret, made now if the artist has none yet (two at once: one wins)."""
        async with self.sessions.begin() as session:
            await session.execute(
                insert(CalendarFeed)
                .values(artist_id=self.artist_id, secret=new_secret())
                .on_conflict_do_nothing(index_elements=[CalendarFeed.artist_id])
            )
            found = await session.scalar(
                select(CalendarFeed.secret).where(CalendarFeed.artist_id == self.artist_id)
            )
        assert found is not None
        return found

    async def rotate(self) -> str:
        fresh = new_secret()
        statement = insert(CalendarFeed).values(artist_id=self.artist_id, secret=fresh)
        async with self.sessions.begin() as session:
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[CalendarFeed.artist_id],
                    set_={"secret": fresh, "rotated_at": statement.excluded.rotated_at},
                )
            )
        return fresh

    async def matches(self, candidate: str) -> bool:
        """Whether `candidate` is this artist's feed secret now (compared in constant time)."""
        async with self.sessions() as session:
            found = await session.scalar(
                select(CalendarFeed.secret).where(CalendarFeed.artist_id == self.artist_id)
            )
        return found is not None and hmac.compare_digest(found.encode(), candidate.encode())
