"""The artist's Google Calendar behind the `Calendar` port: free/busy for offering and holding
slots, and the appointment event written once the deposit is in (platform_facts D1, D2, D4).

Inserts are idempotent by id: the workflow derives a base32hex event id, so a retried insert
either creates the event or meets 409 "already exists" and checks the event is ours.
"""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import httplib2
from google.auth.credentials import Credentials
from google.auth.exceptions import GoogleAuthError, TransportError
from google.oauth2 import service_account
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from activities.calendar import CalendarError, CalendarEvent, Span

DEFAULT_ENDPOINT = "https://www.googleapis.com/calendar/v3/"
SCOPE = "https://www.googleapis.com/auth/calendar"

# Over quota, Google answers 403 or 429 with one of these (domain usageLimits); other 403s
# (no access, API not enabled) stay refused however long we wait.
RATE_LIMITED = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}
# freeBusy reports per-calendar failures inside a 200 answer; these ones may pass.
TRANSIENT = RATE_LIMITED | {"backendError", "internalError"}


def calendar_credentials(info_json: str) -> Credentials:
    """Credentials from a service account's JSON key (the text, not a path). The artist shares
    the calendar with the service account's email ("Make changes to events")."""
    return service_account.Credentials.from_service_account_info(
        json.loads(info_json), scopes=[SCOPE]
    )


class GoogleCalendar:
    """One Google calendar, read through freeBusy and written through events.insert."""

    def __init__(
        self, calendar_id: str, credentials: Credentials, *, endpoint: str = DEFAULT_ENDPOINT
    ) -> None:
        self.calendar_id = calendar_id
        # Static discovery: building reads the bundled discovery document, no request. The
        # endpoint replaces rootUrl + servicePath, so it must end in "/calendar/v3/".
        service = build(
            "calendar",
            "v3",
            credentials=credentials,
            client_options={"api_endpoint": endpoint.rstrip("/") + "/"},
            static_discovery=True,
            cache_discovery=False,
        )
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
            raise CalendarError(
                f"freeBusy answered without calendar {self.calendar_id!r}", retryable=False
            )
        errors = found.get("errors") or []
        if errors:
            # An unreadable calendar is never free: offering its slots could double-book.
            reasons = [str(error.get("reason", "")) for error in errors]
            raise CalendarError(
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
        except CalendarError as error:
            if http_status(error) != 409:
                raise
            await self._check_ours(event)

    async def _check_ours(self, event: CalendarEvent) -> None:
        """After 409: the id is taken. Ours if a lost answer hid our own insert; otherwise the
        booking cannot be written under this id, and retrying will not change that."""
        existing = await self._get(event.event_id)
        if existing is None:
            raise CalendarError(
                f"event {event.event_id} already exists but cannot be read", retryable=False
            )
        if existing.get("status") == "cancelled":
            # Checked first, as a deleted event may come back without its properties. Its id
            # stays taken: a new booking needs a new id (platform_facts D2).
            raise CalendarError(
                f"event {event.event_id} was deleted from the calendar; its id cannot be reused",
                retryable=False,
            )
        owner = existing.get("extendedProperties", {}).get("private", {}).get("lead_id")
        if owner != event.lead_id:
            raise CalendarError(
                f"event id {event.event_id} is taken by another event", retryable=False
            )

    async def _get(self, event_id: str) -> dict[str, Any] | None:
        """The event, cancelled ones included; None if the calendar has no such id."""
        try:
            return await self._execute(
                self.events.get(calendarId=self.calendar_id, eventId=event_id)
            )
        except CalendarError as error:
            if http_status(error) in (404, 410):
                return None
            raise

    async def _execute(self, request: Any) -> dict[str, Any]:
        # num_retries=0: retries belong to Temporal, which backs off durably and counts them.
        async with self.lock:
            try:
                result: dict[str, Any] = await asyncio.to_thread(request.execute, num_retries=0)
            except HttpError as error:
                # Status and Google's message only: the error's URI and body stay out of logs.
                status = error.resp.status
                raise CalendarError(
                    f"Calendar answered {status}: {error.reason}",
                    retryable=retryable_status(status, error_reasons(error.content)),
                ) from error
            except (TransportError, httplib2.HttpLib2Error, OSError) as error:
                raise CalendarError(f"Calendar unreachable: {error!r}", retryable=True) from error
            except GoogleAuthError as error:
                # Getting a token failed. The first argument is Google's text ("invalid_grant:
                # …"), never the key; google-auth knows whether the token endpoint may recover.
                detail = error.args[0] if error.args else type(error).__name__
                raise CalendarError(
                    f"Google credentials refused: {detail}",
                    retryable=bool(getattr(error, "retryable", False)),
                ) from error
        return result


def http_status(error: CalendarError) -> int | None:
    """The HTTP status behind a CalendarError, if Google answered at all."""
    cause = error.__cause__
    return cause.resp.status if isinstance(cause, HttpError) else None


def retryable_status(status: int, reasons: list[str]) -> bool:
    """Quota, a timeout, an outage: yes. Any other refusal: no."""
    if status in (408, 429) or status >= 500:
        return True
    return status == 403 and any(reason in RATE_LIMITED for reason in reasons)


def error_reasons(content: bytes) -> list[str]:
    """The `reason`s of a Google error body: {"error": {"errors": [{"reason": …}, …]}}."""
    try:
        errors = json.loads(content)["error"]["errors"]
        return [str(error.get("reason", "")) for error in errors]
    except (ValueError, KeyError, TypeError, AttributeError):
        return []


def rfc3339(moment: datetime) -> str:
    """UTC with a Z; a naive time is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    """An RFC3339 time from Google, as tz-aware UTC."""
    return datetime.fromisoformat(text).astimezone(UTC)
