"""The artist's Google Calendar behind the `Calendar` port: free/busy for offering and holding
slots, and the appointment event written once the deposit is in (platform_facts D1, D2, D4).

Inserts are idempotent by id: the workflow derives a base32hex event id, so a retried insert
either creates the event or meets 409 "already exists" and checks the event is ours.
"""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

import asyncio
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from google.auth.credentials import Credentials

from activities import google_api
from activities.errors import ProviderError
from activities.google_api import RATE_LIMITED
from stores.calendar import CalendarEvent
from stores.spans import Span

DEFAULT_ENDPOINT = "https://www.googleapis.com/calendar/v3/"
SCOPE = "https://www.googleapis.com/auth/calendar"
# freeBusy reports per-calendar failures inside a 200 answer; these ones may pass.
TRANSIENT = RATE_LIMITED | {"backendError", "internalError"}
GONE = (404, 410)  # an event deleted, or never there


def calendar_credentials(info_json: str) -> Credentials:
    """The artist shares the calendar with the service account's email ("Make changes to
    events")."""
    return google_api.service_account_credentials(info_json, SCOPE)


class GoogleCalendar:
    """One Google calendar, read through freeBusy and written through events.insert."""

    def __init__(
        self, calendar_id: str, credentials: Credentials, *, endpoint: str = DEFAULT_ENDPOINT
    ) -> None:
        self.calendar_id = calendar_id
        # The endpoint replaces rootUrl + servicePath, so it must end in "/calendar/v3/".
        service = google_api.client("calendar", "v3", credentials, endpoint)
        self.freebusy = service.freebusy()
        self.events = service.events()
        # The client's httplib2 connection is not thread-safe: one call at a time.
        self.lock = asyncio.Lock()

    async def busy(self, start: datetime, end: datetime) -> list[Span]:
        answer = await self._execute(
            self.freebusy.query(
                body={
                    "timeMin": rfc3339(start),
                    "timeMax": rfc3339(end),
                    "timeZone": "UTC",
                    "items": [{"id": self.calendar_id}],
                }
            )
        )
        found = answer.get("calendars", {}).get(self.calendar_id)
        if found is None:
            raise ProviderError(
                "Calendar",
                f"freeBusy answered without calendar {self.calendar_id!r}",
                retryable=False,
            )
        errors = found.get("errors") or []
        if errors:
            # An unreadable calendar is never free: offering its slots could double-book.
            reasons = [str(error.get("reason", "")) for error in errors]
            raise ProviderError(
                "Calendar",
                f"calendar could not be read: {', '.join(reasons)}",
                retryable=all(reason in TRANSIENT for reason in reasons),
            )
        return [Span(parse_time(b["start"]), parse_time(b["end"])) for b in found.get("busy", [])]

    async def event_exists(self, event_id: str) -> bool:
        event = await self._get(event_id)
        return event is not None and event.get("status") != "cancelled"

    async def create_event(self, event: CalendarEvent) -> None:
        body = {
            "id": event.event_id,
            "summary": event.title,
            "description": event.description,
            "start": {"dateTime": rfc3339(event.start)},
            "end": {"dateTime": rfc3339(event.end)},
            "extendedProperties": {
                "private": {"lead_id": event.lead_id, "workflow_id": event.workflow_id}
            },
        }
        try:
            await self._execute(
                self.events.insert(calendarId=self.calendar_id, body=body, sendUpdates="none")
            )
        except ProviderError as error:
            if error.code != 409:
                raise
            await self._check_ours(event)

    async def cancel_event(self, event_id: str) -> None:
        """events.delete: Google keeps the event, cancelled (its id stays taken, so a new
        booking gets a new id); deleting one already gone answers 404 or 410, which is fine."""
        try:
            await self._execute(
                self.events.delete(
                    calendarId=self.calendar_id, eventId=event_id, sendUpdates="none"
                ),
                benign=GONE,
            )
        except ProviderError as error:
            if not error.benign:
                raise

    async def _check_ours(self, event: CalendarEvent) -> None:
        """After 409: the id is taken. Ours if a lost answer hid our own insert; otherwise the
        booking cannot be written under this id, and retrying will not change that."""
        existing = await self._get(event.event_id)
        if existing is None:
            raise ProviderError(
                "Calendar",
                f"event {event.event_id} already exists but cannot be read",
                retryable=False,
            )
        if existing.get("status") == "cancelled":
            # Checked first, as a deleted event may come back without its properties. Its id
            # stays taken: a new booking needs a new id (platform_facts D2).
            raise ProviderError(
                "Calendar",
                f"event {event.event_id} was deleted from the calendar; its id cannot be reused",
                retryable=False,
            )
        owner = existing.get("extendedProperties", {}).get("private", {}).get("lead_id")
        if owner != event.lead_id:
            raise ProviderError(
                "Calendar", f"event id {event.event_id} is taken by another event", retryable=False
            )

    async def _get(self, event_id: str) -> dict[str, Any] | None:
        """The event, cancelled ones included; None if the calendar has no such id."""
        try:
            return await self._execute(
                self.events.get(calendarId=self.calendar_id, eventId=event_id), benign=GONE
            )
        except ProviderError as error:
            if error.benign:
                return None
            raise

    async def _execute(self, request: Any, benign: Collection[int] = ()) -> dict[str, Any]:
        return await google_api.execute(request, self.lock, "Calendar", "Calendar", benign)


def rfc3339(moment: datetime) -> str:
    """UTC with a Z; a naive time is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    """An RFC3339 time from Google, as tz-aware UTC."""
    return datetime.fromisoformat(text).astimezone(UTC)
