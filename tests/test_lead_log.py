"""The Google Sheets lead log: rows built from a lead, upserts by lead id against a fake Sheets
API on loopback (with our index in a real PostgreSQL), and the single-writer workflow that
batches them on the time-skipping server."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
from google.auth.credentials import AnonymousCredentials
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from activities.contracts import LeadSnapshot
from activities.errors import ProviderError
from activities.lead_log import (
    COLUMNS,
    WORKFLOW_ID,
    LeadLogActivities,
    LeadLogBatch,
    LeadRow,
    SheetsLog,
    enqueue,
    row_for,
)
from consultation.lead import Deposit, Estimate, Lead
from tests.core.leads import booked as booked_lead
from tests.fakes.google_sheets import FakeSheets
from workflows.lead_log import LeadLogWorkflow

PHONE = "447700900123"


def snapshot(lead_id: str, version: int = 1, status: str = "QUALIFYING") -> LeadSnapshot:
    lead = Lead(
        lead_id=lead_id,
        status=status,
        version=version,
        answers={
            "idea": f"A swallow on my wrist, text me on +{PHONE[:2]} {PHONE[2:6]} {PHONE[6:]}",
            "placement": "Forearm",
            "dimensions": "10 x 15 cm",
            "style": "Fine line",
        },
        parsed={
            "budget_pence": 25000,
            "city": "London",
            "country": "United Kingdom",
            "region": "UK",
            "coverup": False,
            "complexity": 2,
        },
        estimate=Estimate(
            category="MEDIUM",
            deposit_pence=7500,
            days=None,
            price_min_pence=30000,
            price_max_pence=45000,
            min_budget_pence=30000,
            region="UK",
        ),
        deposit=Deposit(
            amount_pence=7550,
            rule_version="2026-11",
            session_id="cs_test_1",
            paid_at=datetime(2026, 11, 3, 10, 15, tzinfo=UTC),
        ),
    )
    return LeadSnapshot(
        contact_key=f"wa:{PHONE}", workflow_id=f"lead-{PHONE}", run_id=lead_id, lead=lead
    )


def value(row: LeadRow, name: str) -> str:
    return row.values[COLUMNS.index(name)]


def leads() -> str:
    """A prefix that keeps each test's leads apart in the shared database."""
    return uuid.uuid4().hex[:8]


@pytest.fixture
def sheets() -> Iterator[FakeSheets]:
    with FakeSheets(spreadsheet_id="S1", sheet_name="Leads") as fake:
        yield fake


@pytest.fixture
def log(sheets: FakeSheets, sessions) -> SheetsLog:
    return SheetsLog(sessions, "S1", AnonymousCredentials(), endpoint=sheets.base_url)


# -- rows -------------------------------------------------------------------------------------


def test_a_row_never_holds_the_phone_number_or_contact() -> None:
    row = row_for(snapshot("lead-1"))
    assert len(row.values) == len(COLUMNS)
    assert not any(PHONE in cell or PHONE[2:6] in cell for cell in row.values)
    assert not any("phone" in name or "whatsapp" in name for name in COLUMNS)
    assert "[number removed]" in value(row, "idea")
    assert value(row, "idea").startswith("A swallow on my wrist")


def test_a_booked_row_has_the_appointment_and_its_calendar_event() -> None:
    booked = booked_lead()
    row = row_for(LeadSnapshot("wa:key", "lead-x", "run", booked))
    assert value(row, "status") == "BOOKED"
    assert booked.booking.slot is not None
    assert value(row, "appointment_start") == "2025-05-02 12:00:00"  # 1pm BST, in UTC
    assert value(row, "appointment_end") == "2025-05-02 15:00:00"
    assert value(row, "calendar_event_id") == booked.booking.event_ids[0]
    unbooked = row_for(snapshot("lead-1"))
    assert value(unbooked, "appointment_start") == value(unbooked, "calendar_event_id") == ""


