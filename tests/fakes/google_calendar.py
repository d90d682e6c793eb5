"""A fake Google Calendar v3 API on loopback: one calendar, its events kept in memory, speaking
the REST wire format for what the booking uses (freeBusy, events.insert, events.get). Point
google-api-python-client at it with `client_options={"api_endpoint": fake.endpoint}`
(platform_facts D1, D2, D4)."""

from __future__ import annotations

import copy
import re
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.fakes.loopback import LoopbackServer

# Google's (reason, domain) for each status, in the Calendar API's error shape.
REASONS = {
    400: ("badRequest", "global"),
    401: ("authError", "global"),
    403: ("forbidden", "global"),
    404: ("notFound", "global"),
    409: ("duplicate", "global"),
    410: ("deleted", "global"),
    429: ("rateLimitExceeded", "usageLimits"),
    500: ("backendError", "global"),
    503: ("backendError", "global"),
}
EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")


@dataclass
class Failure:
    status: int
    on: str | None  # "freeBusy" | "insert" | "get"; None: any request
    applied: bool  # make the change, then fail: as when the response is lost on the way back
    reason: str | None  # Google's error reason; None: the usual one for the status


@dataclass
class Received:
    method: str
    path: str  # percent-decoded
    query: dict[str, str]
    body: Any


