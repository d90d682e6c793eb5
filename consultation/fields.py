"""What an answer to each question means, as flat values for `Lead.parsed`, and how a client
names a field when correcting the summary ("change budget to 800", "size is 15x20cm")."""

from __future__ import annotations

import re
from collections.abc import Callable

from consultation.answers import (
    find_links,
    parse_complexity,
    parse_coverup,
    parse_instagram,
    parse_timing,
    parse_travel_city,
)
from consultation.budget import read_budget
from consultation.currency import DEFAULT_RATES, Rates, convert, parse_rates
from consultation.location import country_to_region, parse_country, parse_location
from consultation.money import DEFAULT_CURRENCY
from consultation.size import bare_size, parse_size
from consultation.text import normalize

Value = str | int | float | bool | None
Parsed = dict[str, Value]

# Below £50 is not a tattoo budget; the reference re-asked too.
MIN_PLAUSIBLE_BUDGET_PENCE = 5_000


def _free_text(text: str) -> Parsed | None:
    return {} if text.strip() else None


def _dimensions(text: str) -> Parsed | None:
    size = parse_size(text)
    if size is None:
        return None
    return {"width_cm": size.width_cm, "height_cm": size.height_cm, "area_cm2": size.area_cm2}


def _budget(text: str, rates: Rates, currency: str) -> Parsed | None:
    """The budget in the artist's `currency` (its lower bound for a range, which is what the
    minimum is checked against), with the range's top and, for another currency, the client's
    own amounts. A range from zero, or a currency without a rate, is asked again."""
    budget = read_budget(text)
    if budget is None or budget.starts_at_zero:
        return None
    code = budget.currency or currency
    if code not in rates or currency not in rates:
        return None
    low = convert(budget.low, code, rates, currency)
    if low < MIN_PLAUSIBLE_BUDGET_PENCE:
        return None
    high = convert(budget.high, code, rates, currency) if budget.high is not None else None
    foreign = code != currency
    return {
        "budget_pence": low,
        "budget_max_pence": high,
        "budget_currency": code if foreign else None,
        "budget_amount": budget.low if foreign else None,
        "budget_amount_max": budget.high if foreign else None,
    }


def _location_city(text: str) -> Parsed | None:
    # Country and region are replaced too, so a corrected city never keeps a stale country.
    found = parse_location(text)
    if found is None:
        return None
    return {
        "city": found.city,
        "country": found.country,
        "region": found.region,
        "place_asked": None,  # a question back about the place is answered
    }


def _location_country(text: str) -> Parsed | None:
    country = parse_country(text)
    return {"country": country, "region": country_to_region(country)} if country else None


def _complexity(text: str) -> Parsed | None:
    level = parse_complexity(text)
    return {"complexity": level} if level else None


def _coverup(text: str) -> Parsed | None:
    answer = parse_coverup(text)
    return None if answer is None else {"coverup": answer}


def _references(text: str) -> Parsed | None:
    return {"reference_links": len(find_links(text))}


def _instagram(text: str) -> Parsed | None:
    return {"instagram": parse_instagram(text)}


def _travel_city(text: str) -> Parsed | None:
    found = parse_travel_city(text)
    return {
        "travel_city": found.city if found else None,
        "travel_country": found.country if found else None,
    }


def _timing(text: str) -> Parsed | None:
    timing = parse_timing(text)
    return {"timing": timing} if timing else None


_INTERPRETERS: dict[str, Callable[[str], Parsed | None]] = {
    "idea": _free_text,
    "placement": _free_text,
    "dimensions": _dimensions,
    "style": _free_text,
    "complexity": _complexity,
    "coverup": _coverup,
    "reference_images": _references,
    "location_city": _location_city,
    "location_country": _location_country,
    "instagram_handle": _instagram,
    "travel_city": _travel_city,
    "timing": _timing,
}


def interpret(
    key: str, text: str, rates: Rates | None = None, currency: str = DEFAULT_CURRENCY
) -> Parsed | None:
    """The parsed values an answer to question `key` gives, or None when it is not understood.
    Optional questions (references, Instagram, travel city) accept any answer. A budget is in
    the artist's `currency` unless it names another, which is converted with `rates` (the
    configured table; the default one when None)."""
    if key == "budget":
        table = rates if rates is not None else parse_rates(DEFAULT_RATES)
        return _budget(text, table, currency)
    return _INTERPRETERS[key](text)


def plainly_answers(text: str) -> str | None:
    """The question a message can only be an answer to, or None. Free-text questions (idea,
    placement, style) take anything, so a reply meant for a later question would be stored on
    them: a bare size is the one answer that is never an idea, a placement or a style."""
    return "dimensions" if bare_size(text) else None


_FIELD_NAMES = {
    "idea": "idea", "design": "idea", "description": "idea",
    "placement": "placement", "place": "placement", "position": "placement",
    "size": "dimensions", "dimensions": "dimensions",
    "style": "style",
    "complexity": "complexity", "detail": "complexity", "detail level": "complexity",
    "cover-up": "coverup", "coverup": "coverup", "cover up": "coverup",
    "references": "reference_images", "reference": "reference_images",
    "reference images": "reference_images",
    "budget": "budget",
    "city": "location_city", "location": "location_city",
    "country": "location_country",
    "instagram": "instagram_handle", "insta": "instagram_handle", "ig": "instagram_handle",
    "instagram handle": "instagram_handle", "handle": "instagram_handle",
    "travel city": "travel_city", "travel": "travel_city",
    "timing": "timing", "when": "timing",
}  # fmt: skip
_CORRECTION = re.compile(
    r"^(?:(?:please |can you |could you )?(?:change|update|set|edit|correct|fix|make) )?"
    r"(?:my |the )?("
    + "|".join(re.escape(name) for name in sorted(_FIELD_NAMES, key=len, reverse=True))
    + r")\b[\s:=-]*(?:(?:to|is|should be|=|->|:) )?(.*)$",
    re.IGNORECASE,
)


def parse_correction(text: object) -> tuple[str, str] | None:
    """(question key, new answer) from "change budget to 800", "budget 800", "size is 15x20cm";
    the answer is "" when only the field is named ("change budget"). None otherwise."""
    found = _CORRECTION.match(normalize(text))
    if found is None:
        return None
    return _FIELD_NAMES[found.group(1).lower()], found.group(2).strip()
