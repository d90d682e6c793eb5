"""choose: what a reply to the offered slots means, including every slot-parsing defect of the
reference (§29.8) as a regression row."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultation.calendar_rules import RULES
from consultation.messages import MAX_ROW_DESCRIPTION, MAX_ROW_ID, MAX_ROW_TITLE
from consultation.slot_choice import (
    MORE_ID,
    Ambiguous,
    Choice,
    Chosen,
    NotUnderstood,
    WantsMore,
    choose,
    row_id,
    slot_rows,
)
from consultation.slots import Slot

LONDON = ZoneInfo("Europe/London")


def slot(day: int, hour: int, minute: int = 0, hours: int = 3) -> Slot:
    start = datetime(2026, 12, day, hour, minute, tzinfo=LONDON)
    return Slot(start, start + timedelta(hours=hours))


OFFERED = [
    slot(2, 10),  # 1. Wed 2 Dec 10:00
    slot(2, 14),  # 2. Wed 2 Dec 14:00
    slot(3, 16, 15),  # 3. Thu 3 Dec 16:15
    slot(4, 11),  # 4. Fri 4 Dec 11:00
    slot(5, 15, 30),  # 5. Sat 5 Dec 15:30
    slot(8, 10),  # 6. Tue 8 Dec 10:00
]


def pick(text: str, choice_id: str | None = None, offered: list[Slot] = OFFERED) -> Choice:
    return choose(text, choice_id, offered, RULES)


@pytest.mark.parametrize(
    ("text", "index"),
    [
        # numbers
        ("3", 2),
        ("3.", 2),
        ("option 3", 2),
        ("Option three", 2),
        ("#3", 2),
        ("# 3", 2),
        ("slot 2", 1),
        ("number 6", 5),
        ("the 3rd one", 2),
        ("third", 2),
        ("The third one please", 2),
        ("3️⃣", 2),
        ("3 please", 2),
        ("I'll take 3", 2),
        ("3 is more convenient", 2),
        ("1 and 1", 0),
        ("first available", 0),
        ("the earliest", 0),
        ("the last one", 5),
        # day and time
        ("Wednesday 2pm", 1),
        ("wed 14:00", 1),
        ("Wed at 2", 1),
        ("weds 10", 0),
        ("wednesday 10am", 0),
        ("Wednesday 2 pm", 1),
        ("wednesday 2.00 p.m.", 1),
        ("Wednesday morning", 0),
        ("wed afternoon", 1),
        ("wed pm", 1),
        ("wed am", 0),
        ("I am free Wednesday at 2", 1),
        ("saturday afternoon", 4),
        # a day with one slot
        ("Friday", 3),
        ("fri", 3),
        ("Friday works!", 3),
        ("tuesday", 5),
        ("Thursdays are best", 2),
        # a time with one slot
        ("2pm", 1),
        ("the 2pm one", 1),
        ("11am", 3),
        ("at 11", 3),
        ("11 o'clock", 3),
        ("4:15pm", 2),
        ("4:15", 2),
        ("16.15", 2),
        ("3:30pm", 4),
        ("15:30", 4),
        # dates
        ("8th December", 5),
        ("Dec 4", 3),
        ("4/12", 3),
        ("the 8th", 5),
        ("Tuesday the 8th", 5),
        # §29.8: "friend" is not Friday
        ("my friend says 2pm", 1),
    ],
)
def test_replies_that_pick_one_slot(text: str, index: int) -> None:
    assert pick(text) == Chosen(index)


@pytest.mark.parametrize(
    ("text", "question", "candidates"),
    [
        ("Wednesday", "10am or 2pm on Wednesday?", [0, 1]),
        ("wed 2nd", "10am or 2pm on Wednesday?", [0, 1]),
        ("10am", "Wednesday or Tuesday at 10am?", [0, 5]),
        ("3 or 4", "Which one: Thursday at 4:15pm or Friday at 11am?", [2, 3]),
        (
            "morning",
            "Which one: Wednesday at 10am, Friday at 11am or Tuesday at 10am?",
            [0, 3, 5],
        ),
        (
            "wednesday or friday",
            "Which one: Wednesday at 10am, Wednesday at 2pm or Friday at 11am?",
            [0, 1, 3],
        ),
    ],
)
def test_ambiguous_replies_get_a_short_question(
    text: str, question: str, candidates: list[int]
) -> None:
    assert pick(text) == Ambiguous(question, candidates)


def test_a_weekday_offered_in_two_weeks_is_asked_by_date() -> None:
    offered = [slot(2, 10), slot(9, 12)]
    assert pick("Wednesday", offered=offered) == Ambiguous(
        "Which one: Wed 2 Dec at 10am or Wed 9 Dec at 12pm?", [0, 1]
    )
    assert pick("wednesday 12pm", offered=offered) == Chosen(1)


@pytest.mark.parametrize(
    "text",
    [
        "more",
        "More please",
        "any more?",
        "other times",
        "Do you have other dates?",
        "none of these",
        "None of these work for me",
        "neither",
        "can't do any of those",
        "I don't think any of them work",
        "something else?",
        "different day please",
    ],
)
def test_asking_for_other_times(text: str) -> None:
    assert pick(text) == WantsMore()


def test_the_more_row_asks_for_other_times() -> None:
    assert pick("Other times", MORE_ID) == WantsMore()


@pytest.mark.parametrize(
    ("text", "hint_has"),
    [
        ("", "1 to 6"),
        ("hello", "“Wednesday 10am”"),
        ("2 hours", "1 to 6"),
        ("9", "only got 6"),
        ("option 12", "only got 6"),
        ("Monday", "Nothing on Monday"),
        ("Wednesday 4pm", "On Wednesday I can do 10am or 2pm"),
        ("3 on Wednesday", "Option 3 is Thu 3 Dec, 4:15pm"),
        ("12:45pm", "can't see that"),
        # §29.8 regressions: a time is never a list number, day names are whole words
        ("4:30pm", "can't see that"),
        ("3:15pm", "can't see that"),
        ("Is there anything this month?", "1 to 6"),
        ("after the wedding", "1 to 6"),
        ("my friend", "1 to 6"),
        ("sunshine", "1 to 6"),
    ],
)
def test_replies_that_are_not_understood_get_a_hint(text: str, hint_has: str) -> None:
    choice = pick(text)
    assert isinstance(choice, NotUnderstood)
    assert hint_has in choice.hint


@pytest.mark.parametrize(
    ("choice_id", "expected"),
    [
        ("slot:2", Chosen(1)),
        (row_id(1, OFFERED[1]), Chosen(1)),
        # A tap on an older list: the same slot, now at another position.
        (row_id(0, OFFERED[3]), Chosen(3)),
    ],
)
def test_list_taps(choice_id: str, expected: Choice) -> None:
    assert pick("Wed 2 Dec, 2:00pm", choice_id) == expected


@pytest.mark.parametrize(
    "choice_id", ["slot:0", "slot:7", "slot:x", "slot:", row_id(1, slot(20, 10))]
)
def test_taps_on_rows_no_longer_offered_are_not_guessed(choice_id: str) -> None:
    choice = pick("Sun 20 Dec, 10:00am", choice_id)
    assert isinstance(choice, NotUnderstood)
    assert "out of date" in choice.hint


def test_nothing_offered_is_never_a_choice() -> None:
    assert isinstance(pick("3", offered=[]), NotUnderstood)
    assert isinstance(pick("", "slot:1", offered=[]), NotUnderstood)


def test_multi_day_slots_are_picked_by_their_first_day() -> None:
    start = datetime(2026, 12, 5, 10, tzinfo=LONDON)
    offered = [Slot(start, start + timedelta(days=3, hours=8), 2), slot(10, 10)]
    assert pick("saturday", offered=offered) == Chosen(0)
    assert pick("1", offered=offered) == Chosen(0)


def test_rows_fit_whatsapp_and_tap_back_to_their_slot() -> None:
    rows = slot_rows(OFFERED, RULES)
    assert [row.title for row in rows][:2] == ["Wed 2 Dec, 10:00am", "Wed 2 Dec, 2:00pm"]
    for i, row in enumerate(rows):
        assert len(row.id) <= MAX_ROW_ID
        assert len(row.title) <= MAX_ROW_TITLE
        assert len(row.description) <= MAX_ROW_DESCRIPTION
        assert pick(row.title, row.id) == Chosen(i)


WORDS = st.sampled_from(
    [
        "wed", "Wednesday", "2pm", "4:15pm", "option", "#", "3", "the", "3rd", "one", "more",
        "none", "of", "these", "12/13", "99", "0", "at", "o'clock", "am", "pm", "morning", "dec",
        "8th", "٣", "3️⃣", "£5", "\u200b", "  ", "first", "last", "weekend", "slot:", "¹",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    text=st.one_of(st.text(max_size=60), st.lists(WORDS, max_size=8).map(" ".join)),
    choice_id=st.one_of(st.none(), st.text(max_size=20), st.text(max_size=20).map("slot:".__add__)),
    count=st.integers(0, len(OFFERED)),
)
def test_any_reply_is_read_as_a_choice_within_the_offer(
    text: str, choice_id: str | None, count: int
) -> None:
    offered = OFFERED[:count]
    choice = choose(text, choice_id, offered, RULES)
    assert isinstance(choice, Chosen | Ambiguous | NotUnderstood | WantsMore)
    if isinstance(choice, Chosen):
        assert 0 <= choice.index < count
    if isinstance(choice, Ambiguous):
        assert len(choice.candidates) > 1
        assert all(0 <= i < count for i in choice.candidates)