class CalendarRefusal(Exception):
    def __init__(self, status: int, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


class FakeGoogleCalendar(LoopbackServer):
    """The fake server. Use as a context manager, or `start()` / `stop()`."""

    def __init__(self, calendar_id: str = "artist@example.com") -> None:
        self.calendar_id = calendar_id
        super().__init__()
        self._lock = threading.Lock()
        self._events: dict[str, dict[str, Any]] = {}
        self._busy: list[tuple[datetime, datetime]] = []
        self._requests: list[Received] = []
        self._failures: deque[Failure] = deque()
        # freeBusy answers 200 but with `errors` for the calendar: as for a calendar the
        # service account was never given access to ("notFound"), or a backend hiccup.
        self.unreadable = False
        self.unreadable_reason = "notFound"

    # -- test controls -------------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        """What to pass as `api_endpoint`: Calendar's method paths are relative to it."""
        return f"{self.base_url}/calendar/v3/"

    @property
    def events(self) -> dict[str, dict[str, Any]]:
        """A snapshot: event id → the event as Google would return it."""
        with self._lock:
            return copy.deepcopy(self._events)

    @property
    def requests(self) -> list[Received]:
        """Every request received, oldest first."""
        with self._lock:
            return list(self._requests)

    def add_busy(self, start: datetime, end: datetime) -> None:
        """Something busy that is not one of our events (the artist's own plans)."""
        with self._lock:
            self._busy.append((start.astimezone(UTC), end.astimezone(UTC)))

    def add_event(self, body: dict[str, Any]) -> None:
        """Put an event straight in the calendar (made by someone else, or earlier)."""
        with self._lock:
            self._events[body["id"]] = self._stored(body)

    def cancel(self, event_id: str) -> None:
        """Delete an event the way Google does: it stays, cancelled, and keeps its id."""
        with self._lock:
            self._events[event_id]["status"] = "cancelled"

    def fail_next(
        self,
        status: int,
        times: int = 1,
        *,
        on: str | None = None,
        applied: bool = False,
        reason: str | None = None,
    ) -> None:
        """Answer the next `times` requests (of operation `on`, if given) with HTTP `status`.
        `applied`: carry the request out first, as if the answer were lost on its way back."""
        with self._lock:
            self._failures.extend([Failure(status, on, applied, reason)] * times)

    def clear(self) -> None:
        with self._lock:
            self._events.clear()
            self._busy.clear()
            self._requests.clear()
            self._failures.clear()
            self.unreadable = False
            self.unreadable_reason = "notFound"

    # -- the API -------------------------------------------------------------------------------

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/calendar/v3/freeBusy")
        async def free_busy(request: Request) -> Response:
            body = await self._received(request)
            return self._guarded("freeBusy", None, lambda: self._free_busy(body))

        @app.post("/calendar/v3/calendars/{calendar_id}/events")
        async def insert(calendar_id: str, request: Request) -> Response:
            body = await self._received(request)
            return self._guarded("insert", calendar_id, lambda: self._insert(body))

        @app.get("/calendar/v3/calendars/{calendar_id}/events/{event_id}")
        async def get(calendar_id: str, event_id: str, request: Request) -> Response:
            await self._received(request)
            return self._guarded("get", calendar_id, lambda: self._get(event_id))

        @app.delete("/calendar/v3/calendars/{calendar_id}/events/{event_id}")
        async def delete(calendar_id: str, event_id: str, request: Request) -> Response:
            await self._received(request)
            return self._guarded("delete", calendar_id, lambda: self._delete(event_id))

        return app

    async def _received(self, request: Request) -> Any:
        body = await request.json() if request.method == "POST" else None
        with self._lock:
            self._requests.append(
                Received(request.method, request.url.path, dict(request.query_params), body)
            )
        return body

    def _guarded(self, operation: str, calendar_id: str | None, call: Any) -> Response:
        """Run one operation under the lock, applying an injected failure if one is due."""
        with self._lock:
            failure = next((f for f in self._failures if f.on in (None, operation)), None)
            if failure is not None:
                self._failures.remove(failure)
            if calendar_id is not None and calendar_id != self.calendar_id:
                return error(404, "Not Found")
            if failure is not None and not failure.applied:
                return error(failure.status, "Injected failure", failure.reason)
            try:
                answer = call()
            except CalendarRefusal as refused:
                return error(refused.status, str(refused), refused.reason)
            if failure is not None:
                return error(
                    failure.status, "Injected failure (after applying the request)", failure.reason
                )
            return Response(status_code=204) if answer is None else JSONResponse(answer)

    def _free_busy(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise CalendarRefusal(400, "Invalid JSON payload received.")
        start, end = _time(body.get("timeMin"), "timeMin"), _time(body.get("timeMax"), "timeMax")
        if end <= start:
            raise CalendarRefusal(400, "The specified time range is empty.", "timeRangeEmpty")
        calendars: dict[str, Any] = {}
        for item in body.get("items") or []:
            calendar_id = item.get("id")
            if calendar_id != self.calendar_id:
                calendars[calendar_id] = {"errors": [_reason("notFound")], "busy": []}
            elif self.unreadable:
                calendars[calendar_id] = {"errors": [_reason(self.unreadable_reason)], "busy": []}
            else:
                calendars[calendar_id] = {"busy": self._busy_between(start, end)}
        return {
            "kind": "calendar#freeBusy",
            "timeMin": _format(start),
            "timeMax": _format(end),
            "calendars": calendars,
        }

    def _busy_between(self, start: datetime, end: datetime) -> list[dict[str, str]]:
        """Busy blocks and confirmed, opaque events, clipped to the window and merged."""
        spans = list(self._busy)
        for event in self._events.values():
            if event.get("status") != "cancelled" and event.get("transparency") != "transparent":
                spans.append((_event_time(event["start"]), _event_time(event["end"])))
        merged: list[list[datetime]] = []
        for first, last in sorted(spans):
            first, last = max(first, start), min(last, end)
            if first >= last:
                continue
            if merged and first <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        return [{"start": _format(first), "end": _format(last)} for first, last in merged]

    def _insert(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise CalendarRefusal(400, "Invalid JSON payload received.")
        event_id = body.get("id")
        if event_id is not None and not EVENT_ID.match(str(event_id)):
            raise CalendarRefusal(400, "Invalid resource id value.", "invalid")
        for key in ("start", "end"):
            if not isinstance(body.get(key), dict):
                raise CalendarRefusal(400, "Missing end time." if key == "end" else "Bad Request")
            _event_time(body[key])
        if _event_time(body["end"]) <= _event_time(body["start"]):
            raise CalendarRefusal(400, "The specified time range is empty.", "timeRangeEmpty")
        if event_id in self._events:
            raise CalendarRefusal(409, "The requested identifier already exists.", "duplicate")
        stored = self._stored(body)
        self._events[stored["id"]] = stored
        return copy.deepcopy(stored)

    def _get(self, event_id: str) -> dict[str, Any]:
        event = self._events.get(event_id)
        if event is None:
            raise CalendarRefusal(404, "Not Found")
        return copy.deepcopy(event)

    def _delete(self, event_id: str) -> None:
        """Google keeps a deleted event, cancelled, and answers 410 when it is deleted again."""
        event = self._events.get(event_id)
        if event is None:
            raise CalendarRefusal(404, "Not Found")
        if event["status"] == "cancelled":
            raise CalendarRefusal(410, "Resource has been deleted", "deleted")
        event["status"] = "cancelled"

    def _stored(self, body: dict[str, Any]) -> dict[str, Any]:
        """The event with the fields Google adds."""
        now = _format(datetime.now(UTC))
        event_id = body.get("id") or f"fake{len(self._events):08d}"
        return {
            "kind": "calendar#event",
            "etag": f'"{len(self._events) + 1}"',
            "status": "confirmed",
            "htmlLink": f"https://www.google.com/calendar/event?eid={event_id}",
            "created": now,
            "updated": now,
            "creator": {"email": "service@example.iam.gserviceaccount.com"},
            "organizer": {"email": self.calendar_id, "self": True},
            "iCalUID": f"{event_id}@google.com",
            "sequence": 0,
            **copy.deepcopy(body),
            "id": event_id,
        }


def error(status: int, message: str, reason: str | None = None) -> JSONResponse:
    """An error shaped like the Calendar API's."""
    default_reason, domain = REASONS.get(status, ("unknown", "global"))
    if reason in ("rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"):
        domain = "usageLimits"
    detail = {"domain": domain, "reason": reason or default_reason, "message": message}
    return JSONResponse(
        {"error": {"errors": [detail], "code": status, "message": message}}, status_code=status
    )


def _reason(reason: str) -> dict[str, str]:
    return {"domain": "global", "reason": reason}


def _time(text: Any, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        raise CalendarRefusal(400, f"Bad Request: {name}", "badRequest") from None
    if moment.tzinfo is None:  # RFC3339 requires an offset
        raise CalendarRefusal(400, f"Bad Request: {name}", "badRequest")
    return moment.astimezone(UTC)


def _event_time(when: dict[str, Any]) -> datetime:
    """An event's start or end; all-day events (`date`) start at midnight UTC here."""
    if "dateTime" in when:
        return _time(when["dateTime"], "dateTime")
    if "date" in when:
        return _time(f"{when['date']}T00:00:00+00:00", "date")
    raise CalendarRefusal(400, "Missing time.", "required")


def _format(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
