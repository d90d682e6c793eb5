"""The artist's settings: validated as a whole with every mistake in the artist's words,
round-tripped through JSON, compared for the audit page, applied to a lead's policy (prices,
hours and currency reach the quote), and money shown in the chosen currency."""

from __future__ import annotations

import copy
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from consultation import pricing
from consultation.artist_settings import ArtistSettings, SettingsInvalid, changes
from consultation.calendar_rules import RULES
from consultation.lead import Lead, Policy
from consultation.money import format_money, major_text, to_minor
from settings import Settings

DEFAULTS = Settings(_env_file=None).artist_defaults  # type: ignore[call-arg]


def edited(**changes_: Any) -> dict[str, Any]:
    """The defaults' mapping with `changes_` applied at dotted paths ("prices.currency")."""
    mapping = copy.deepcopy(DEFAULTS.to_mapping())
    for path, value in changes_.items():
        *parents, last = path.split("__")
        target = mapping
        for key in parents:
            target = target[key]
        target[last] = value
    return mapping


def errors_of(mapping: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(SettingsInvalid) as refused:
        ArtistSettings.from_mapping(mapping)
    return refused.value.errors


def stop(city: str, start: str, end: str, timezone: str = "") -> dict[str, str]:
    return {"city": city, "country": "Germany", "start": start, "end": end, "timezone": timezone}


def test_the_defaults_are_todays_files_and_environment_and_round_trip() -> None:
    assert DEFAULTS.rules == RULES
    assert DEFAULTS.prices == pricing.STANDARD and DEFAULTS.currency == "GBP"
    assert ArtistSettings.from_mapping(DEFAULTS.to_mapping()) == DEFAULTS


def test_overlapping_tour_stops_are_refused_by_name() -> None:
    tour = [stop("Berlin", "2027-06-03", "2027-06-07"), stop("Munich", "2027-06-07", "2027-06-09")]
    problem = errors_of(edited(tour=tour))["tour"]
    assert "Berlin (3–7 June 2027) overlaps Munich (7–9 June 2027)" in problem


def test_back_to_back_tour_stops_are_fine_and_kept_in_date_order() -> None:
    tour = [stop("Munich", "2027-06-08", "2027-06-09"), stop("Berlin", "2027-06-03", "2027-06-07")]
    settings = ArtistSettings.from_mapping(edited(tour=tour))
    assert [s.city for s in settings.tour] == ["Berlin", "Munich"]


@pytest.mark.parametrize(
    ("tour", "words"),
    [
        ([stop("Berlin", "2027-06-07", "2027-06-03")], "Berlin: the last day is before the first"),
        ([stop("Berlin", "June", "2027-06-03")], "Berlin: give the first and last day as dates"),
        ([stop("Berlin", "2027-06-03", "2027-06-04", "Mars/Base")], "unknown time zone"),
        ([stop("", "2027-06-03", "2027-06-04")], "needs a city and a country"),
    ],
)
def test_a_bad_tour_stop_is_refused_with_a_reason(tour: list[dict], words: str) -> None:
    assert words in errors_of(edited(tour=tour))["tour"]


@pytest.mark.parametrize(
    ("hours", "field"),
    [
        (["18:00-10:00"], "hours_mon"),  # ends before it starts
        (["10:00-14:00", "13:00-18:00"], "hours_mon"),  # overlapping ranges
        (["ten till six"], "hours_mon"),  # not times
    ],
)
def test_bad_working_hours_are_refused_for_their_day(hours: list[str], field: str) -> None:
    problem = errors_of(edited(rules__working_hours__mon=hours))[field]
    assert problem.startswith("Monday:")


def test_a_break_is_a_gap_between_two_ranges() -> None:
    settings = ArtistSettings.from_mapping(
        edited(rules__working_hours__mon=["10:00-13:00", "14:00-18:00"])
    )
    assert len(settings.rules.working_hours[0]) == 2


def test_every_mistake_is_reported_at_once() -> None:
    mapping = edited(
        prices__currency="JPY",
        hold_minutes=5,
        rules__timezone="Nowhere/Town",
        rules__closed_days=["Christmas"],
        reminder_1_hours=40,
        artist_name=" ",
    )
    assert set(errors_of(mapping)) >= {
        "currency", "hold_minutes", "timezone", "closed_days", "reminder_2_hours", "artist_name",
    }  # fmt: skip


def test_amounts_must_be_positive_minor_units() -> None:
    assert "deposits" in errors_of(edited(prices__deposits__SMALL=0))
    assert "xl_deposit_per_day" in errors_of(edited(prices__xl_deposit_per_day=None))


def test_closed_days_have_no_working_hours() -> None:
    settings = ArtistSettings.from_mapping(edited(rules__closed_days=["2027-12-24"]))
    assert settings.rules.hours_on(date(2027, 12, 24)) == ()  # a Friday
    assert settings.rules.hours_on(date(2027, 12, 17)) != ()


def test_changes_read_as_the_artist_would_say_them() -> None:
    after = ArtistSettings.from_mapping(
        edited(
            prices__deposits__SMALL=18_000,
            rules__working_hours__tue=[],
            tour=[stop("Berlin", "2027-06-03", "2027-06-07")],
        )
    )
    assert changes(DEFAULTS, after) == [
        "Deposit, small: £150 → £180",
        "Hours, Tuesday: 10:00-18:00 → closed",
        "Tour stop added: Berlin, Germany, 3–7 June 2027",
    ]
    assert changes(after, after) == ["Saved without changes."]
    assert changes(None, DEFAULTS)[0].startswith("First settings")


def test_a_lead_quoted_under_a_version_gets_its_prices_and_currency() -> None:
    settings = ArtistSettings.from_mapping(
        edited(prices__currency="EUR", prices__deposits__MEDIUM=17_500)
    )
    policy = settings.apply(Policy(), version=7)
    assert policy.settings_version == 7 and policy.currency == "EUR"
    assert policy.rules == settings.rules.to_mapping()
    lead = Lead(parsed={"area_cm2": 100, "region": "UK"})
    estimate = pricing.estimate_lead(lead, policy.prices)
    assert (estimate.category, estimate.deposit_pence, estimate.currency) == (
        "MEDIUM",
        17_500,
        "EUR",
    )
    lead.estimate = estimate
    assert lead.currency == "EUR"


@pytest.mark.parametrize(
    ("minor", "currency", "shown"),
    [
        (200_000, "GBP", "£2,000"),
        (150_050, "GBP", "£1,500.50"),
        (200_000, "EUR", "€2,000"),
        (200_000, "USD", "$2,000"),
        (-500, "GBP", "-£5"),
    ],
)
def test_money_is_formatted_for_its_currency(minor: int, currency: str, shown: str) -> None:
    assert format_money(minor, currency) == shown


def test_amounts_typed_into_a_form_become_minor_units_and_back() -> None:
    assert to_minor("1,500.5") == 150_050 and to_minor("£150") == 15_000
    assert to_minor("12.345") is None and to_minor("lots") is None
    assert major_text(150_050) == "1500.50" and major_text(15_000) == "150"
    assert format_money(200_000, minor_always=True) == "£2,000.00"


def test_money_is_formatted_without_reading_files_once_imported() -> None:
    """The workflow sandbox forbids file access, and Babel reads its data lazily: money.py
    loads it at import. A fresh interpreter with `open` taken away after the import proves it
    (a lead's first quote once failed in the worker this way)."""
    script = (
        "import builtins, io\n"
        "from consultation.money import CURRENCIES, format_money, major_text, to_minor\n"
        "def refuse(*args, **kwargs):\n"
        "    raise RuntimeError('file access')\n"
        "builtins.open = io.open = refuse\n"
        "for code in CURRENCIES:\n"
        "    print(format_money(150_050, code), format_money(-500, code, minor_always=True),\n"
        "          to_minor('12.50', code), major_text(1_250, code))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == "€1,500.50 -€5.00 1250 12.50"
