"""Issue 13, class 4: sizes. A range for one side ("12-16cm") is not a square: both sides are
asked. Decimal sizes keep their decimals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultation.size import one_side_range, parse_size
from tests.core.chat import HAPPY_ANSWERS, Chat


@pytest.mark.parametrize(
    "text",
    [
        "12-16cm",
        "12 - 16 cm",
        "12–16cm",
        "about 12 to 16 cm",
        "somewhere 10-15cm i think",
        "4-6 inches",
        "80-100mm",
        "12cm-16cm",
    ],
)
def test_a_range_for_one_side_is_no_size(text: str) -> None:
    assert parse_size(text) is None
    assert one_side_range(text)


@pytest.mark.parametrize(
    ("text", "width", "height"),
    [
        ("12.5 x 8cm", 12.5, 8),
        ("12,5 x 8,5 cm", 12.5, 8.5),
        ("7.5cm", 7.5, 7.5),
        ("10.25 x 4 cm", 10.2, 4),  # a tenth of a millimetre is not a tattoo size
        ("2 x 3.5 inches", 5.1, 8.9),
        ("12-16cm x 8cm", 16, 8),
        ("8cm wide, 12cm tall", 8, 8),
    ],
)
def test_decimal_sizes_keep_their_decimals(text: str, width: float, height: float) -> None:
    size = parse_size(text)
    assert size is not None and (size.width_cm, size.height_cm) == (width, height)


@pytest.mark.parametrize("text", ["10x12cm", "8cm", "12 x 16 cm", "palm sized", "12-16"])
def test_a_size_or_no_measure_is_not_a_one_side_range(text: str) -> None:
    assert not one_side_range(text)


def test_the_bot_asks_both_sides_for_a_range_then_keeps_decimals(chat: Chat) -> None:
    chat.say("Hi")
    chat.say(HAPPY_ANSWERS[0])
    chat.say(HAPPY_ANSWERS[1])
    chat.say("12-16cm")
    assert chat.keys() == ["repair.dimensions_range"] and "both sides" in chat.text()
    assert "width_cm" not in chat.lead.parsed
    chat.say("12.5 x 16cm")
    assert chat.lead.parsed["width_cm"] == 12.5 and chat.lead.parsed["area_cm2"] == 200.0
    assert chat.keys() == ["question.style"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from('0123456789.,- xcmin"to×'), max_size=25))
def test_reading_a_size_never_raises(text: str) -> None:
    size = parse_size(text)
    assert size is None or (0 < size.width_cm <= 100 and 0 < size.height_cm <= 100)
    assert one_side_range(text) in (True, False)
