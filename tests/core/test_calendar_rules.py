"""Calendar rules: the bundled YAML, rules built in tests, and rules refused when built."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

import pytest

from consultation.calendar_rules import BEFORE_HISTORY, RULES, Rules, from_history, parse_hours

TEN_TO_SIX = ((time(10), time(18)),)


def test_bundled_rules_are_the_reference_week() -> None:
    """The reference studio (spec §14.1): Mon-Fri 10:00-18:00, Sat 10:00-16:00, Sunday closed."""
    assert RULES.timezone == "Europe/London"
    saturday = ((time(10), time(16)),)
    assert RULES.working_hours == {
        0: TEN_TO_SIX, 1: TEN_TO_SIX, 2: TEN_TO_SIX, 3: TEN_TO_SIX, 4: TEN_TO_SIX, 5: saturday,
        6: (),
    }  # fmt: skip
    assert (RULES.buffer_minutes, RULES.minimum_notice_hours, RULES.lookahead_days) == (30, 24, 21)
    assert (RULES.slot_granularity_minutes, RULES.max_suggestions) == (30, 8)
    assert RULES.session_minutes == {"SMALL": 120, "MEDIUM": 180, "LARGE": 240, "XL": 360}


def _mapping(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "working_hours": {"sat": ["10:00-13:00", "14:00-18:00"]},
        "buffer_minutes": 15,
        "minimum_notice_hours": 48,
        "lookahead_days": 14,
        "slot_granularity_minutes": 60,
        "max_suggestions": 5,
        "session_minutes": {"SMALL": 60, "MEDIUM": 120, "LARGE": 180, "XL": 300},
    }
    return base | changes


def test_rules_from_a_mapping_allow_split_days_and_default_to_london() -> None:
    rules = Rules.from_mapping(_mapping())
    assert rules.timezone == "Europe/London"
    assert rules.working_hours[5] == ((time(10), time(13)), (time(14), time(18)))
    assert rules.working_hours[1] == ()
    assert rules.session_length("XL") == timedelta(minutes=300)


def test_an_unknown_category_is_booked_as_medium() -> None:
    assert RULES.session_length("HUGE") == timedelta(minutes=180)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"slot_granularity_minutes": 45}, ValueError),
        ({"buffer_minutes": -5}, ValueError),
        ({"lookahead_days": 0}, ValueError),
        ({"session_minutes": {"SMALL": 60}}, ValueError),
        ({"working_hours": {"tue": ["14:00-18:00", "10:00-13:00"]}}, ValueError),
        ({"working_hours": {"tue": ["18:00-10:00"]}}, ValueError),
        ({"working_hours": {"tue": ["10:00-10:00"]}}, ValueError),
        ({"timezone": "Europe/Londn"}, ZoneInfoNotFoundError),
    ],
)
def test_bad_rules_are_refused_when_built(changes: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        Rules.from_mapping(_mapping(**changes))


def test_replace_rebuilds_and_checks_the_rules() -> None:
    assert replace(RULES, buffer_minutes=0).buffer_minutes == 0
    with pytest.raises(ValueError):
        replace(RULES, slot_granularity_minutes=20)


def test_hours_are_read_as_ranges() -> None:
    assert parse_hours(["09:30 - 12:00"]) == ((time(9, 30), time(12)),)


def test_runs_from_before_the_rules_were_recorded_keep_the_week_they_ran_with() -> None:
    assert BEFORE_HISTORY.working_hours == {
        0: (), 1: TEN_TO_SIX, 2: TEN_TO_SIX, 3: TEN_TO_SIX, 4: TEN_TO_SIX, 5: TEN_TO_SIX, 6: (),
    }  # fmt: skip
    assert replace(BEFORE_HISTORY, working_hours=RULES.working_hours) == RULES


@pytest.mark.parametrize(
    "rules",
    [
        RULES,
        BEFORE_HISTORY,
        replace(
            RULES,
            working_hours=RULES.working_hours | {1: parse_hours(["09:30-13:00", "14:00-19:30"])},
        ),
        replace(RULES, timezone="Europe/Berlin", slot_granularity_minutes=60),
    ],
)
def test_rules_survive_the_trip_through_history(rules: Rules) -> None:
    mapping = rules.to_mapping()
    assert from_history(mapping) == Rules.from_mapping(mapping) == rules
