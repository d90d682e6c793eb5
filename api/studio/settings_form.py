"""The settings form as the artist sees it: every setting as text to fill the form with, and the
posted text back into `ArtistSettings`' mapping (amounts typed in pounds, euros or dollars;
hours as "10:00-13:00, 14:00-18:00"). Whether the result makes sense is the core's to say."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from consultation.artist_settings import DAY_NAMES, REGION_NAMES, SIZE_NAMES, ArtistSettings
from consultation.calendar_rules import WEEKDAYS
from consultation.money import major_text, to_minor
from consultation.prices import CATEGORIES, LARGE, MEDIUM, REGIONS, SMALL

TEXT = ("artist_name", "studio_name", "studio_address", "studio_city")
DEPOSIT_SIZES = (SMALL, MEDIUM, LARGE)
RULE_NUMBERS = ("buffer_minutes", "minimum_notice_hours", "lookahead_days")
BOOKING_NUMBERS = ("hold_minutes", "reschedule_notice_hours", "free_moves", "reminder_1_hours",
                   "reminder_2_hours")  # fmt: skip


def _opening(words: str) -> str:
    """Capitalised where it opens a label, the rest as written ("UK" stays "UK")."""
    return words[:1].upper() + words[1:]


LABELS = {
    "days": DAY_NAMES,
    "sizes": {size: _opening(SIZE_NAMES[size]) for size in CATEGORIES},
    "regions": {region: _opening(REGION_NAMES[region]) for region in REGIONS},
}


def form_values(settings: ArtistSettings) -> dict[str, str]:
    """Every field of the form, filled from `settings`."""
    prices, rules, currency = settings.prices, settings.rules, settings.currency
    values = {key: getattr(settings, key) for key in TEXT}
    values |= {
        "timezone": rules.timezone,
        "currency": currency,
        "xl_deposit_per_day": major_text(prices.xl_deposit_per_day, currency),
        "closed_days": ", ".join(sorted(map(str, rules.closed_days))),
        "appointment_reminder_hours": ", ".join(map(str, settings.appointment_reminder_hours)),
    }
    for size in DEPOSIT_SIZES:
        values[f"deposit_{size}"] = major_text(prices.deposits[size], currency)
    for region in REGIONS:
        values[f"minimum_{region}"] = major_text(prices.minimums[region], currency)
        values[f"rate_{region}"] = major_text(prices.hourly_rates[region], currency)
    for index, day in enumerate(WEEKDAYS):
        ranges = rules.working_hours.get(index, ())
        values[f"hours_{day}"] = ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in ranges)
    for size in CATEGORIES:
        values[f"session_{size}"] = str(rules.session_minutes[size])
    for key in RULE_NUMBERS:
        values[key] = str(getattr(rules, key))
    for key in BOOKING_NUMBERS:
        values[key] = str(getattr(settings, key))
    return values


def mapping_from(form: Mapping[str, str], current: ArtistSettings) -> dict[str, Any]:
    """The posted form as `ArtistSettings.from_mapping` takes it. What the form does not edit
    (the tour, the slot grid) is kept from `current`; an amount that is not a number becomes
    None, which the core refuses with its own words."""
    currency = form.get("currency", "").strip().upper()

    def amount(name: str) -> int | None:
        return to_minor(form.get(name, ""), currency or current.currency)

    rules = current.rules.to_mapping()
    rules |= {
        "timezone": form.get("timezone", "").strip(),
        "working_hours": {day: _ranges(form.get(f"hours_{day}", "")) for day in WEEKDAYS},
        "session_minutes": {size: _number(form.get(f"session_{size}")) for size in CATEGORIES},
        "closed_days": _list(form.get("closed_days", "")),
    }
    rules |= {key: _number(form.get(key)) for key in RULE_NUMBERS}
    mapping = current.to_mapping()
    mapping |= {key: form.get(key, "").strip() for key in TEXT}
    mapping |= {key: form.get(key, "").strip() for key in BOOKING_NUMBERS}
    mapping |= {
        "prices": {
            "currency": currency,
            "deposits": {size: amount(f"deposit_{size}") for size in DEPOSIT_SIZES},
            "xl_deposit_per_day": amount("xl_deposit_per_day"),
            "minimums": {region: amount(f"minimum_{region}") for region in REGIONS},
            "hourly_rates": {region: amount(f"rate_{region}") for region in REGIONS},
        },
        "rules": rules,
        "appointment_reminder_hours": _list(form.get("appointment_reminder_hours", "")),
    }
    return mapping


def _ranges(text: str) -> list[str]:
    """ "10:00-13:00, 14:00 – 18:00" → ["10:00-13:00", "14:00-18:00"]; "closed" or "" → []."""
    text = text.replace("–", "-").replace("—", "-")
    if text.strip().casefold() in ("", "closed"):
        return []
    return [part.replace(" ", "") for part in text.split(",") if part.strip()]


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def _number(text: str | None) -> int | None:
    """A whole number as typed; None (refused by the core) otherwise."""
    try:
        return int((text or "").strip())
    except ValueError:
        return None
