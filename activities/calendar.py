"""The calendar port and the booking activities: what the artist's calendar holds, holds on a
slot while the client pays, and the calendar event made once the deposit is in.

Two calendars implement `Calendar`: Google Calendar (`activities/google_calendar.py`) and one in
PostgreSQL for the demo and for artists without Google (`activities/postgres_calendar.py`).
Holds and bookings always live in PostgreSQL (`stores/holds.py`), where an exclusion
constraint makes two overlapping ones for an artist impossible, whatever the code above does.
"""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError
from temporalio import activity

from activities.errors import ProviderError, provider_errors
from consultation.calendar_rules import RULES
from stores.calendar import CalendarEvent
from stores.calendar_reads import CalendarReads
from stores.spans import Span


class Calendar(Protocol):
    """A calendar's failures are `ProviderError`s of provider "Calendar": `retryable` for quota,
    an outage or the network; otherwise the provider refused (bad calendar id, no access)."""

    async def busy(self, start: datetime, end: datetime) -> list[Span]:
        """Everything busy between `start` and `end`. A calendar that cannot be read raises
        ProviderError: unreadable is never free."""
        ...

    async def event_exists(self, event_id: str) -> bool:
        """Whether an event with this id is in the calendar (and not cancelled)."""
        ...

    async def create_event(self, event: CalendarEvent) -> None:
        """Insert `event`; an event that already has this id counts as success."""
        ...

    async def cancel_event(self, event_id: str) -> None:
        """Take the event out of the calendar; one already gone counts as success."""
        ...


# -- activity inputs and outputs ----------------------------------------------------------------


@dataclass
class BusyRequest:
    lead_id: str  # this lead's own hold does not count as busy for it
    start: datetime
    end: datetime


@dataclass
class CalendarView:
    """What is busy, and the rules (`Rules.to_mapping`) the times are to be offered under: they
    travel in the run's history, so an edit to calendar_rules.yml changes the next offer, never
    a decision already taken."""

    busy: list[Span]
    rules: dict[str, Any]


@dataclass
class HoldRequest:
    hold_id: str  # derived in the workflow: a retried activity finds its own hold
    lead_id: str
    spans: list[Span]  # one per working day of the session
    expires_at: datetime


@dataclass
class HoldResult:
    won: bool
    reason: str = ""  # taken (another hold or booking) | busy (the calendar) when not won


@dataclass
class BookRequest:
    hold_id: str
    lead_id: str
    workflow_id: str
    event_id: str  # base32hex; a multi-day session's events add a digit per day
    spans: list[Span]
    title: str
    description: str
    calendar_token: str = ""  # the client's "add to calendar" link (`stores.holds.confirm`)


@dataclass
class CancelRequest:
    hold_id: str  # the booking's hold
    event_ids: list[str]


@dataclass
class BookResult:
    booked: bool
    reason: str = ""  # taken | busy when not booked
    event_ids: list[str] = field(default_factory=list)


class HoldStore(Protocol):
    """Holds and bookings in PostgreSQL (`stores.holds.Holds`)."""

    async def place(
        self, hold_id: str, lead_id: str, spans: list[Span], expires_at: datetime
    ) -> bool: ...

    async def release(self, hold_id: str) -> None: ...

    async def confirm(self, hold_id: str, calendar_token: str = "") -> bool: ...

    async def cancel(self, hold_id: str) -> None: ...

    async def busy_between(
        self, start: datetime, end: datetime, except_lead: str
    ) -> list[Span]: ...


class CalendarActivities:
    def __init__(
        self, calendar: Calendar, holds: HoldStore, reads: CalendarReads | None = None
    ) -> None:
        self.calendar = calendar
        self.holds = holds
        # A Google Calendar's reads are noted for the studio ("read fine at 10:02").
        self.reads = reads
        self.calendar_id: str = getattr(calendar, "calendar_id", "")

    async def busy_times(self, request: BusyRequest) -> list[Span]:
        """The calendar's busy times and every other lead's holds and bookings."""
        busy = await self.calendar.busy(request.start, request.end)
        return busy + await self.holds.busy_between(request.start, request.end, request.lead_id)

    @activity.defn(name="calendar_view")
    @provider_errors
    async def calendar_view(self, request: BusyRequest) -> CalendarView:
        """The busy times with the working rules this worker runs with (a lead with a settings
        version offers times under its own, see `workflows.lead_booking.find_times`)."""
        try:
            busy = await self.busy_times(request)
        except ProviderError as error:
            await self._note_read(False, str(error))
            raise
        await self._note_read(True)
        return CalendarView(busy, RULES.to_mapping())

    async def _note_read(self, ok: bool, detail: str = "") -> None:
        """Best effort: the studio's note must never fail a booking."""
        if self.reads is None or not self.calendar_id:
            return
        try:
            await self.reads.record(self.calendar_id, ok, detail)
        except SQLAlchemyError as error:
            activity.logger.warning("calendar read not noted: %s", type(error).__name__)

    @activity.defn(name="place_hold")
    @provider_errors
    async def place_hold(self, request: HoldRequest) -> HoldResult:
        """Re-check the calendar, then hold: the constraint decides between clients racing."""
        if await self._calendar_busy(request.spans):
            return HoldResult(False, "busy")
        won = await self.holds.place(
            request.hold_id, request.lead_id, request.spans, request.expires_at
        )
        return HoldResult(True) if won else HoldResult(False, "taken")

    @activity.defn(name="release_hold")
    async def release_hold(self, hold_id: str) -> None:
        await self.holds.release(hold_id)

    @activity.defn(name="book_slot")
    @provider_errors
    async def book_slot(self, request: BookRequest) -> BookResult:
        """Turn the hold into a booking and write the calendar event, exactly once.

        Retried after any failure: an event already written means the booking was made; else
        the calendar is re-checked, the hold confirmed (idempotent), and the events inserted
        (an id that exists is success)."""
        ids = event_ids(request.event_id, len(request.spans))
        # Our own event, from an earlier try, is the one thing busy there that is fine.
        written = await self.calendar.event_exists(ids[0])
        if not written and await self._calendar_busy(request.spans):
            return BookResult(False, "busy")
        if not await self.holds.confirm(request.hold_id, request.calendar_token):
            return BookResult(False, "taken")
        for event_id, span in zip(ids, request.spans, strict=True):
            await self.calendar.create_event(
                CalendarEvent(
                    event_id,
                    span.start,
                    span.end,
                    request.title,
                    request.description,
                    request.lead_id,
                    request.workflow_id,
                )
            )
        return BookResult(True, event_ids=ids)

    @activity.defn(name="cancel_booking")
    @provider_errors
    async def cancel_booking(self, request: CancelRequest) -> None:
        """Free a booked time: its rows released, then its events out of the calendar. Safe to
        retry: each step is idempotent."""
        await self.holds.cancel(request.hold_id)  # first: our own record never lags
        for event_id in request.event_ids:
            await self.calendar.cancel_event(event_id)

    async def _calendar_busy(self, spans: list[Span]) -> bool:
        for span in spans:
            if any(
                b.start < span.end and span.start < b.end
                for b in await self.calendar.busy(span.start, span.end)
            ):
                return True
        return False


def event_ids(base: str, days: int) -> list[str]:
    """One event per working day: the base id, then the base with the day's digit (base32hex
    allows 0-9), so every id is derived and stable."""
    return [base] + [f"{base}{day}" for day in range(1, days)]
