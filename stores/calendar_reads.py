"""How the last read of the artist's Google Calendar went, for the studio's calendar page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker

from models import CalendarRead


@dataclass
class LastRead:
    calendar_id: str
    ok: bool
    detail: str
    read_at: datetime


class CalendarReads:
    def __init__(self, sessions: async_sessionmaker, artist_id: str = "artist") -> None:
        self.sessions = sessions
        self.artist_id = artist_id

    async def record(self, calendar_id: str, ok: bool, detail: str = "") -> None:
        values = {
            "calendar_id": calendar_id,
            "ok": ok,
            "detail": detail[:300],
            "read_at": datetime.now(UTC),
        }
        statement = insert(CalendarRead).values(artist_id=self.artist_id, **values)
        async with self.sessions.begin() as session:
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[CalendarRead.artist_id], set_=values
                )
            )

    async def last(self) -> LastRead | None:
        async with self.sessions() as session:
            row = await session.get(CalendarRead, self.artist_id)
            if row is None:
                return None
            return LastRead(row.calendar_id, row.ok, row.detail, row.read_at)
