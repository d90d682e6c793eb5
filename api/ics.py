"""The artist's bookings as iCalendar (RFC 5545), built with the `icalendar` library: the feed
their calendar app subscribes to, and the single-event file a client adds from the confirmation.

Each day of a booking is one VEVENT whose UID is its row's, so a calendar app updates it in place:
a move is the old time CANCELLED beside the new one, a cancellation keeps the UID with
STATUS:CANCELLED (apps take the event out). Times carry the artist's TZID, with its VTIMEZONE."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from stores.holds import BookedDay

PRODUCT = "-//Inkflow//Tattoo bookings//EN"
DOMAIN = "inkflow"


# The VTIMEZONE's rules cover the years bookings are in, not 1970-2038 (a smaller file).
ZONE_YEARS_BEFORE, ZONE_YEARS_AFTER = 2, 5


def uid(day: BookedDay) -> str:
    return f"booking-{day.row_id}@{DOMAIN}"


def _calendar(name: str, zone: ZoneInfo) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone.key)
    return calendar


def _event(day: BookedDay, zone: ZoneInfo, summary: str, now: datetime) -> Event:
    event = Event()
    event.add("uid", uid(day))
    event.add("dtstamp", now)
    event.add("last-modified", day.changed_at.astimezone(UTC))
    event.add("dtstart", day.start.astimezone(zone))
    event.add("dtend", day.end.astimezone(zone))
    event.add("summary", summary)
    event.add("status", "CANCELLED" if day.cancelled else "CONFIRMED")
    # A cancellation is a change to the event: a higher sequence makes apps apply it.
    event.add("sequence", 1 if day.cancelled else 0)
    return event


def feed(days: list[BookedDay], zone: ZoneInfo, artist: str, studio_url: str) -> bytes:
    """The artist's own feed: every booking, with a link to its lead in the studio."""
    now = datetime.now(UTC)
    calendar = _calendar(f"{artist} · bookings", zone)
    for day in days:
        event = _event(day, zone, f"Tattoo session · {day.lead_id[:8]}", now)
        event.add("description", f"Lead: {studio_url}/studio/leads/{day.lead_id}")
        event.add("url", f"{studio_url}/studio/leads/{day.lead_id}")
        calendar.add_component(event)
    return _with_zones(calendar, now)


def single(days: list[BookedDay], zone: ZoneInfo, artist: str, place: str) -> bytes:
    """The client's "add to calendar" file: their session, where, and nothing about the lead."""
    now = datetime.now(UTC)
    calendar = _calendar(f"Tattoo with {artist}", zone)
    for day in days:
        event = _event(day, zone, f"Tattoo session with {artist}", now)
        if place:
            event.add("location", place)
        calendar.add_component(event)
    return _with_zones(calendar, now)


def _with_zones(calendar: Calendar, now: datetime) -> bytes:
    calendar.add_missing_timezones(
        first_date=(now - timedelta(days=365 * ZONE_YEARS_BEFORE)).date(),
        last_date=(now + timedelta(days=365 * ZONE_YEARS_AFTER)).date(),
    )
    return calendar.to_ical()
