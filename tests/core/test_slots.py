"""free_slots, suggest and format_slot: working hours, buffers, notice, look-ahead, XL days,
tour dates and DST, checked as the client would see the times (the artist's wall clock)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultation.calendar_rules import BEFORE_HISTORY, Rules, parse_hours
from consultation.lead import TourStop
from consultation.messages import MAX_ROW_DESCRIPTION, MAX_ROW_TITLE
from consultation.slots import (
    Slot,
    describe_slot,
    format_slot,
    free_slots,
    session_days,
    session_spans,
    suggest,
)

LONDON = ZoneInfo("Europe/London")
# Monday 30 November 2026, 09:00 in London (GMT): the first bookable day is Tuesday 1 December.
MONDAY = datetime(2026, 11, 30, 9, tzinfo=LONDON)
BERLIN = TourStop("Berlin", "Germany", "2026-12-08", "2026-12-12")

RULES = BEFORE_HISTORY  # the studio week these cases are dated for: Tue-Sat, 10:00-18:00


def london(y: int, m: int, d: int, h: int, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=LONDON)


def local_starts(slots: list[Slot], day: date) -> list[str]:
    return [
        f"{s.start.astimezone(LONDON):%H:%M}"
        for s in slots
        if s.start.astimezone(LONDON).date() == day
    ]


def tuesday_rules(**changes: Any) -> Rules:
    return replace(RULES, **changes)


TUESDAY = date(2026, 12, 1)
SPLIT_TUESDAY = RULES.working_hours | {1: parse_hours(["10:00-13:00", "14:00-18:00"])}


@pytest.mark.parametrize(
    ("case", "category", "changes", "busy", "starts"),
    [
        (
            "small sessions fill the day with the buffer between",
            "SMALL",
            {},
            [],
            ["10:00", "12:30", "15:00"],
        ),
        ("medium", "MEDIUM", {}, [], ["10:00", "13:30"]),
        ("large fits once", "LARGE", {}, [], ["10:00"]),
        ("one-day XL", "XL", {}, [], ["10:00"]),
        ("no buffer", "SMALL", {"buffer_minutes": 0}, [], ["10:00", "12:00", "14:00", "16:00"]),
        (
            "busy mid-morning pushes past it plus the buffer",
            "SMALL",
            {},
            [(london(2026, 12, 1, 11), london(2026, 12, 1, 12))],
            ["12:30", "15:00"],
        ),
        (
            "the buffer also keeps a session from running into a busy block",
            "SMALL",
            {},
            [(london(2026, 12, 1, 12), london(2026, 12, 1, 13))],
            ["13:30", "16:00"],
        ),
        (
            "after busy, starts snap to the 30-minute grid",
            "SMALL",
            {},
            [(london(2026, 12, 1, 10), london(2026, 12, 1, 10, 40))],
            ["11:30", "14:00"],
        ),
        (
            "and to the hour on a 60-minute grid",
            "SMALL",
            {"slot_granularity_minutes": 60},
            [(london(2026, 12, 1, 10), london(2026, 12, 1, 10, 40))],
            ["12:00", "15:00"],
        ),
        (
            "busy before opening, buffer included, changes nothing",
            "SMALL",
            {},
            [(london(2026, 12, 1, 8), london(2026, 12, 1, 9, 30))],
            ["10:00", "12:30", "15:00"],
        ),
        (
            "busy all day",
            "SMALL",
            {},
            [(london(2026, 12, 1, 9), london(2026, 12, 1, 19))],
            [],
        ),
        (
            "a split day: a session never spans the break",
            "SMALL",
            {"working_hours": SPLIT_TUESDAY},
            [],
            ["10:00", "14:00"],
        ),
    ],
)
def test_starts_on_one_day(
    case: str,
    category: str,
    changes: dict[str, Any],
    busy: list[tuple[datetime, datetime]],
    starts: list[str],
) -> None:
    slots = free_slots(tuesday_rules(**changes), category, None, busy, MONDAY)
    assert local_starts(slots, TUESDAY) == starts, case


def test_sessions_last_their_category_length() -> None:
    for category, minutes in RULES.session_minutes.items():
        slots = free_slots(RULES, category, None, [], MONDAY)
        assert {s.end - s.start for s in slots} == {timedelta(minutes=minutes)}


def test_no_slots_on_closed_days() -> None:
    slots = free_slots(RULES, "SMALL", None, [], MONDAY)
    assert {s.start.astimezone(LONDON).strftime("%a") for s in slots} == {
        "Tue", "Wed", "Thu", "Fri", "Sat",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("now", "starts"),
    [
        (london(2026, 11, 30, 12), ["12:00", "14:30"]),
        (london(2026, 11, 30, 12, 10), ["12:30", "15:00"]),
        (london(2026, 11, 30, 16, 1), []),
    ],
)
def test_minimum_notice_is_24_hours(now: datetime, starts: list[str]) -> None:
    assert local_starts(free_slots(RULES, "SMALL", None, [], now), TUESDAY) == starts


def test_slots_end_within_the_look_ahead() -> None:
    now = london(2026, 12, 1, 15)  # the window closes Tuesday 22 December, 15:00
    slots = free_slots(RULES, "SMALL", None, [], now)
    assert max(s.end for s in slots) <= now + timedelta(days=21)
    assert local_starts(slots, date(2026, 12, 22)) == ["10:00", "12:30"]


@pytest.mark.parametrize(
    ("category", "xl_days", "days"),
    [
        ("XL", None, 1),
        ("XL", 1.0, 1),
        ("XL", 1.5, 2),
        ("XL", 2.0, 2),
        ("XL", 2.5, 3),
        ("LARGE", 3.0, 1),
    ],
)
def test_session_days(category: str, xl_days: float | None, days: int) -> None:
    assert session_days(category, xl_days) == days


def test_multi_day_xl_takes_whole_consecutive_working_days() -> None:
    slots = free_slots(RULES, "XL", 2.0, [], MONDAY)
    assert slots[:3] == [
        Slot(london(2026, 12, 1, 10), london(2026, 12, 2, 18), 2),
        Slot(london(2026, 12, 3, 10), london(2026, 12, 4, 18), 2),
        # Sunday and Monday are closed, so Saturday runs on to Tuesday.
        Slot(london(2026, 12, 5, 10), london(2026, 12, 8, 18), 2),
    ]


def test_multi_day_xl_needs_every_day_free() -> None:
    busy = [(london(2026, 12, 2, 15), london(2026, 12, 2, 16))]  # one hour on Wednesday
    slots = free_slots(RULES, "XL", 2.0, busy, MONDAY)
    assert slots[0] == Slot(london(2026, 12, 3, 10), london(2026, 12, 4, 18), 2)


def test_on_tour_only_that_stops_dates() -> None:
    slots = free_slots(RULES, "SMALL", None, [], MONDAY, [BERLIN], city="berlin")
    assert {s.start.astimezone(LONDON).date() for s in slots} == {
        date(2026, 12, d) for d in (8, 9, 10, 11, 12)
    }


def test_studio_days_skip_the_tour() -> None:
    for city in (None, "London", "Leeds"):
        slots = free_slots(RULES, "SMALL", None, [], MONDAY, [BERLIN], city=city)
        days = {s.start.astimezone(LONDON).date() for s in slots}
        assert days and not days & {date(2026, 12, d) for d in range(8, 13)}


def test_a_tour_break_interrupts_a_multi_day_session() -> None:
    slots = free_slots(RULES, "XL", 2.0, [], MONDAY, [BERLIN])
    assert all(
        s.end.astimezone(LONDON).date() < date(2026, 12, 8)
        or s.start.astimezone(LONDON).date() > date(2026, 12, 12)
        for s in slots
    )
    assert Slot(london(2026, 12, 15, 10), london(2026, 12, 16, 18), 2) in slots


@pytest.mark.parametrize(
    ("now", "day", "first_start_utc"),
    [
        # Clocks go forward on Sunday 29 March 2026: 10:00 is 10:00 UTC before, 09:00 UTC after.
        (london(2026, 3, 24, 9), date(2026, 3, 28), datetime(2026, 3, 28, 10, tzinfo=UTC)),
        (london(2026, 3, 24, 9), date(2026, 3, 31), datetime(2026, 3, 31, 9, tzinfo=UTC)),
        # Clocks go back on Sunday 25 October 2026.
        (london(2026, 10, 20, 9), date(2026, 10, 24), datetime(2026, 10, 24, 9, tzinfo=UTC)),
        (london(2026, 10, 20, 9), date(2026, 10, 27), datetime(2026, 10, 27, 10, tzinfo=UTC)),
    ],
)
def test_opening_is_10am_local_on_both_sides_of_dst(
    now: datetime, day: date, first_start_utc: datetime
) -> None:
    slots = [
        s
        for s in free_slots(RULES, "SMALL", None, [], now)
        if s.start.astimezone(LONDON).date() == day
    ]
    assert slots[0].start == first_start_utc
    assert slots[0].start.tzinfo == UTC
    assert local_starts(slots, day) == ["10:00", "12:30", "15:00"]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        free_slots(RULES, "SMALL", None, [], datetime(2026, 11, 30, 9))


def test_suggestions_spread_over_days_alternating_morning_and_afternoon() -> None:
    picked = suggest(free_slots(RULES, "SMALL", None, [], MONDAY), 8, RULES)
    local = [s.start.astimezone(LONDON) for s in picked]
    assert len({t.date() for t in local}) == 8
    assert [f"{t:%a %H:%M}" for t in local] == [
        "Tue 10:00", "Wed 15:00", "Thu 10:00", "Fri 15:00", "Sat 10:00", "Tue 15:00", "Wed 10:00",
        "Thu 15:00",
    ]  # fmt: skip


def test_suggestions_take_more_per_day_only_when_days_run_out() -> None:
    two_days = [s for s in free_slots(RULES, "SMALL", None, [], MONDAY) if s.start.day in (1, 2)]
    assert suggest(two_days, 8, RULES) == two_days  # all six, in time order
    picked = suggest(two_days, 5, RULES)
    assert len(picked) == 5 and picked == sorted(picked, key=lambda s: s.start)
    assert {s.start.day for s in suggest(two_days, 2, RULES)} == {1, 2}


@pytest.mark.parametrize(
    ("slot", "title", "description"),
    [
        (
            Slot(london(2026, 12, 2, 14), london(2026, 12, 2, 17)),
            "Wed 2 Dec, 2:00pm",
            "2:00pm–5:00pm GMT (3h)",
        ),
        (
            Slot(london(2026, 12, 30, 12, 30), london(2026, 12, 30, 14, 30)),
            "Wed 30 Dec, 12:30pm",
            "12:30pm–2:30pm GMT (2h)",
        ),
        (
            Slot(london(2026, 6, 3, 10), london(2026, 6, 3, 13, 30)),
            "Wed 3 Jun, 10:00am",
            "10:00am–1:30pm BST (3h30)",
        ),
        (
            Slot(london(2026, 12, 5, 10), london(2026, 12, 8, 18), 2),
            "Sat 5 Dec, 2 days",
            "Full days: Sat 5 Dec & Tue 8 Dec",
        ),
    ],
)
def test_slot_wording(slot: Slot, title: str, description: str) -> None:
    assert format_slot(slot, RULES) == title
    assert describe_slot(slot, RULES) == description


@pytest.mark.parametrize(("category", "xl_days"), [("SMALL", None), ("XL", 4.0), ("XL", 2.0)])
def test_row_titles_and_descriptions_fit_whatsapp(category: str, xl_days: float | None) -> None:
    slots = free_slots(RULES, category, xl_days, [], london(2026, 12, 10, 9))
    assert slots
    assert max(len(format_slot(s, RULES)) for s in slots) <= MAX_ROW_TITLE
    assert max(len(describe_slot(s, RULES)) for s in slots) <= MAX_ROW_DESCRIPTION


# -- properties ---------------------------------------------------------------------------------

BASE = datetime(2026, 3, 20, tzinfo=UTC)  # spans the March DST change
busy_strategy = st.lists(
    st.tuples(st.integers(0, 30 * 24 * 60), st.integers(1, 2 * 24 * 60)), max_size=12
)


@settings(max_examples=150, deadline=None)
@given(
    busy=busy_strategy,
    now_minutes=st.integers(0, 14 * 24 * 60),
    category=st.sampled_from(["SMALL", "MEDIUM", "LARGE", "XL"]),
    xl_days=st.sampled_from([None, 1.0, 1.5, 2.0, 3.0]),
    granularity=st.sampled_from([30, 60]),
    buffer=st.sampled_from([0, 15, 30, 45]),
    split=st.booleans(),
    timezone=st.sampled_from(["Europe/London", "America/New_York", "Australia/Sydney"]),
)
def test_free_slots_are_free_inside_hours_and_apart(
    busy: list[tuple[int, int]],
    now_minutes: int,
    category: str,
    xl_days: float | None,
    granularity: int,
    buffer: int,
    split: bool,
    timezone: str,
) -> None:
    hours = parse_hours(["09:00-12:30", "13:15-19:00"] if split else ["10:00-18:00"])
    rules = replace(
        RULES,
        timezone=timezone,
        slot_granularity_minutes=granularity,
        buffer_minutes=buffer,
        working_hours={d: hours if d in (0, 2, 3, 5) else () for d in range(7)},
    )
    now = BASE + timedelta(minutes=now_minutes)
    intervals = [
        (BASE + timedelta(minutes=s), BASE + timedelta(minutes=s + length)) for s, length in busy
    ]
    slots = free_slots(rules, category, xl_days, intervals, now)
    pad = timedelta(minutes=buffer)
    zone = ZoneInfo(timezone)
    for slot in slots:
        assert slot.start.tzinfo == UTC and slot.start < slot.end
        assert slot.start >= now + timedelta(hours=24)
        assert slot.end <= now + timedelta(days=21)
        spans = session_spans(slot, rules)
        assert len(spans) == slot.days
        assert not any(
            b_start - pad < end and start < b_end + pad
            for start, end in spans
            for b_start, b_end in intervals
        )
        for start, end in spans:
            day = start.astimezone(zone).date()
            opening = [
                (datetime.combine(day, o, zone), datetime.combine(day, c, zone)) for o, c in hours
            ]
            assert day.weekday() in (0, 2, 3, 5)
            if slot.days == 1:  # inside one opening range
                assert any(o <= start and end <= c for o, c in opening)
            else:  # the whole working day
                assert (start, end) == (opening[0][0], opening[-1][1])
    for earlier, later in zip(slots, slots[1:], strict=False):
        assert earlier.end + pad <= later.start


def test_a_multi_day_slot_blocks_only_its_working_days() -> None:
    slot = Slot(london(2026, 12, 5, 10), london(2026, 12, 8, 18), 2)
    assert session_spans(slot, RULES) == [
        (london(2026, 12, 5, 10), london(2026, 12, 5, 18)),
        (london(2026, 12, 8, 10), london(2026, 12, 8, 18)),
    ]
