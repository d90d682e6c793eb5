"""The Google Sheets lead log: one row per lead in a sheet the artist shares with people, kept
up to date by upserting rows by lead id, a batch at a time (spec §21, platform_facts D3–D4).

The sheet is for humans: it never holds a phone number or any other contact detail (those
stay in PostgreSQL). Rows are found through our own `lead_log_rows` index, never by searching
the sheet; so nobody should sort or delete rows in the tab itself (a filter view is fine).
"""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from google.auth.credentials import Credentials
from sqlalchemy import DateTime, Integer, Text, column, func, select, table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError

from activities import google_api
from activities.contracts import LeadSnapshot
from activities.google_api import GoogleError
from consultation.lead import Lead

DEFAULT_ENDPOINT = "https://sheets.googleapis.com"
SCOPE = "https://www.googleapis.com/auth/spreadsheets"

COLUMNS: list[str] = [
    "lead_id",
    "status",
    "status_since",
    "last_client_message_at",
    "idea",
    "placement",
    "size",
    "width_cm",
    "height_cm",
    "style",
    "complexity",
    "coverup",
    "reference_count",
    "city",
    "country",
    "region",
    "requested_city",
    "tour_city",
    "timing",
    "budget_gbp",
    "min_budget_gbp",
    "below_min_budget",
    "category",
    "price_range_gbp",
    "estimated_deposit_gbp",
    "deposit_gbp",
    "deposit_sent_at",
    "deposit_paid_gbp",
    "deposit_paid_at",
    "refunded_gbp",
    "checkout_session_id",
    "handover_reason",
    "version",
    # Added with booking: at the end, so rows written before keep their columns.
    "appointment_start",
    "appointment_end",
    "calendar_event_id",
]

# Free text is the client's own words: cut to keep a row readable (and far below Sheets'
# 50,000-character cell limit), and with anything that looks like a phone number taken out.
FREE_TEXT_LIMIT = 300
PHONE_LIKE = re.compile(r"\+?\d(?:[\s().-]*\d){6,}")

lead_log_rows = table(
    "lead_log_rows",
    column("lead_id", Text),
    column("sheet_row", Integer),
    column("version", Integer),
    column("updated_at", DateTime(timezone=True)),
)


@dataclass
class LeadRow:
    lead_id: str
    version: int  # the lead's version: a higher one replaces a lower one, never the reverse
    values: list[str]  # one per COLUMNS entry


@dataclass
class LeadLogBatch:
    rows: list[LeadRow]
    # A previous write of these rows failed after it may have appended them: look in the
    # sheet before appending again.
    recheck: bool = False


# -- rows -------------------------------------------------------------------------------------


def row_for(snapshot: LeadSnapshot) -> LeadRow:
    """The sheet row for a lead as it is now. Pure: the same snapshot gives the same row."""
    lead = snapshot.lead
    parsed = lead.parsed
    estimate = lead.estimate
    deposit = lead.deposit
    slot = lead.booking.slot
    budget = parsed.get("budget_pence")
    below_min = (
        yes_no(budget < estimate.min_budget_pence)
        if estimate is not None and isinstance(budget, int)
        else ""
    )
    cells: dict[str, object] = {
        "lead_id": lead.lead_id,
        "status": lead.status,
        "status_since": timestamp(lead.status_since),
        "last_client_message_at": timestamp(lead.last_client_at),
        "idea": free_text(lead, "idea"),
        "placement": free_text(lead, "placement"),
        "size": free_text(lead, "dimensions"),
        "width_cm": parsed.get("width_cm"),
        "height_cm": parsed.get("height_cm"),
        "style": free_text(lead, "style"),
        "complexity": parsed.get("complexity"),
        "coverup": yes_no(parsed["coverup"]) if "coverup" in parsed else "",
        "reference_count": parsed.get("reference_count"),
        "city": parsed.get("city"),
        "country": parsed.get("country"),
        "region": parsed.get("region"),
        "requested_city": parsed.get("requested_city"),
        "tour_city": parsed.get("tour_city") or lead.offered_tour_city,
        "timing": parsed.get("timing"),
        "budget_gbp": pounds(budget if isinstance(budget, int) else None),
        "min_budget_gbp": pounds(estimate.min_budget_pence if estimate else None),
        "below_min_budget": below_min,
        "category": estimate.category if estimate else "",
        "price_range_gbp": (
            f"{pounds(estimate.price_min_pence)}–{pounds(estimate.price_max_pence)}"
            if estimate
            else ""
        ),
        "estimated_deposit_gbp": pounds(estimate.deposit_pence if estimate else None),
        "deposit_gbp": pounds(deposit.amount_pence if deposit else None),
        "deposit_sent_at": timestamp(deposit.sent_at if deposit else None),
        "deposit_paid_gbp": pounds(deposit.paid_pence if deposit else None),
        "deposit_paid_at": timestamp(deposit.paid_at if deposit else None),
        "refunded_gbp": pounds(
            deposit.refunded_pence if deposit and deposit.refunded_pence else None
        ),
        "checkout_session_id": deposit.session_id if deposit else None,
        "handover_reason": lead.handover_reason,
        "version": lead.version,
        "appointment_start": timestamp(slot.start if slot else None),
        "appointment_end": timestamp(slot.end if slot else None),
        "calendar_event_id": lead.booking.event_ids[0] if slot and lead.booking.event_ids else "",
    }
    return LeadRow(lead.lead_id, lead.version, [cell(cells[name]) for name in COLUMNS])


