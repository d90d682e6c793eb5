"""Summaries of an enquiry: the one the client confirms and the one the artist reviews (§20).
Missing fields are left out, never shown as "None"."""

from __future__ import annotations

from collections.abc import Mapping

from consultation.copy import COMPLEXITY_WORDS, size
from consultation.currency import BY_CODE, format_amount
from consultation.lead import Lead
from consultation.messages import MAX_TEXT
from consultation.money import DEFAULT_CURRENCY, format_money
from consultation.questions import BY_KEY
from consultation.text import cap


def lead_ref(lead: Lead) -> str:
    return f"Lead {lead.lead_id[:8]}" if lead.lead_id else "A new lead"


def _text(lead: Lead, key: str, limit: int) -> str | None:
    answer = lead.answers.get(key, "").strip()
    return cap(answer, limit) if answer else None


def _size(lead: Lead) -> str | None:
    width, height = lead.parsed.get("width_cm"), lead.parsed.get("height_cm")
    if isinstance(width, int | float) and isinstance(height, int | float):
        return size(width, height)
    return _text(lead, "dimensions", 40)


def _place(city: object, country: object) -> str | None:
    parts = [str(part) for part in (city, country) if part]
    return ", ".join(parts) or None


def _complexity(lead: Lead) -> str | None:
    level = lead.parsed.get("complexity")
    return COMPLEXITY_WORDS.get(level) if isinstance(level, int) else None


def budget_text(parsed: Mapping[str, object], currency: str = DEFAULT_CURRENCY) -> str | None:
    """ "£600", "£300–£450", or in the client's currency with the artist's (`currency`) beside
    it: "€600 ≈ £510", "€1,000–€1,500 ≈ £850–£1,275"."""
    low, high = parsed.get("budget_pence"), parsed.get("budget_max_pence")
    if not isinstance(low, int):
        return None
    ours = format_money(low, currency)
    ours += f"–{format_money(high, currency)}" if isinstance(high, int) else ""
    code, amount = parsed.get("budget_currency"), parsed.get("budget_amount")
    if not (isinstance(code, str) and code in BY_CODE and isinstance(amount, int)):
        return ours
    top = parsed.get("budget_amount_max")
    theirs = format_amount(amount, code)
    if isinstance(top, int):
        theirs += f"–{format_amount(top, code)}"
    return f"{theirs} ≈ {ours}"


def _yes_no(value: object) -> str | None:
    return None if value is None else ("Yes" if value else "No")


def _references(lead: Lead) -> str:
    count = lead.parsed.get("reference_count") or 0
    return f"{count} sent" if count else "None"


def _reference_links(lead: Lead) -> str:
    # Stored images are linked so the artist can open them straight from WhatsApp.
    return " ".join([_references(lead), *lead.reference_urls[:5]])


def _lines(pairs: list[tuple[str, str | None]]) -> str:
    return "\n".join(f"• {label}: {value}" for label, value in pairs if value)


def client_values(lead: Lead) -> dict[str, str | None]:
    """Each answer as the bot understood it, by question key (location holds the country)."""
    parsed = lead.parsed
    handle = parsed.get("instagram")
    return {
        "idea": _text(lead, "idea", 150),
        "placement": _text(lead, "placement", 60),
        "dimensions": _size(lead),
        "style": _text(lead, "style", 60),
        "complexity": _complexity(lead),
        "coverup": _yes_no(parsed.get("coverup")),
        "reference_images": _references(lead),
        "budget": budget_text(parsed, lead.currency),
        "location_city": _place(parsed.get("city"), parsed.get("country")),
        "instagram_handle": f"@{handle}" if handle else "None",
        "travel_city": _place(parsed.get("travel_city"), None) or "Same as location",
        "timing": str(parsed["timing"]) if parsed.get("timing") else None,
    }


def client_summary(lead: Lead) -> str:
    """The answers for the client to confirm or correct, labelled as the questions are."""
    values = client_values(lead)
    return _lines([(BY_KEY[key].label, value) for key, value in values.items()])


def _budget_line(lead: Lead) -> str | None:
    budget = lead.parsed.get("budget_pence")
    if not isinstance(budget, int):
        return None
    text = budget_text(lead.parsed, lead.currency) or format_money(budget, lead.currency)
    if lead.estimate is None:
        return text
    line = f"{text} (min {format_money(lead.estimate.min_budget_pence, lead.currency)})"
    return line + " ⚠️ below minimum" if budget < lead.estimate.min_budget_pence else line


def _tour_line(lead: Lead) -> str | None:
    parsed = lead.parsed
    if parsed.get("tour_city"):
        return f"Tour city: {parsed['tour_city']}"
    if lead.offered_tour_city:
        return f"Tour city offered: {lead.offered_tour_city}"
    requested = parsed.get("travel_city")
    return f"Requested city: {requested}" if requested else None


def artist_summary(lead: Lead) -> str:
    """Everything the artist needs to judge the enquiry, one field a line."""
    parsed = lead.parsed
    estimate = lead.estimate
    area = parsed.get("area_cm2")
    size_line = _size(lead)
    if size_line and isinstance(area, int | float):
        size_line += f" ({area:g} cm²)"
    location = _place(parsed.get("city"), parsed.get("country"))
    if location and parsed.get("region"):
        location += f" ({parsed['region']})"
    handle = parsed.get("instagram")
    estimate_line = price_line = None
    if estimate is not None:
        days = f", {estimate.days:g} days" if estimate.days else ""
        deposit = format_money(estimate.deposit_pence, lead.currency)
        estimate_line = f"{estimate.category}{days}, deposit {deposit}"
        low = format_money(estimate.price_min_pence, lead.currency)
        price_line = f"{low}–{format_money(estimate.price_max_pence, lead.currency)}"
    body = _lines(
        [
            ("Idea", _text(lead, "idea", 600)),
            ("Placement", _text(lead, "placement", 100)),
            ("Size", size_line),
            ("Style", _text(lead, "style", 100)),
            ("Complexity", _complexity(lead)),
            ("Cover-up", _yes_no(parsed.get("coverup"))),
            ("References", _reference_links(lead) if parsed.get("reference_count") else None),
            ("Location", location),
            ("Tour", _tour_line(lead)),
            ("Budget", _budget_line(lead)),
            ("Instagram", f"@{handle}" if handle else None),
            ("Estimate", estimate_line),
            ("Price range (internal)", price_line),
            ("Timing", str(parsed["timing"]) if parsed.get("timing") else None),
        ]
    )
    return cap(body, MAX_TEXT - 500)  # room for the header and footer around it
