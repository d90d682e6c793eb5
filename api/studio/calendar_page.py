"""The studio's calendar: a week of working hours, tour days, busy blocks (added and removed
here), slots held for payment (with the time they have left) and bookings (with their lead);
seven columns on a desktop, a list of days on a phone. Also the calendar feed's secret URL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.artist_settings import in_force
from api.deps import Edge
from api.studio import web
from consultation.artist_settings import DAY_NAMES, hours_text
from consultation.calendar_rules import WEEKDAYS
from consultation.lead import TourStop
from consultation.tour import parse_day
from stores.calendar import CalendarStore
from stores.calendar_feed import CalendarFeeds
from stores.calendar_reads import CalendarReads
from stores.holds import Holds

router = APIRouter(prefix="/studio", route_class=web.StudioRoute, include_in_schema=False)


@dataclass
class Entry:
    kind: str  # busy | held | booked
    start: datetime  # in the artist's zone
    end: datetime
    text: str = ""
    lead_id: str = ""
    block_id: int = 0
    left: str = ""  # a hold's time left


@dataclass
class Day:
    day: date
    name: str
    hours: str
    tour: TourStop | None
    today: bool
    entries: list[Entry] = field(default_factory=list)


def monday_of(text: str, today: date) -> date:
    try:
        chosen = date.fromisoformat(text) if text else today
    except ValueError:
        chosen = today
    return chosen - timedelta(days=chosen.weekday())


def time_left(expires_at: datetime, now: datetime) -> str:
    minutes = max(0, round((expires_at - now) / timedelta(minutes=1)))
    return f"{minutes} min left" if minutes < 120 else f"{round(minutes / 60)} h left"


def stop_on(stops: tuple[TourStop, ...], day: date) -> TourStop | None:
    for stop in stops:
        start, end = parse_day(stop.start), parse_day(stop.end)
        if start and end and start <= day <= end:
            return stop
    return None


@router.get("/calendar")
async def calendar(request: Request, visitor: web.SignedIn, state: Edge) -> Response:
    _, settings = await in_force(state)
    zone, rules = settings.rules.zone, settings.rules
    now = datetime.now(UTC)
    today = now.astimezone(zone).date()
    monday = monday_of(request.query_params.get("week", ""), today)
    start = datetime.combine(monday, time(), zone)
    end = start + timedelta(days=7)
    artist = state.settings.ARTIST_ID
    days = [
        Day(
            monday + timedelta(days=offset),
            DAY_NAMES[WEEKDAYS[offset]],
            hours_text(rules.hours_on(monday + timedelta(days=offset))),
            stop_on(settings.tour, monday + timedelta(days=offset)),
            monday + timedelta(days=offset) == today,
        )
        for offset in range(7)
    ]
    entries = []
    postgres = state.settings.CALENDAR_BACKEND == "postgres"
    if postgres:
        agenda = await CalendarStore(state.sessions, artist).agenda(start, end)
        entries += [Entry("busy", b.start, b.end, b.note, block_id=b.id) for b in agenda.busy]
    for hold in await Holds(state.sessions, artist).active(start, end):
        left = time_left(hold.expires_at, now) if hold.state == "held" else ""
        entries.append(Entry(hold.state, hold.start, hold.end, lead_id=hold.lead_id, left=left))
    for entry in sorted(entries, key=lambda e: e.start):
        entry.start, entry.end = entry.start.astimezone(zone), entry.end.astimezone(zone)
        index = (entry.start.date() - monday).days
        if 0 <= index < 7:
            days[index].entries.append(entry)
    secret = await CalendarFeeds(state.sessions, artist).secret()
    last_read = await CalendarReads(state.sessions, artist).last()
    context = {
        "title": "Calendar",
        "visitor": visitor,
        "days": days,
        "monday": monday,
        "previous": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
        "zone": rules.timezone,
        "postgres": postgres,
        "google_calendar": state.settings.GOOGLE_CALENDAR_ID if not postgres else "",
        "last_read": last_read,
        "feed_url": f"{state.settings.PUBLIC_BASE_URL}/calendar/feed/{secret}.ics",
        "rotated": request.query_params.get("rotated") == "1",
        "error": request.query_params.get("error", "") == "busy",
    }
    return web.page(request, "calendar.html", context)


@router.post("/calendar/busy")
async def add_busy(
    visitor: web.SignedInForm,
    state: Edge,
    day: Annotated[str, Form()],
    start: Annotated[str, Form()],
    end: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    _, settings = await in_force(state)
    zone = settings.rules.zone
    try:
        on = date.fromisoformat(day)
        begins = datetime.combine(on, time.fromisoformat(start), zone)
        ends = datetime.combine(on, time.fromisoformat(end), zone)
    except ValueError:
        return RedirectResponse(f"/studio/calendar?week={day}&error=busy", status_code=303)
    if ends <= begins:
        return RedirectResponse(f"/studio/calendar?week={day}&error=busy", status_code=303)
    await CalendarStore(state.sessions, state.settings.ARTIST_ID).add_busy(
        begins, ends, note.strip()
    )
    return RedirectResponse(f"/studio/calendar?week={on.isoformat()}", status_code=303)


@router.post("/calendar/busy/{block_id}/remove")
async def remove_busy(
    block_id: int, visitor: web.SignedInForm, state: Edge, week: Annotated[str, Form()] = ""
) -> Response:
    await CalendarStore(state.sessions, state.settings.ARTIST_ID).remove_busy(block_id)
    return RedirectResponse(f"/studio/calendar?week={week}", status_code=303)


@router.post("/calendar/feed/rotate")
async def rotate_feed(visitor: web.SignedInForm, state: Edge) -> Response:
    await CalendarFeeds(state.sessions, state.settings.ARTIST_ID).rotate()
    return RedirectResponse("/studio/calendar?rotated=1", status_code=303)
