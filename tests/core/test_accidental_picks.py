"""Issue 13, class 1a: while the client is choosing a time, only a clear choice picks one. A
number inside a sentence, a part of the day said in passing, or a reply that turns a time down
must never hold a slot (a wrong pick holds a time and sends a deposit link nobody asked for)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultation.calendar_rules import RULES
from consultation.slot_choice import Chosen, choose
from consultation.slots import Slot
from tests.core.leads import client, offered

LONDON = ZoneInfo("Europe/London")


def slot(day: int, hour: int) -> Slot:
    start = datetime(2026, 12, day, hour, tzinfo=LONDON)
    return Slot(start, start + timedelta(hours=3))


OFFERED = [
    slot(2, 10),  # 1. Wed 10am
    slot(3, 14),  # 2. Thu 2pm
    slot(4, 11),  # 3. Fri 11am
    slot(8, 15),  # 4. Tue 3pm
]


@pytest.mark.parametrize(
    "text",
    [
        "can I bring 1 friend?",
        "I've got 2 kids so mornings are hard",
        "is it ok if 2 of us come?",
        "my 2nd tattoo with you!",
        "this is my first tattoo, a bit nervous",
        "I get paid on the 3rd so any time after that",
        "how long will it take, 3 hours?",
        "I work 4 days a week",
        "1 sec, checking with my boss",
        "give me 2 mins",
        "I'm 3 months pregnant, is that a problem?",
        "mornings are a nightmare for me",
        "Tuesday doesn't work for me",
        "not friday sorry",
        "can't do thursday, working",
        "wednesday is tricky unless it's later",
        "is 4 too late to start?",
        "are there any mornings next week?",
        "my mum is 1 of the reasons I'm getting this",
        "lol 2 many options",
        "we have 3 dogs so I need to sort a sitter",
        "I'll be 1 hour late probably",
        "the first one is too early for me",
        "number 2 is too far away",
    ],
)
def test_a_number_or_day_in_passing_is_not_a_pick(text: str) -> None:
    assert not isinstance(choose(text, None, OFFERED, RULES), Chosen)


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("2", 1),
        ("2 please", 1),
        ("option 2", 1),
        ("option2", 1),
        ("Option2 please", 1),
        ("number3", 2),
        ("no. 3", 2),
        ("#4", 3),
        ("the 2nd", 1),
        ("the 2nd one works for me", 1),
        ("the second one", 1),
        ("second", 1),
        ("I'll take the 3rd", 2),
        ("3?", 2),
        ("option 2 - can I bring 1 friend?", 1),
        ("Thursday 2pm", 1),
        ("thursday at 2 please, can my friend come too?", 1),
        ("friday 11am works", 2),
        ("the wednesday morning one", 0),
        ("tuesday 3pm is perfect", 3),
        ("two", 1),
        ("I'd like 4 please", 3),
        ("go with 1", 0),
    ],
)
def test_a_clear_choice_still_picks(text: str, index: int) -> None:
    assert choose(text, None, OFFERED, RULES) == Chosen(index)


def test_a_tapped_row_picks_whatever_the_text() -> None:
    tapped = choose(
        "can I bring 1 friend?", f"slot:2:{OFFERED[1].start:%Y%m%dT%H%MZ}", OFFERED, RULES
    )
    assert tapped == Chosen(1)


# Words of everyday sentences that are neither days, times, months nor option keywords.
_SENTENCE_WORDS = st.sampled_from(
    re.findall(
        r"\S+",
        "bring friend kids mum sister tattoo hard nervous paid hours cost so if my we have "
        "dogs busy late early bit wait boss sitter car parking reasons",
    )
)
_NUMBERS = st.integers(min_value=1, max_value=9).map(str)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_SENTENCE_WORDS, _NUMBERS), min_size=2, max_size=10), st.booleans())
def test_a_reply_that_is_not_a_clear_choice_never_holds_a_time(
    words: list[str], question: bool
) -> None:
    if all(word.isdigit() for word in words):
        return  # "2 3" is numbers only: a choice (or a question back), not a sentence
    text = " ".join(words) + ("?" if question else "")
    assert not isinstance(choose(text, None, OFFERED, RULES), Chosen), text


_OFFERED_LEAD = offered()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_SENTENCE_WORDS, _NUMBERS), min_size=2, max_size=10), st.booleans())
def test_through_the_engine_an_unclear_reply_picks_and_holds_nothing(
    words: list[str], question: bool
) -> None:
    if all(word.isdigit() for word in words):
        return
    text = " ".join(words) + ("?" if question else "")
    turn = client(_OFFERED_LEAD, text, 0.1)
    assert turn.lead.booking.picked is None, text
    assert turn.lead.booking.hold is None, text
