"""The Google Sheets lead log: one row per lead in a sheet the artist shares with people, kept
up to date by upserting rows by lead id, a batch at a time (spec §21, platform_facts D3–D4).

Rows are found through our own `lead_log_rows` index, never by searching the sheet; so nobody
should sort or delete rows in the tab itself (a filter view is fine).
"""

import asyncio
import re
from collections.abc import Iterable
from typing import Any

from google.auth.credentials import Credentials
from sqlalchemy.ext.asyncio import async_sessionmaker

from activities import google_api
from activities.errors import ProviderError
from activities.lead_log.rows import COLUMNS, LeadRow
from stores.lead_log import LeadLogIndex

DEFAULT_ENDPOINT = "https://sheets.googleapis.com"
SCOPE = "https://www.googleapis.com/auth/spreadsheets"


def service_account_credentials(info_json: str) -> Credentials:
    return google_api.service_account_credentials(info_json, SCOPE)


class SheetsLog:
    """Upserts lead rows into one tab of one spreadsheet, indexed in `lead_log_rows`."""

    def __init__(
        self,
        sessions: async_sessionmaker,
        spreadsheet_id: str,
        credentials: Credentials,
        *,
        endpoint: str = DEFAULT_ENDPOINT,
        sheet_name: str = "Leads",
    ) -> None:
        self.index = LeadLogIndex(sessions)
        self.spreadsheet_id = spreadsheet_id
        self.sheet = "'" + sheet_name.replace("'", "''") + "'"  # quoted: any tab name works
        # Sheets' method paths start with "v4/", so the endpoint is the bare host.
        service = google_api.client("sheets", "v4", credentials, endpoint)
        self.values = service.spreadsheets().values()
        self.last_column = column_letter(len(COLUMNS))
        self.header_written = False  # once per process; rewriting it is harmless
        # One write at a time: a write reads the index, then updates and appends.
        self.lock = asyncio.Lock()
        self.connection = asyncio.Lock()  # the client's httplib2 connection: one call at a time

    async def write(self, rows: list[LeadRow], *, recheck: bool = False) -> None:
        """Write the newest of `rows` per lead: at most one batchUpdate (rows the index knows,
        and the header) and one append (new leads), whatever the number of rows.

        `recheck`: an earlier write may have appended some of these rows and died before
        indexing them. Appending is not idempotent, so column A is read first and rows
        already there are updated in place instead.
        """
        newest = latest(rows)
        if not newest:
            return
        async with self.lock:
            indexed = await self.index.placed(list(newest))
            placed: dict[str, int] = {}  # lead id → sheet row, for rows to update
            fresh: list[LeadRow] = []
            for row in newest.values():
                known = indexed.get(row.lead_id)
                if known is None:
                    fresh.append(row)
                elif known[1] < row.version:  # the sheet holds an older version
                    placed[row.lead_id] = known[0]
            if fresh and recheck:
                found = await self._find({row.lead_id for row in fresh})
                placed.update(found)
                fresh = [row for row in fresh if row.lead_id not in found]
            data = [self._range(placed[lead_id], newest[lead_id].values) for lead_id in placed]
            if not self.header_written and (data or fresh):
                data.insert(0, self._range(1, COLUMNS))
            if data:
                # Before the append: into an empty tab, the append must land below the header.
                await self._execute(
                    self.values.batchUpdate(
                        spreadsheetId=self.spreadsheet_id,
                        body={"valueInputOption": "RAW", "data": data},
                    )
                )
                self.header_written = True
            if fresh:
                placed.update(await self._append(fresh))
            if placed:
                await self.index.record(
                    {lead_id: (placed[lead_id], newest[lead_id].version) for lead_id in placed}
                )

    def _range(self, sheet_row: int, values: list[str]) -> dict[str, Any]:
        return {
            "range": f"{self.sheet}!A{sheet_row}:{self.last_column}{sheet_row}",
            "values": [values],
        }

    async def _append(self, rows: list[LeadRow]) -> dict[str, int]:
        # RAW: a client's "=HYPERLINK(…)" stays text. INSERT_ROWS: never overwrite whatever
        # a person typed below the table.
        result = await self._execute(
            self.values.append(
                spreadsheetId=self.spreadsheet_id,
                range=f"{self.sheet}!A1",
                valueInputOption="RAW",
                insertDataOption="INSERT_ROWS",
                body={"values": [row.values for row in rows]},
            )
        )
        updated = result.get("updates", {}).get("updatedRange", "")
        first, last = row_span(updated)
        if last - first + 1 != len(rows):
            # The rows are in the sheet but we can't tell where: retried, the write looks for
            # them in column A (the activity rechecks on every retry).
            raise ProviderError(
                "Sheets", f"append reported {updated!r} for {len(rows)} rows", retryable=True
            )
        return {row.lead_id: first + offset for offset, row in enumerate(rows)}

    async def _find(self, lead_ids: set[str]) -> dict[str, int]:
        result = await self._execute(
            self.values.get(spreadsheetId=self.spreadsheet_id, range=f"{self.sheet}!A:A")
        )
        found: dict[str, int] = {}
        for number, values in enumerate(result.get("values", []), start=1):
            if values and values[0] in lead_ids:
                found.setdefault(values[0], number)
        return found

    async def _execute(self, request: Any) -> dict[str, Any]:
        return await google_api.execute(request, self.connection, "Sheets", "Sheets")


def latest(rows: Iterable[LeadRow]) -> dict[str, LeadRow]:
    """The highest version of each lead's row, in first-seen order."""
    newest: dict[str, LeadRow] = {}
    for row in rows:
        current = newest.get(row.lead_id)
        if current is None or current.version < row.version:
            newest[row.lead_id] = row
    return newest


def column_letter(number: int) -> str:
    """1 → A, 26 → Z, 27 → AA."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def row_span(a1_range: str) -> tuple[int, int]:
    """First and last row numbers of "Leads!A5:AG7" or "'My leads'!A5:AG5"; (0, -1) if none."""
    rows = re.findall(r"[A-Z]*(\d+)", a1_range.rpartition("!")[2])
    if not rows:
        return 0, -1
    return int(rows[0]), int(rows[-1])