def test_a_row_shows_money_in_pounds() -> None:
    row = row_for(snapshot("lead-1"))
    assert value(row, "budget_gbp") == "£250.00"
    assert value(row, "min_budget_gbp") == "£300.00"
    assert value(row, "below_min_budget") == "yes"
    assert value(row, "price_range_gbp") == "£300.00–£450.00"
    assert value(row, "deposit_gbp") == "£75.50"
    assert value(row, "deposit_paid_at") == "2026-11-03 10:15:00"
    assert value(row, "checkout_session_id") == "cs_test_1"
    assert value(row, "coverup") == "no"
    assert value(row, "refunded_gbp") == ""


def test_a_lead_without_an_estimate_leaves_money_blank() -> None:
    snap = snapshot("lead-1")
    snap.lead.estimate = None
    snap.lead.deposit = None
    row = row_for(snap)
    assert value(row, "min_budget_gbp") == value(row, "below_min_budget") == ""
    assert value(row, "deposit_gbp") == value(row, "checkout_session_id") == ""


# -- the sheet --------------------------------------------------------------------------------


async def test_first_write_creates_the_header_and_the_rows(
    log: SheetsLog, sheets: FakeSheets
) -> None:
    prefix = leads()
    rows = [row_for(snapshot(f"{prefix}-{n}")) for n in range(3)]
    await log.write(rows)
    assert sheets.rows == [COLUMNS, *[row.values for row in rows]]


async def test_a_later_write_updates_the_leads_row_in_place(
    log: SheetsLog, sheets: FakeSheets
) -> None:
    prefix = leads()
    first, second = (row_for(snapshot(f"{prefix}-{n}")) for n in range(2))
    await log.write([first, second])
    paid = row_for(snapshot(f"{prefix}-0", version=2, status="DEPOSIT_PAID"))
    await log.write([paid])
    assert sheets.rows == [COLUMNS, paid.values, second.values]


async def test_an_older_version_never_overwrites_a_newer_one(
    log: SheetsLog, sheets: FakeSheets
) -> None:
    lead_id = f"{leads()}-0"
    newer = row_for(snapshot(lead_id, version=5, status="BOOKED"))
    await log.write([newer])
    writes = sheets.writes()
    await log.write([row_for(snapshot(lead_id, version=4))])
    assert sheets.rows == [COLUMNS, newer.values]
    assert sheets.writes() == writes  # nothing to do, nothing sent


async def test_a_batch_of_120_leads_takes_at_most_3_write_requests(
    log: SheetsLog, sheets: FakeSheets
) -> None:
    prefix = leads()
    await log.write([row_for(snapshot(f"{prefix}-{n}")) for n in range(60)])
    # Half updates, half new leads: one batchUpdate and one append.
    batch = [row_for(snapshot(f"{prefix}-{n}", version=2)) for n in range(120)]
    before = sheets.writes()
    await log.write(batch)
    assert sheets.writes() - before <= 3
    assert sheets.rows == [COLUMNS, *[row.values for row in batch]]


async def test_a_retry_after_an_append_that_reached_the_sheet_adds_no_second_row(
    log: SheetsLog, sheets: FakeSheets
) -> None:
    prefix = leads()
    rows = [row_for(snapshot(f"{prefix}-{n}")) for n in range(2)]
    sheets.fail_next(503, on="append", applied=True)
    with pytest.raises(ProviderError) as failed:
        await log.write(rows)
    assert failed.value.retryable
    assert len(sheets.rows) == 3  # the rows are there, but we were never told where
    await log.write(rows, recheck=True)
    assert sheets.rows == [COLUMNS, *[row.values for row in rows]]
    # The rows found are indexed now: the next change updates them in place.
    later = row_for(snapshot(f"{prefix}-1", version=2, status="APPROVED"))
    await log.write([later])
    assert sheets.rows == [COLUMNS, rows[0].values, later.values]


