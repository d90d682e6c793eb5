"""Project estimate (reference §6): size category, XL days, deposit, regional minimum budget and
the internal price range the artist sees (never the client)."""

from __future__ import annotations

import re

from consultation.lead import Estimate, Lead
from consultation.location import ROW
from consultation.prices import (
    DEPOSIT_PENCE,
    LARGE,
    MEDIUM,
    REGION_RULES,
    SMALL,
    STANDARD,
    XL,
    XL_DEPOSIT_PER_DAY_PENCE,
    Prices,
)

__all__ = [
    "DEPOSIT_PENCE", "HOURS", "LARGE", "MEDIUM", "REGION_RULES", "SMALL", "STANDARD", "XL",
    "XL_DEPOSIT_PER_DAY_PENCE", "Prices", "category_for", "deposit_for", "estimate",
    "estimate_lead", "is_hard_placement", "xl_days",
]  # fmt: skip

_BUMP = {SMALL: MEDIUM, MEDIUM: LARGE, LARGE: LARGE, XL: XL}

# Placements that take longer to tattoo. Whole words, so "inside forearm" is not "side"
# (the reference matched substrings); "back of hand" still counts, as in the reference.
_HARD_PLACEMENT = re.compile(r"\b(?:ribs?|stomach|side|spine|back|sleeve|thighs?)\b")

# Billable hours per category, (min, max).
HOURS = {SMALL: (4.0, 5.0), MEDIUM: (5.0, 7.0), LARGE: (7.5, 10.0), XL: (9.5, 11.0)}


def is_hard_placement(placement: str | None) -> bool:
    return bool(placement and _HARD_PLACEMENT.search(placement.casefold()))


def category_for(
    area_cm2: float | None, complexity: int | None, coverup: bool, placement: str | None
) -> str:
    """Base category from the area (<50, <150, <300, else XL), or from complexity when the size
    is unknown; then one step up each for cover-up, complexity 3 and a hard placement."""
    if area_cm2 is not None:
        if area_cm2 < 50:
            category = SMALL
        elif area_cm2 < 150:
            category = MEDIUM
        elif area_cm2 < 300:
            category = LARGE
        else:
            category = XL
    elif complexity == 3 or coverup:
        category = LARGE
    else:
        category = MEDIUM if complexity == 2 else SMALL
    for bump in (coverup, complexity == 3, is_hard_placement(placement)):
        if bump:
            category = _BUMP[category]
    return category


def xl_days(
    area_cm2: float | None, complexity: int | None, coverup: bool, placement: str | None
) -> float:
    """Sessions for an XL piece: base by area, +0.5 for each of cover-up, complexity 3 and a
    hard placement, in half days between 1 and 4."""
    if area_cm2 is not None:
        if area_cm2 < 350:
            days = 1.5
        elif area_cm2 < 500:
            days = 2.0
        elif area_cm2 < 700:
            days = 2.5
        else:
            days = 3.0
    elif complexity == 3 or coverup:
        days = 2.5
    else:
        days = 2.0 if complexity == 2 else 1.5
    days += 0.5 * sum((coverup, complexity == 3, is_hard_placement(placement)))
    return min(max(round(days * 2) / 2, 1.0), 4.0)


def deposit_for(category: str, days: float | None, prices: Prices = STANDARD) -> int:
    if category == XL:
        return int(prices.xl_deposit_per_day * (days or 1.0))
    return prices.deposits.get(category, prices.deposits[SMALL])


def estimate(
    area_cm2: float | None,
    complexity: int | None,
    coverup: bool,
    placement: str | None,
    region: str | None,
    prices: Prices = STANDARD,
) -> Estimate:
    """The whole estimate for one enquiry; an unknown region is priced as ROW."""
    category = category_for(area_cm2, complexity, coverup, placement)
    days = xl_days(area_cm2, complexity, coverup, placement) if category == XL else None
    resolved_region = region if region in REGION_RULES else ROW
    min_budget = prices.minimums[resolved_region]
    rate = prices.hourly_rates[resolved_region]
    min_hours, max_hours = HOURS[category]
    return Estimate(
        category=category,
        deposit_pence=deposit_for(category, days, prices),
        days=days,
        price_min_pence=round(min_hours * rate),
        price_max_pence=round(max_hours * rate),
        min_budget_pence=min_budget,
        region=resolved_region,
        currency=prices.currency,
    )


def estimate_lead(lead: Lead, prices: Prices = STANDARD) -> Estimate:
    """The estimate for a lead's parsed answers, at the artist's prices."""
    parsed = lead.parsed
    area, complexity, region = (
        parsed.get("area_cm2"),
        parsed.get("complexity"),
        parsed.get("region"),
    )
    return estimate(
        area if isinstance(area, int | float) else None,
        complexity if isinstance(complexity, int) else None,
        bool(parsed.get("coverup")),
        lead.answers.get("placement"),
        region if isinstance(region, str) else None,
        prices,
    )
