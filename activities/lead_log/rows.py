"""The lead log's rows: one per lead, for people to read. A row never holds a phone number or
any other contact detail (those stay in PostgreSQL)."""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from activities.contracts import LeadSnapshot
from consultation.lead import Lead
from consultation.money import format_money

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


@dataclass
class LeadRow:
    lead_id: str
    version: int  # the lead's version: a higher one replaces a lower one, never the reverse
    values: list[str]  # one per COLUMNS entry


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
        "budget_gbp": pounds(budget if isinstance(budget, int) else None, lead.currency),
        "min_budget_gbp": pounds(estimate.min_budget_pence if estimate else None, lead.currency),
        "below_min_budget": below_min,
        "category": estimate.category if estimate else "",
        "price_range_gbp": (
            pounds(estimate.price_min_pence, lead.currency)
            + "–"
            + pounds(estimate.price_max_pence, lead.currency)
            if estimate
            else ""
        ),
        "estimated_deposit_gbp": pounds(
            estimate.deposit_pence if estimate else None, lead.currency
        ),
        "deposit_gbp": pounds(deposit.amount_pence if deposit else None, lead.currency),
        "deposit_sent_at": timestamp(deposit.sent_at if deposit else None),
        "deposit_paid_gbp": pounds(deposit.paid_pence if deposit else None, lead.currency),
        "deposit_paid_at": timestamp(deposit.paid_at if deposit else None),
        "refunded_gbp": pounds(
            deposit.refunded_pence if deposit and deposit.refunded_pence else None, lead.currency
        ),
        "checkout_session_id": deposit.session_id if deposit else None,
        "handover_reason": lead.handover_reason,
        "version": lead.version,
        "appointment_start": timestamp(slot.start if slot else None),
        "appointment_end": timestamp(slot.end if slot else None),
        "calendar_event_id": lead.booking.event_ids[0] if slot and lead.booking.event_ids else "",
    }
    return LeadRow(lead.lead_id, lead.version, [cell(cells[name]) for name in COLUMNS])


def pounds(minor: int | None, currency: str = "GBP") -> str:
    """£1,234.50 from 123450 (€ or $ for a lead quoted in euros or dollars: the "_gbp" column
    names stay, as the artist's sheet has them); empty when unknown."""
    if minor is None:
        return ""
    return format_money(minor, currency, minor_always=True)


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
