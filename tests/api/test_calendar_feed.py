"""The ICS files through the real API on loopback: the artist's feed at its secret URL (a
booking, a move and a cancellation, parsed back by `icalendar`), 404 without the secret or with
a wrong or rotated one, and the client's single-event file behind its own token."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from stores.calendar_feed import CalendarFeeds
from stores.holds import Holds
from stores.spans import Span
from tests.conftest import Stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
LONDON = ZoneInfo("Europe/London")


def night(days_ahead: int) -> datetime:
    """01:00 UTC some day in 2031: the other tests hold and book the artist's working hours."""
    return datetime(2031, 1, 1, 1, tzinfo=UTC) + timedelta(days=days_ahead)


async def book(holds: Holds, start: datetime, token: str = "") -> str:
    hold_id = f"feed-{uuid.uuid4().hex[:10]}"
    span = Span(start, start + timedelta(hours=2))
    assert await holds.place(
        hold_id, f"lead-{hold_id}", [span], datetime.now(UTC) + timedelta(hours=1)
    )
    assert await holds.confirm(hold_id, token)
    return hold_id


def events_of(raw: bytes) -> dict[str, dict]:
    """The feed's events by lead id (from their description), parsed back by the library."""
    calendar = Calendar.from_ical(raw)
    assert calendar["version"] == "2.0"
    found = {}
    for event in calendar.walk("VEVENT"):
        lead = str(event.get("url", "")).rsplit("/", 1)[-1]
        found[lead] = {
            "uid": str(event["uid"]),
            "status": str(event["status"]),
            "start": event.decoded("dtstart"),
            "tzid": event["dtstart"].params.get("TZID"),
        }
    return found


async def test_the_feed_shows_a_booking_a_move_and_a_cancellation(stack: Stack, sessions):
    holds = Holds(sessions, stack.settings.ARTIST_ID)
    first = random.randrange(0, 300)
    moved_from = await book(holds, night(first))
    moved_to = await book(holds, night(first + 1))
    await holds.cancel(moved_from)  # a move: the new time is in, the old one comes out
    cancelled = await book(holds, night(first + 2))
    await holds.cancel(cancelled)
    kept = await book(holds, night(first + 3))
    secret = await CalendarFeeds(sessions, stack.settings.ARTIST_ID).secret()

    response = await stack.http.get(f"/calendar/feed/{secret}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    events = events_of(response.content)
    assert events[f"lead-{moved_from}"]["status"] == "CANCELLED"
    assert events[f"lead-{moved_to}"]["status"] == "CONFIRMED"
    assert events[f"lead-{cancelled}"]["status"] == "CANCELLED"
    assert events[f"lead-{kept}"]["status"] == "CONFIRMED"
    # Local time in the artist's zone, with its VTIMEZONE in the file.
    assert events[f"lead-{kept}"]["tzid"] == "Europe/London"
    assert events[f"lead-{kept}"]["start"] == night(first + 3).astimezone(LONDON)
    zones = [str(z["tzid"]) for z in Calendar.from_ical(response.content).walk("VTIMEZONE")]
    assert zones == ["Europe/London"]

    # The same UIDs on the next read: calendar apps update events in place.
    again = events_of((await stack.http.get(f"/calendar/feed/{secret}.ics")).content)
    assert {k: v["uid"] for k, v in again.items()} == {k: v["uid"] for k, v in events.items()}


async def test_the_feed_is_404_without_the_secret_with_a_wrong_one_and_after_rotation(
    stack: Stack, sessions
):
    feeds = CalendarFeeds(sessions, stack.settings.ARTIST_ID)
    secret = await feeds.secret()
    assert (await stack.http.get(f"/calendar/feed/{secret}.ics")).status_code == 200
    for path in ("/calendar/feed", "/calendar/feed/.ics", f"/calendar/feed/{secret}x.ics",
                 "/calendar/feed/guess.ics"):  # fmt: skip
        assert (await stack.http.get(path)).status_code == 404, path
    fresh = await feeds.rotate()
    assert fresh != secret
    assert (await stack.http.get(f"/calendar/feed/{secret}.ics")).status_code == 404
    assert (await stack.http.get(f"/calendar/feed/{fresh}.ics")).status_code == 200


async def test_the_clients_file_holds_their_booking_only_and_no_lead(stack: Stack, sessions):
    holds = Holds(sessions, stack.settings.ARTIST_ID)
    token = uuid.uuid4().hex
    start = night(random.randrange(300, 600))
    hold_id = await book(holds, start, token)
    await book(holds, start + timedelta(days=1))  # someone else's, never in this file

    response = await stack.http.get(f"/calendar/event/{token}.ics")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 1
    assert events[0].decoded("dtstart") == start.astimezone(LONDON)
    assert str(events[0]["status"]) == "CONFIRMED"
    assert hold_id not in response.text and "lead-" not in response.text
    assert (await stack.http.get(f"/calendar/event/{uuid.uuid4().hex}.ics")).status_code == 404

    await holds.cancel(hold_id)
    cancelled = Calendar.from_ical((await stack.http.get(f"/calendar/event/{token}.ics")).content)
    assert str(cancelled.walk("VEVENT")[0]["status"]) == "CANCELLED"
