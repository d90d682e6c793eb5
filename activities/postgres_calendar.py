"""The PostgreSQL calendar behind the `Calendar` port: the store's busy blocks and appointments,
with our own database failing read as an outage, never a refusal (retrying helps once it is
back or migrated, and an unreadable calendar is never free)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker

from activities.errors import ProviderError
from stores.calendar import CalendarEvent, CalendarStore
from stores.spans import Span


@asynccontextmanager
async def _outage() -> AsyncIterator[None]:
    try:
        yield
    except SQLAlchemyError as error:
        raise ProviderError("Calendar", f"PostgreSQL calendar: {error}", retryable=True) from error


class PostgresCalendar:
    def __init__(self, sessions: async_sessionmaker, artist_id: str = "artist") -> None:
        self.store = CalendarStore(sessions, artist_id)

    async def busy(self, start: datetime, end: datetime) -> list[Span]:
        async with _outage():
            return await self.store.busy_between(start, end)

    async def event_exists(self, event_id: str) -> bool:
        async with _outage():
            return await self.store.event_exists(event_id)

    async def create_event(self, event: CalendarEvent) -> None:
        async with _outage():
            await self.store.add_event(event)

    async def cancel_event(self, event_id: str) -> None:
        async with _outage():
            await self.store.cancel_event(event_id)