def pounds(pence: int | None) -> str:
    """£1,234.50 from 123450; empty when unknown."""
    if pence is None:
        return ""
    return f"£{pence // 100:,}.{pence % 100:02d}"


def timestamp(moment: datetime | None) -> str:
    """UTC, to the second, in a form people and Sheets' own date parsing both read."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def yes_no(value: object) -> str:
    return "yes" if value else "no"


def free_text(lead: Lead, key: str) -> str:
    text = PHONE_LIKE.sub("[number removed]", " ".join(lead.answers.get(key, "").split()))
    return text if len(text) <= FREE_TEXT_LIMIT else text[: FREE_TEXT_LIMIT - 1] + "…"


def cell(value: object) -> str:
    return "" if value is None else str(value)


# -- the sheet --------------------------------------------------------------------------------


class SheetsError(Exception):
    """A Sheets call that failed. `retryable`: quota (429), an outage (5xx) or the network;
    otherwise Google refused the request (bad id or range, no access) and retrying won't help."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


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
        self.sessions = sessions
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
            indexed = await self._indexed(list(newest))
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
                await self._record(
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
            raise SheetsError(f"append reported {updated!r} for {len(rows)} rows", retryable=True)
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
        try:
            return await google_api.execute(request, self.connection, "Sheets")
        except GoogleError as error:
            raise SheetsError(str(error), retryable=error.retryable) from error

    async def _indexed(self, lead_ids: list[str]) -> dict[str, tuple[int, int]]:
        """lead id → (sheet row, version written), for those the index knows."""
        if not lead_ids:
            return {}
        async with self.sessions() as session:
            result = await session.execute(
                select(
                    lead_log_rows.c.lead_id, lead_log_rows.c.sheet_row, lead_log_rows.c.version
                ).where(lead_log_rows.c.lead_id.in_(lead_ids))
            )
            return {lead_id: (sheet_row, version) for lead_id, sheet_row, version in result}

    async def _record(self, written: dict[str, tuple[int, int]]) -> None:
        statement = insert(lead_log_rows).values(
            [
                {"lead_id": lead_id, "sheet_row": sheet_row, "version": version}
                for lead_id, (sheet_row, version) in written.items()
            ]
        )
        statement = statement.on_conflict_do_update(
            index_elements=["lead_id"],
            set_={
                "sheet_row": statement.excluded.sheet_row,
                "version": statement.excluded.version,
                "updated_at": func.now(),
            },
        )
        async with self.sessions.begin() as session:
            await session.execute(statement)


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


# -- the activity -----------------------------------------------------------------------------


class LeadLogActivities:
    def __init__(self, log: SheetsLog) -> None:
        self.log = log

    @activity.defn(name="write_lead_log")
    async def write_lead_log(self, batch: LeadLogBatch) -> None:
        # A retry may follow an append that reached the sheet before its answer was lost.
        recheck = batch.recheck or activity.info().attempt > 1
        try:
            await self.log.write(batch.rows, recheck=recheck)
        except SheetsError as error:
            raise ApplicationError(
                str(error),
                type="SheetsRetry" if error.retryable else "SheetsRejected",
                non_retryable=not error.retryable,
            ) from error


WORKFLOW_ID = "lead-log"  # the single writer: one LeadLogWorkflow for the whole sheet


@dataclass
class LeadLogInput:
    """What a LeadLogWorkflow run hands to its continuation; empty for the first run."""

    pending: list[LeadRow] = field(default_factory=list)
    recheck: bool = False
    last_write_at: datetime | None = None


async def enqueue(client: Client, task_queue: str, row: LeadRow) -> None:
    """Hand a lead's row to the lead log, starting the writer if it is not running
    (signal-with-start: one round trip, and no start race between producers)."""
    await client.start_workflow(
        "LeadLogWorkflow",
        LeadLogInput(),
        id=WORKFLOW_ID,
        task_queue=task_queue,
        start_signal="row",
        start_signal_args=[row],
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
