"""A fake Google Sheets v4 API on loopback: one spreadsheet with one tab, kept as an in-memory
grid, speaking the REST wire format for what the lead log uses (values.get, values.append,
values.batchUpdate). Point google-api-python-client at it with
`client_options={"api_endpoint": fake.endpoint}` (platform_facts D4)."""

from __future__ import annotations

import re
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.fakes.loopback import LoopbackServer

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
A1 = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!([A-Z]*)(\d*)(?::([A-Z]*)(\d*))?$")
GET = re.compile(r"^/v4/spreadsheets/([^/]+)/values/(.+)$")
APPEND = re.compile(r"^/v4/spreadsheets/([^/]+)/values/(.+):append$")
BATCH_UPDATE = re.compile(r"^/v4/spreadsheets/([^/]+)/values:batchUpdate$")


@dataclass
class Failure:
    status: int
    on: str | None  # "get" | "append" | "batchUpdate"; None: any request
    applied: bool  # make the change, then fail: as when the response is lost on the way back


@dataclass
class Area:
    """A parsed A1 range, zero-based; None for an open end."""

    first_row: int
    first_col: int
    last_row: int | None
    last_col: int | None


class FakeSheets(LoopbackServer):
    """The fake server. Use as a context manager, or `start()` / `stop()`."""

    def __init__(self, spreadsheet_id: str = "S1", sheet_name: str = "Leads") -> None:
        self.spreadsheet_id = spreadsheet_id
        self.sheet_name = sheet_name
        super().__init__()
        self._lock = threading.Lock()
        self._grid: list[list[str]] = []
        self._requests: list[tuple[str, str]] = []
        self._failures: deque[Failure] = deque()

    # -- test controls -------------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        """What to pass as `api_endpoint` (Sheets' paths already start with "v4/")."""
        return self.base_url + "/"

    @property
    def rows(self) -> list[list[str]]:
        """A snapshot of the grid, row 1 first, without trailing empty rows."""
        with self._lock:
            return [list(row) for row in self._grid]

    @property
    def requests(self) -> list[tuple[str, str]]:
        """(method, path) of every request received, oldest first."""
        with self._lock:
            return list(self._requests)

    def writes(self) -> int:
        """Requests that count against Google's write quota."""
        return sum(method == "POST" for method, _ in self.requests)

    def fail_next(
        self, status: int, times: int = 1, *, on: str | None = None, applied: bool = False
    ) -> None:
        """Answer the next `times` requests (of operation `on`, if given) with HTTP `status`.
        `applied`: carry the request out first, as if the answer were lost on its way back."""
        with self._lock:
            self._failures.extend([Failure(status, on, applied)] * times)

    def clear(self) -> None:
        with self._lock:
            self._grid.clear()
            self._requests.clear()
            self._failures.clear()

    # -- the API -------------------------------------------------------------------------------

    def _app(self) -> FastAPI:
        app = FastAPI()

        # One route: the paths hold ranges ("Leads!A1:append") and custom methods
        # ("values:batchUpdate") that path templates don't express well.
        @app.api_route("/{path:path}", methods=["GET", "POST", "PUT"])
        async def sheets(request: Request) -> Response:
            method, path = request.method, request.url.path  # the path comes percent-decoded
            body = await request.json() if method != "GET" else None
            query = request.query_params
            with self._lock:
                self._requests.append((method, path))
                if method == "POST" and (match := BATCH_UPDATE.match(path)):
                    return self._guarded("batchUpdate", match[1], lambda: self._batch(body))
                if method == "POST" and (match := APPEND.match(path)):
                    return self._guarded(
                        "append", match[1], lambda: self._append(match[2], query, body)
                    )
                if method == "GET" and (match := GET.match(path)):
                    return self._guarded("get", match[1], lambda: self._get(match[2]))
            return error(404, f"No such method: {method} {path}")

        return app

    def _guarded(self, operation: str, spreadsheet_id: str, call: Any) -> Response:
        """Run one operation (the lock is held), applying an injected failure if one is due."""
        failure = next((f for f in self._failures if f.on in (None, operation)), None)
        if failure is not None:
            self._failures.remove(failure)
        if spreadsheet_id != self.spreadsheet_id:
            return error(404, "Requested entity was not found.")
        if failure is not None and not failure.applied:
            return error(failure.status, "Injected failure")
        try:
            answer = call()
        except ValueError as invalid:
            return error(400, str(invalid))
        if failure is not None:
            return error(failure.status, "Injected failure (after applying the request)")
        return JSONResponse(answer)

    def _get(self, a1: str) -> dict[str, Any]:
        area = self._area(a1)
        last_row = len(self._grid) - 1 if area.last_row is None else area.last_row
        values = []
        for number in range(area.first_row, min(last_row, len(self._grid) - 1) + 1):
            row = self._grid[number]
            end = len(row) if area.last_col is None else area.last_col + 1
            values.append(_trim(row[area.first_col : end]))
        while values and not values[-1]:
            values.pop()  # Google leaves out trailing empty rows, and `values` if none is left
        answer: dict[str, Any] = {"range": self._a1(area), "majorDimension": "ROWS"}
        if values:
            answer["values"] = values
        return answer

    def _append(self, a1: str, query: Any, body: Any) -> dict[str, Any]:
        _input_option(query.get("valueInputOption"))
        area = self._area(a1)
        values = _values(body)
        # The "table" is everything down to the last non-empty row; rows go below it.
        filled = [number for number, row in enumerate(self._grid) if any(row)]
        start = max(filled[-1] + 1 if filled else 0, area.first_row)
        for offset, row in enumerate(values):
            self._put(start + offset, area.first_col, row)
        width = max(len(row) for row in values)
        written = Area(start, area.first_col, start + len(values) - 1, area.first_col + width - 1)
        return {
            "spreadsheetId": self.spreadsheet_id,
            "updates": {
                "spreadsheetId": self.spreadsheet_id,
                "updatedRange": self._a1(written),
                "updatedRows": len(values),
                "updatedColumns": width,
                "updatedCells": sum(len(row) for row in values),
            },
        }

    def _batch(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ValueError("Invalid JSON payload received.")
        _input_option(body.get("valueInputOption"))
        data = body.get("data")
        if not isinstance(data, list):
            raise ValueError("data is required")
        # All or nothing, like Google: check every range before writing any.
        writes = []
        for item in data:
            area, values = self._area(item.get("range", "")), _values(item)
            height, width = len(values), max(len(row) for row in values)
            if (area.last_row is not None and area.first_row + height - 1 > area.last_row) or (
                area.last_col is not None and area.first_col + width - 1 > area.last_col
            ):
                raise ValueError(
                    f"Requested writing within range [{item['range']}], but tried writing beyond it"
                )
            writes.append((area, values))
        for area, values in writes:
            for offset, row in enumerate(values):
                self._put(area.first_row + offset, area.first_col, row)
        return {
            "spreadsheetId": self.spreadsheet_id,
            "totalUpdatedRows": sum(len(values) for _, values in writes),
            "responses": [{"updatedRange": self._a1(area)} for area, _ in writes],
        }

    def _put(self, row_number: int, first_col: int, values: list[Any]) -> None:
        while len(self._grid) <= row_number:
            self._grid.append([])
        row = self._grid[row_number]
        row.extend([""] * (first_col + len(values) - len(row)))
        for offset, value in enumerate(values):
            row[first_col + offset] = "" if value is None else str(value)

    def _area(self, a1: str) -> Area:
        match = A1.match(a1)
        sheet = match and (match[1].replace("''", "'") if match[1] else match[2])
        if match is None or sheet != self.sheet_name:
            raise ValueError(f"Unable to parse range: {a1}")
        first_col, first_row, last_col, last_row = match[3], match[4], match[5], match[6]
        if match[5] is None:  # a single cell
            last_col, last_row = first_col, first_row
        return Area(
            first_row=int(first_row) - 1 if first_row else 0,
            first_col=_column_index(first_col) if first_col else 0,
            last_row=int(last_row) - 1 if last_row else None,
            last_col=_column_index(last_col) if last_col else None,
        )

    def _a1(self, area: Area) -> str:
        sheet = (
            self.sheet_name
            if re.fullmatch(r"\w+", self.sheet_name)
            else "'" + self.sheet_name.replace("'", "''") + "'"
        )
        end = "" if area.last_row is None else str(area.last_row + 1)
        last_col = _column_letter(area.last_col if area.last_col is not None else 25)
        return f"{sheet}!{_column_letter(area.first_col)}{area.first_row + 1}:{last_col}{end}"


def error(status: int, message: str) -> JSONResponse:
    """An error shaped like Google's."""
    body = {"code": status, "message": message, "status": STATUS_NAMES.get(status, "UNKNOWN")}
    return JSONResponse({"error": body}, status_code=status)


def _input_option(option: Any) -> None:
    if option not in ("RAW", "USER_ENTERED"):
        raise ValueError("Invalid valueInputOption: must be RAW or USER_ENTERED")


def _values(body: Any) -> list[list[Any]]:
    values = body.get("values") if isinstance(body, dict) else None
    if not isinstance(values, list) or not values or not all(isinstance(r, list) for r in values):
        raise ValueError("values must be a non-empty list of rows")
    return values


def _trim(row: list[str]) -> list[str]:
    end = len(row)
    while end and not row[end - 1]:
        end -= 1
    return row[:end]


def _column_index(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def _column_letter(index: int) -> str:
    letters, number = "", index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