async def test_quota_and_outages_are_retried_but_refusals_are_not(
    log: SheetsLog, sheets: FakeSheets
) -> None:
    activities = LeadLogActivities(log)
    batch = LeadLogBatch([row_for(snapshot(f"{leads()}-0"))])
    for status, retryable in ((429, True), (500, True), (403, False), (404, False)):
        sheets.fail_next(status)
        with pytest.raises(ApplicationError) as failed:
            await ActivityEnvironment().run(activities.write_lead_log, batch)
        assert failed.value.non_retryable is not retryable, status
    await ActivityEnvironment().run(activities.write_lead_log, batch)
    assert sheets.rows == [COLUMNS, batch.rows[0].values]


# -- the single writer ------------------------------------------------------------------------


@pytest.fixture
async def writer(
    time_skipping: WorkflowEnvironment, log: SheetsLog
) -> AsyncIterator[tuple[WorkflowEnvironment, str]]:
    queue = f"lead-log-{uuid.uuid4().hex[:8]}"
    async with Worker(
        time_skipping.client,
        task_queue=queue,
        workflows=[LeadLogWorkflow],
        activities=[LeadLogActivities(log).write_lead_log],
    ):
        try:
            yield time_skipping, queue
        finally:
            await time_skipping.client.get_workflow_handle(WORKFLOW_ID).terminate()


async def test_the_writer_keeps_each_leads_latest_row_in_few_writes(
    writer: tuple[WorkflowEnvironment, str], sheets: FakeSheets
) -> None:
    env, queue = writer
    prefix = leads()
    versions = {f"{prefix}-{n:02d}": 3 if n < 40 else 2 for n in range(80)}  # 200 rows
    statuses = ["QUALIFYING", "PENDING_APPROVAL", "DEPOSIT_PAID"]
    signals = [
        row_for(snapshot(lead_id, version, statuses[version - 1]))
        for lead_id, count in versions.items()
        for version in range(1, count + 1)
    ]
    random.Random(7).shuffle(signals)
    assert len(signals) == 200
    for row in signals:
        await enqueue(env.client, queue, row)

    expected = {
        lead_id: row_for(snapshot(lead_id, count, statuses[count - 1])).values
        for lead_id, count in versions.items()
    }
    await written(env, sheets, expected)
    assert sheets.rows[0] == COLUMNS
    assert len(sheets.rows) == 81  # one row per lead, no duplicates
    assert {row[0]: row for row in sheets.rows[1:]} == expected
    # 200 changes, yet only a handful of writes (each at most an update and an append).
    assert sheets.writes() <= 8


async def test_the_writer_retries_a_lost_append_without_duplicating_rows(
    writer: tuple[WorkflowEnvironment, str], sheets: FakeSheets
) -> None:
    env, queue = writer
    prefix = leads()
    rows = [row_for(snapshot(f"{prefix}-{n}")) for n in range(5)]
    sheets.fail_next(503, on="append", applied=True)
    for row in rows:
        await enqueue(env.client, queue, row)
    # The append reached the sheet; its answer did not. Later changes must land in place.
    await written(env, sheets, {row.lead_id: row.values for row in rows})
    later = [row_for(snapshot(row.lead_id, version=2, status="PENDING_APPROVAL")) for row in rows]
    for row in later:
        await enqueue(env.client, queue, row)
    await written(env, sheets, {row.lead_id: row.values for row in later})
    assert len(sheets.rows) == 6
    # The retry looked in column A before appending again, and appended nothing more.
    assert [method for method, path in sheets.requests if "append" in path] == ["POST"]
    assert ("GET", "/v4/spreadsheets/S1/values/'Leads'!A:A") in sheets.requests


async def written(
    env: WorkflowEnvironment, sheets: FakeSheets, expected: dict[str, list[str]]
) -> None:
    """Let workflow time pass until the sheet holds `expected` (lead id → row) below a header."""
    for _ in range(120):
        if {row[0]: row for row in sheets.rows[1:]} == expected:
            return
        await env.sleep(1)
    raise AssertionError(f"the sheet never showed the expected rows: {sheets.rows}")
