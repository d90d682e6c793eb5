"""When the artist can tattoo: working hours in their own time zone, buffers, notice, look-ahead
and session lengths, read once at import from the bundled calendar_rules.yml.

The workflow does not decide with these directly: the calendar activity hands them back with the
busy times (`calendar_view`), so the rules a lead's times were offered under are in its history
and an edit to the file never changes a running lead's past on replay (`Booking.rules`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from consultation.pricing import LARGE, MEDIUM, SMALL, XL

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # in `date.weekday()` order
GRANULARITIES = (30, 60)

# Local opening ranges of one day, in order, e.g. ((10:00, 13:00), (14:00, 18:00)).
Hours = tuple[tuple[time, time], ...]


@dataclass(frozen=True)
class Rules:
    """The booking rules; build with `Rules.from_mapping` or `dataclasses.replace(RULES, ...)`.
    Invalid rules raise ValueError when built, so a bad YAML edit fails at start-up, not in a
    conversation."""

    timezone: str
    working_hours: dict[int, Hours]  # date.weekday() → ranges; a closed day has none
    buffer_minutes: int
    minimum_notice_hours: int
    lookahead_days: int
    slot_granularity_minutes: int
    max_suggestions: int
    session_minutes: dict[str, int]  # by size category
    closed_days: frozenset[date] = frozenset()  # holidays: no sessions, whatever the weekday

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)  # raises for an unknown zone
        if self.slot_granularity_minutes not in GRANULARITIES:
            raise ValueError(f"slot granularity must be one of {GRANULARITIES}")
        if min(self.buffer_minutes, self.minimum_notice_hours) < 0:
            raise ValueError("buffer and notice cannot be negative")
        if self.lookahead_days < 1 or self.max_suggestions < 1:
            raise ValueError("look-ahead and suggestions must be at least 1")
        missing = {SMALL, MEDIUM, LARGE, XL} - self.session_minutes.keys()
        if missing or min(self.session_minutes.values()) <= 0:
            raise ValueError(f"session length needed for every category ({sorted(missing)})")
        for ranges in self.working_hours.values():
            ends = [moment for opening in ranges for moment in opening]
            if ends != sorted(ends) or any(start == end for start, end in ranges):
                raise ValueError(f"working hours must be increasing ranges: {ranges}")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo caches instances by key

    def hours_on(self, day: date) -> Hours:
        if day in self.closed_days:
            return ()
        return self.working_hours.get(day.weekday(), ())

    def session_length(self, category: str) -> timedelta:
        """One session's length; an unknown category is booked as MEDIUM, the middle size."""
        minutes = self.session_minutes.get(category, self.session_minutes[MEDIUM])
        return timedelta(minutes=minutes)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Rules:
        """Rules from the YAML's shape: working hours keyed "mon".."sun", each a list of
        "HH:MM-HH:MM" ranges."""
        hours = data.get("working_hours") or {}
        return cls(
            timezone=str(data.get("timezone") or "Europe/London"),
            working_hours={
                index: parse_hours(hours.get(name) or ()) for index, name in enumerate(WEEKDAYS)
            },
            buffer_minutes=int(data["buffer_minutes"]),
            minimum_notice_hours=int(data["minimum_notice_hours"]),
            lookahead_days=int(data["lookahead_days"]),
            slot_granularity_minutes=int(data["slot_granularity_minutes"]),
            max_suggestions=int(data["max_suggestions"]),
            session_minutes={str(k): int(v) for k, v in data["session_minutes"].items()},
            closed_days=frozenset(date.fromisoformat(d) for d in data.get("closed_days") or ()),
        )

    def to_mapping(self) -> dict[str, Any]:
        """The YAML's shape, plain JSON: `Rules.from_mapping(rules.to_mapping()) == rules`."""
        return {
            "timezone": self.timezone,
            "working_hours": {
                name: [
                    f"{start:%H:%M}-{end:%H:%M}" for start, end in self.working_hours.get(index, ())
                ]
                for index, name in enumerate(WEEKDAYS)
            },
            "buffer_minutes": self.buffer_minutes,
            "minimum_notice_hours": self.minimum_notice_hours,
            "lookahead_days": self.lookahead_days,
            "slot_granularity_minutes": self.slot_granularity_minutes,
            "max_suggestions": self.max_suggestions,
            "session_minutes": dict(self.session_minutes),
            # Only when there are any: the mapping of rules without holidays stays as it was.
            **({"closed_days": sorted(map(str, self.closed_days))} if self.closed_days else {}),
        }


def from_history(mapping: Mapping[str, Any]) -> Rules:
    """Rules as recorded with an offer; parsed once per distinct set."""
    return _parsed(json.dumps(mapping, sort_keys=True))


@lru_cache(maxsize=16)
def _parsed(text: str) -> Rules:
    return Rules.from_mapping(json.loads(text))


def parse_hours(ranges: Iterable[str]) -> Hours:
    """("10:00-13:00", "14:00-18:00") → ((10:00, 13:00), (14:00, 18:00))."""
    parsed = []
    for text in ranges:
        start, _, end = text.partition("-")
        parsed.append((time.fromisoformat(start.strip()), time.fromisoformat(end.strip())))
    return tuple(parsed)


_PATH = Path(__file__).with_name("calendar_rules.yml")
RULES = Rules.from_mapping(yaml.safe_load(_PATH.read_text(encoding="utf-8")))

# The rules bundled before they travelled in history (Tuesday to Saturday, 10:00-18:00): the
# week lead runs started then were decided with, so they replay exactly as they ran.
BEFORE_HISTORY = Rules.from_mapping(
    {
        "timezone": "Europe/London",
        "working_hours": dict.fromkeys(("tue", "wed", "thu", "fri", "sat"), ["10:00-18:00"]),
        "buffer_minutes": 30,
        "minimum_notice_hours": 24,
        "lookahead_days": 21,
        "slot_granularity_minutes": 30,
        "max_suggestions": 8,
        "session_minutes": {"SMALL": 120, "MEDIUM": 180, "LARGE": 240, "XL": 360},
    }
)
