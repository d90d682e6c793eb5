"""The PostgreSQL calendar: busy blocks set through the real admin API on loopback, and the
`Calendar` the booking activities use (busy times, idempotent appointments)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from activities.errors import ProviderError
from activities.postgres_calendar import PostgresCalendar
from models import CalendarEventRow
from models.base import make_engine, make_sessions
from stores.calendar import CalendarEvent, CalendarStore
from stores.holds import Holds
from stores.spans import Span
from tests.conftest import Stack

ADMIN = {"X-Admin-API-Key": "test-admin-key"}
DAY = datetime(2031, 3, 3, 10, tzinfo=UTC)


def soon(days: float) -> datetime:
    """A whole minute `days` from now, so it round-trips through ISO text unchanged."""
    return (datetime.now(UTC) + timedelta(days=days)).replace(second=0, microsecond=0)


def at(hours: float, day: int = 0) -> datetime:
    return DAY + timedelta(days=day, hours=hours)


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def event(event_id: str, start: datetime, end: datetime) -> CalendarEvent:
    return CalendarEvent(event_id, start, end, "Tattoo: swallow", "Forearm", "lead-1", "wf-1")


# -- the admin API -----------------------------------------------------------------------------


async def test_the_artist_adds_lists_and_removes_a_busy_block(stack: Stack):
    start, end = soon(3), soon(3) + timedelta(hours=5)
    note = new_id("dentist")
    added = await stack.http.post(
        "/admin/calendar/busy",
        json={"start": start.isoformat(), "end": end.isoformat(), "note": note},
        headers=ADMIN,
    )
    assert added.status_code == 201
    block = added.json()
    assert block["note"] == note

    listed = (await stack.http.get("/admin/calendar", headers=ADMIN)).json()
    assert {
        "id": block["id"],
        "start": start.isoformat(),
        "end": end.isoformat(),
        "note": note,
    } in (listed["busy"])
    # Beyond the window asked for, it is not listed.
    short = (await stack.http.get("/admin/calendar?days=1", headers=ADMIN)).json()
    assert block["id"] not in [b["id"] for b in short["busy"]]

    removed = await stack.http.delete(f"/admin/calendar/busy/{block['id']}", headers=ADMIN)
    assert removed.status_code == 200
    listed = (await stack.http.get("/admin/calendar", headers=ADMIN)).json()
    assert block["id"] not in [b["id"] for b in listed["busy"]]
    again = await stack.http.delete(f"/admin/calendar/busy/{block['id']}", headers=ADMIN)
    assert again.status_code == 404


async def test_times_given_in_another_zone_are_listed_in_utc(stack: Stack):
    added = await stack.http.post(
        "/admin/calendar/busy",
        json={"start": "2031-06-02T09:00:00+02:00", "end": "2031-06-02T11:30:00+02:00"},
        headers=ADMIN,
    )
    assert added.status_code == 201
    assert added.json()["start"] == "2031-06-02T07:00:00+00:00"
    assert added.json()["end"] == "2031-06-02T09:30:00+00:00"
    await stack.http.delete(f"/admin/calendar/busy/{added.json()['id']}", headers=ADMIN)


async def test_the_calendar_lists_appointments_holds_and_bookings(stack: Stack, sessions):
    start = soon(5)
    calendar, holds = PostgresCalendar(sessions), Holds(sessions)
    event_id = new_id("ev").replace("-", "")
    await calendar.create_event(event(event_id, start, start + timedelta(hours=3)))
    booked, held, gone = new_id("booked"), new_id("held"), new_id("gone")
    expires = datetime.now(UTC) + timedelta(hours=1)
    later = start + timedelta(days=1)
    assert await holds.place(booked, "lead-b", [Span(later, later + timedelta(hours=2))], expires)
    assert await holds.confirm(booked)
    later += timedelta(days=1)
    assert await holds.place(held, "lead-h", [Span(later, later + timedelta(hours=2))], expires)
    later += timedelta(days=1)
    assert await holds.place(gone, "lead-g", [Span(later, later + timedelta(hours=2))], expires)
    await holds.release(gone)

    listed = (await stack.http.get("/admin/calendar?days=21", headers=ADMIN)).json()
    assert {
        "event_id": event_id,
        "start": start.isoformat(),
        "end": (start + timedelta(hours=3)).isoformat(),
        "title": "Tattoo: swallow",
        "lead_id": "lead-1",
        "workflow_id": "wf-1",
    } in listed["events"]
    states = {h["hold_id"]: h["state"] for h in listed["holds"]}
    assert states[booked] == "booked"
    assert states[held] == "held"
    assert gone not in states
    await holds.release(held)


async def test_the_calendar_admin_api_needs_the_admin_key(stack: Stack):
    body = {"start": "2031-06-02T09:00:00Z", "end": "2031-06-02T10:00:00Z"}
    wrong = {"X-Admin-API-Key": "nope"}
    for headers in ({}, wrong):
        assert (await stack.http.get("/admin/calendar", headers=headers)).status_code == 401
        posted = await stack.http.post("/admin/calendar/busy", json=body, headers=headers)
        assert posted.status_code == 401
        deleted = await stack.http.delete("/admin/calendar/busy/1", headers=headers)
        assert deleted.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"start": "2031-06-02T09:00:00", "end": "2031-06-02T10:00:00"},  # no time zone
        {"start": "2031-06-02T09:00:00Z", "end": "2031-06-02T10:00:00"},
        {"start": "2031-06-02T10:00:00Z", "end": "2031-06-02T09:00:00Z"},  # ends before
        {"start": "2031-06-02T10:00:00Z", "end": "2031-06-02T10:00:00Z"},  # empty
        {"start": "next tuesday", "end": "2031-06-02T10:00:00Z"},
        {"start": "2031-06-02T10:00:00Z"},
    ],
)
async def test_a_busy_block_needs_aware_times_that_end_after_they_start(stack: Stack, body):
    response = await stack.http.post("/admin/calendar/busy", json=body, headers=ADMIN)
    assert response.status_code == 422


async def test_the_window_is_one_day_to_a_year(stack: Stack):
    for days in (0, 366, "soon"):
        response = await stack.http.get(f"/admin/calendar?days={days}", headers=ADMIN)
        assert response.status_code == 422


# -- the Calendar the booking activities use ---------------------------------------------------


async def test_busy_is_the_artists_blocks_and_confirmed_appointments(sessions):
    calendar = PostgresCalendar(sessions, artist_id=new_id("artist"))
    other = PostgresCalendar(sessions, artist_id=new_id("artist"))
    await calendar.store.add_busy(at(0), at(2), "school run")
    await calendar.create_event(event(new_id("ev"), at(4), at(6)))
    cancelled = new_id("ev")
    await calendar.create_event(event(cancelled, at(7), at(8)))
    async with sessions.begin() as session:
        await session.execute(
            update(CalendarEventRow)
            .where(CalendarEventRow.event_id == cancelled)
            .values(status="cancelled")
        )
    await other.store.add_busy(at(0), at(8), "another artist's day")

    assert await calendar.busy(at(-1), at(9)) == [Span(at(0), at(2)), Span(at(4), at(6))]
    assert await calendar.busy(at(2), at(4)) == []  # touching is not overlapping
    assert not await calendar.event_exists(cancelled)


async def test_creating_the_same_appointment_twice_makes_one(sessions):
    calendar = PostgresCalendar(sessions, artist_id=new_id("artist"))
    event_id = new_id("ev")
    assert not await calendar.event_exists(event_id)
    await calendar.create_event(event(event_id, at(0), at(3)))
    await calendar.create_event(event(event_id, at(0), at(3)))  # a retried activity
    assert await calendar.event_exists(event_id)
    agenda = await calendar.store.agenda(at(-24), at(24))
    assert [e.event_id for e in agenda.events] == [event_id]
    assert await calendar.busy(at(-1), at(4)) == [Span(at(0), at(3))]


async def test_a_cancelled_appointment_is_neither_busy_nor_there(sessions):
    calendar = PostgresCalendar(sessions, artist_id=new_id("artist"))
    event_id = new_id("ev")
    await calendar.create_event(event(event_id, at(0), at(3)))
    await calendar.cancel_event(event_id)
    await calendar.cancel_event(event_id)  # a retried activity
    await calendar.cancel_event(new_id("ev"))  # never there: nothing to do
    assert not await calendar.event_exists(event_id)
    assert await calendar.busy(at(-1), at(4)) == []


async def test_removing_a_busy_block_frees_the_time(sessions):
    calendar = PostgresCalendar(sessions, artist_id=new_id("artist"))
    block = await calendar.store.add_busy(at(0), at(2))
    not_theirs = CalendarStore(sessions, new_id("artist"))
    assert not await not_theirs.remove_busy(block)
    assert await calendar.store.remove_busy(block)
    assert not await calendar.store.remove_busy(block)
    assert await calendar.busy(at(0), at(2)) == []


async def test_an_unreachable_calendar_is_a_retryable_calendar_error():
    engine = make_engine("postgresql://nobody@127.0.0.1:1/nothing", pool_size=1)
    try:
        calendar = PostgresCalendar(make_sessions(engine))
        with pytest.raises(ProviderError) as failed:
            await calendar.busy(at(0), at(1))
        assert failed.value.retryable
    finally:
        await engine.dispose()
