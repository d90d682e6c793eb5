"""The artist's calendar in PostgreSQL, for the demo and for artists without Google Calendar:
busy blocks the artist sets from the admin API, and the appointments bookings write."""

# Annotations here are evaluated (no `from __future__ import annotations`): `CalendarEvent`
# travels in activity payloads, and Temporal's converter resolves type hints on every payload.

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import CalendarBusy, CalendarEventRow
from stores.spans import Span, range_of, span_of


@dataclass
class CalendarEvent:
    """An appointment to write to the artist's calendar. `event_id` is derived in the workflow
    (base32hex, 5–1024 chars), so a retried insert can never make a second event."""

    event_id: str
    start: datetime
    end: datetime
    title: str
    description: str
    lead_id: str
    workflow_id: str


@dataclass
class BusyBlock:
    id: int
    start: datetime
    end: datetime
    note: str


@dataclass
class Agenda:
    """What the calendar holds in a window: the artist's busy blocks and the appointments."""

    busy: list[BusyBlock] = field(default_factory=list)
    events: list[CalendarEvent] = field(default_factory=list)


class CalendarStore:
    """Busy blocks and appointments of one artist. Failures are the database's own
    (`SQLAlchemyError`); the calendar port's adapter (`activities.postgres_calendar`) says what
    they mean to a booking."""

    def __init__(self, sessions: async_sessionmaker, artist_id: str = "artist") -> None:
        self.sessions = sessions
        self.artist_id = artist_id

    @asynccontextmanager
    async def _session(self, begin: bool = False) -> AsyncIterator[AsyncSession]:
        if begin:
            async with self.sessions.begin() as session:
                yield session
        else:
            async with self.sessions() as session:
                yield session

    async def busy_between(self, start: datetime, end: datetime) -> list[Span]:
        window = range_of(start, end)
        blocks = select(CalendarBusy.during).where(
            CalendarBusy.artist_id == self.artist_id, CalendarBusy.during.overlaps(window)
        )
        events = select(CalendarEventRow.during).where(
            CalendarEventRow.artist_id == self.artist_id,
            CalendarEventRow.status == "confirmed",
            CalendarEventRow.during.overlaps(window),
        )
        async with self._session() as session:
            rows = (await session.scalars(blocks.union_all(events))).all()
        return sorted((span_of(during) for during in rows), key=lambda span: span.start)

    async def event_exists(self, event_id: str) -> bool:
        async with self._session() as session:
            status = await session.scalar(
                select(CalendarEventRow.status).where(CalendarEventRow.event_id == event_id)
            )
        return status == "confirmed"

    async def add_event(self, event: CalendarEvent) -> None:
        statement = (
            insert(CalendarEventRow)
            .values(
                event_id=event.event_id,
                artist_id=self.artist_id,
                during=range_of(event.start, event.end),
                title=event.title,
                description=event.description,
                lead_id=event.lead_id,
                workflow_id=event.workflow_id,
            )
            .on_conflict_do_nothing(index_elements=[CalendarEventRow.event_id])
        )
        async with self._session(begin=True) as session:
            await session.execute(statement)

    async def cancel_event(self, event_id: str) -> None:
        async with self._session(begin=True) as session:
            await session.execute(
                update(CalendarEventRow)
                .where(CalendarEventRow.event_id == event_id)
                .values(status="cancelled")
            )

    # -- for the admin API ---------------------------------------------------------------------

    async def add_busy(self, start: datetime, end: datetime, note: str = "") -> int:
        async with self._session(begin=True) as session:
            block_id = await session.scalar(
                insert(CalendarBusy)
                .values(artist_id=self.artist_id, during=range_of(start, end), note=note)
                .returning(CalendarBusy.id)
            )
        assert block_id is not None
        return block_id

    async def remove_busy(self, block_id: int) -> bool:
        """False when there was no such block (for this artist)."""
        async with self._session(begin=True) as session:
            removed = await session.scalar(
                delete(CalendarBusy)
                .where(CalendarBusy.id == block_id, CalendarBusy.artist_id == self.artist_id)
                .returning(CalendarBusy.id)
            )
        return removed is not None

    async def agenda(self, start: datetime, end: datetime) -> Agenda:
        """Busy blocks and confirmed appointments overlapping `start`–`end`, in time order."""
        window = range_of(start, end)
        async with self._session() as session:
            blocks = await session.scalars(
                select(CalendarBusy)
                .where(
                    CalendarBusy.artist_id == self.artist_id, CalendarBusy.during.overlaps(window)
                )
                .order_by(CalendarBusy.during, CalendarBusy.id)
            )
            agenda = Agenda()
            for block in blocks:
                span = span_of(block.during)
                agenda.busy.append(BusyBlock(block.id, span.start, span.end, block.note))
            events = await session.scalars(
                select(CalendarEventRow)
                .where(
                    CalendarEventRow.artist_id == self.artist_id,
                    CalendarEventRow.status == "confirmed",
                    CalendarEventRow.during.overlaps(window),
                )
                .order_by(CalendarEventRow.during, CalendarEventRow.event_id)
            )
            for row in events:
                span = span_of(row.during)
                agenda.events.append(
                    CalendarEvent(
                        row.event_id,
                        span.start,
                        span.end,
                        row.title,
                        row.description,
                        row.lead_id or "",
                        row.workflow_id or "",
                    )
                )
        return agenda
