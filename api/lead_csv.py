"""The lead log as CSV, shared by the admin API and the studio's export: one row per lead, and
no cell a client wrote can run as a formula when the file is opened in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from models import LeadRecord

COLUMNS = ["lead_id", "status", "created_at", "updated_at", "category", "region",
           "budget_pence", "deposit_pence", "city", "country", "handover_reason"]  # fmt: skip


# A cell opening with one of these is a formula to Excel, Sheets and LibreOffice: a client's city
# "=HYPERLINK(…)" would run on the artist's machine. (The Sheets log writes RAW values instead.)
FORMULA_OPENERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """The cell as text a spreadsheet shows as typed: a leading `'` keeps a formula inert."""
    if isinstance(value, str) and value.startswith(FORMULA_OPENERS):
        return "'" + value
    return value


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def leads_csv(rows: Iterable[LeadRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        estimate = row.estimate or {}
        writer.writerow(spreadsheet_safe(cell) for cell in
            [row.lead_id, row.status, _time(row.created_at), _time(row.updated_at),
             estimate.get("category"), estimate.get("region") or row.parsed.get("region"),
             row.parsed.get("budget_pence"), estimate.get("deposit_pence"),
             row.parsed.get("city"), row.parsed.get("country"), row.handover_reason]
        )  # fmt: skip
    return out.getvalue()
