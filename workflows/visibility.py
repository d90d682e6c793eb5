"""Typed search attributes so ops can filter leads in the Temporal UI. Never a phone number."""

from __future__ import annotations

from datetime import datetime

from temporalio.common import (
    SearchAttributeIndexedValueType,
    SearchAttributeKey,
    SearchAttributeUpdate,
)

from consultation.core import Lead

LEAD_STATUS = SearchAttributeKey.for_keyword("LeadStatus")
LEAD_STEP = SearchAttributeKey.for_int("LeadStep")
LEAD_REGION = SearchAttributeKey.for_keyword("LeadRegion")
LEAD_CATEGORY = SearchAttributeKey.for_keyword("LeadCategory")
LEAD_BUDGET = SearchAttributeKey.for_int("LeadBudgetPence")
LEAD_TOUR_CITY = SearchAttributeKey.for_keyword("LeadTourCity")
LEAD_HANDOVER = SearchAttributeKey.for_keyword("LeadHandoverReason")
LEAD_APPOINTMENT = SearchAttributeKey.for_datetime("LeadAppointment")
# The campaign a lead answered: "LeadCampaign = '<campaign id>'" lists the leads it brought.
LEAD_CAMPAIGN = SearchAttributeKey.for_keyword("LeadCampaign")
# A campaign's run: "CampaignStatus = 'SENDING'", with sent of total. The total is a Double:
# SQL visibility (the dev server's, and a PostgreSQL-backed cluster's) has three Int slots per
# namespace, and the leads use two.
CAMPAIGN_STATUS = SearchAttributeKey.for_keyword("CampaignStatus")
CAMPAIGN_SENT = SearchAttributeKey.for_int("CampaignSent")
CAMPAIGN_TOTAL = SearchAttributeKey.for_float("CampaignTotal")

KEYS: dict[str, SearchAttributeKey] = {
    key.name: key
    for key in (
        LEAD_STATUS,
        LEAD_STEP,
        LEAD_REGION,
        LEAD_CATEGORY,
        LEAD_BUDGET,
        LEAD_TOUR_CITY,
        LEAD_HANDOVER,
        LEAD_APPOINTMENT,
        LEAD_CAMPAIGN,
        CAMPAIGN_STATUS,
        CAMPAIGN_SENT,
        CAMPAIGN_TOTAL,
    )
}

# name → Temporal type: registered by `make run`'s dev server, tests and docker compose.
REGISTRY: dict[str, str] = {
    key.name: {
        SearchAttributeIndexedValueType.KEYWORD: "Keyword",
        SearchAttributeIndexedValueType.INT: "Int",
        SearchAttributeIndexedValueType.DOUBLE: "Double",
        SearchAttributeIndexedValueType.DATETIME: "Datetime",
    }[key.indexed_value_type]
    for key in KEYS.values()
}

Value = str | int | datetime | None


def attributes(lead: Lead) -> dict[str, Value]:
    """The search attributes describing `lead`, by name."""
    region = lead.estimate.region if lead.estimate else lead.parsed.get("region")
    budget = lead.parsed.get("budget_pence")
    tour_city = lead.offered_tour_city or lead.parsed.get("tour_city")
    return {
        LEAD_STATUS.name: lead.status,
        LEAD_STEP.name: lead.step,
        LEAD_REGION.name: region if isinstance(region, str) else None,
        LEAD_CATEGORY.name: lead.estimate.category if lead.estimate else None,
        LEAD_BUDGET.name: budget if isinstance(budget, int) else None,
        LEAD_TOUR_CITY.name: tour_city if isinstance(tour_city, str) else None,
        LEAD_HANDOVER.name: lead.handover_reason[:200] if lead.handover_reason else None,
        # When the booked session starts: "LeadStatus = 'BOOKED' ORDER BY LeadAppointment".
        LEAD_APPOINTMENT.name: lead.booking.slot.start if lead.booking.slot else None,
        LEAD_CAMPAIGN.name: lead.campaign_id,
    }


def shown(before: dict[str, Value], now: dict[str, Value]) -> dict[str, Value]:
    """The attributes to show for a lead now, given those shown before. The step moves with every
    message, and each upsert is a visibility write (the dearest thing Temporal does per message,
    bench/floor.py), so it is written only with a status change: it then says where a lead
    stopped, as in `LeadStatus = 'ABANDONED' AND LeadStep = 5`. The live step is in the read
    model."""
    step, status = LEAD_STEP.name, LEAD_STATUS.name
    if step in before and before.get(status) == now.get(status):
        return {**now, step: before[step]}
    return now


def changes(before: dict[str, Value], after: dict[str, Value]) -> list[SearchAttributeUpdate]:
    """Updates for what changed only (each upsert is a visibility write); unset, not stale."""
    updates: list[SearchAttributeUpdate] = []
    for name, value in after.items():
        if before.get(name) == value and name in before:
            continue
        key = KEYS[name]
        empty = value is None or value == ""
        updates.append(key.value_unset() if empty else key.value_set(value))  # type: ignore[attr-defined]
    return updates
