"""Typed search attributes so ops can filter leads in the Temporal UI. Never a phone number."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey, SearchAttributeUpdate

from consultation.lead import Lead

LEAD_STATUS = SearchAttributeKey.for_keyword("LeadStatus")
LEAD_STEP = SearchAttributeKey.for_int("LeadStep")
LEAD_REGION = SearchAttributeKey.for_keyword("LeadRegion")
LEAD_CATEGORY = SearchAttributeKey.for_keyword("LeadCategory")
LEAD_BUDGET = SearchAttributeKey.for_int("LeadBudgetPence")
LEAD_TOUR_CITY = SearchAttributeKey.for_keyword("LeadTourCity")
LEAD_HANDOVER = SearchAttributeKey.for_keyword("LeadHandoverReason")

# name → Temporal type: registered by `make run`'s dev server, tests and docker compose.
REGISTRY: dict[str, str] = {
    "LeadStatus": "Keyword",
    "LeadStep": "Int",
    "LeadRegion": "Keyword",
    "LeadCategory": "Keyword",
    "LeadBudgetPence": "Int",
    "LeadTourCity": "Keyword",
    "LeadHandoverReason": "Keyword",
}


def updates_for(lead: Lead) -> list[SearchAttributeUpdate]:
    """The search attributes describing `lead`; unset values are removed, not left stale."""
    region = lead.estimate.region if lead.estimate else lead.parsed.get("region")
    budget = lead.parsed.get("budget_pence")
    tour_city = lead.offered_tour_city or lead.parsed.get("tour_city")
    pairs: list[tuple[SearchAttributeKey, object]] = [
        (LEAD_STATUS, lead.status),
        (LEAD_STEP, lead.step),
        (LEAD_REGION, region),
        (LEAD_CATEGORY, lead.estimate.category if lead.estimate else None),
        (LEAD_BUDGET, budget if isinstance(budget, int) else None),
        (LEAD_TOUR_CITY, tour_city),
        (LEAD_HANDOVER, lead.handover_reason[:200] if lead.handover_reason else None),
    ]
    return [
        key.value_set(value) if value not in (None, "") else key.value_unset()
        for key, value in pairs
    ]  # type: ignore[attr-defined]
