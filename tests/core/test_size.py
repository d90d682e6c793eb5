"""parse_size: width and height in cm, fixing the reference's "10cm x 12cm" → 10×10 quirk."""

from __future__ import annotations

import pytest

from consultation.size import bare_size, parse_size


@pytest.mark.parametrize(
    ("text", "width", "height"),
    [
        ("10cm x 12cm", 10, 12),
        ("30cm x 20cm", 30, 20),
        ("10 x 12 cm", 10, 12),
        ("10x12cm", 10, 12),
        ("8×12cm", 8, 12),
        ("12cmx8cm", 12, 8),
        ("10cm x 12", 10, 12),
        ("10 by 15 cm", 10, 15),
        ("80mm x 120mm", 8, 12),
        ("3x5 inches", 7.6, 12.7),
        ('3" x 5"', 7.6, 12.7),
        ("4 in", 10.2, 10.2),
        ("5 inch", 12.7, 12.7),
        ("8cm", 8, 8),
        ("about 7,5 cm", 7.5, 7.5),
        ("20 centimetres wide", 20, 20),
        ("100cm", 100, 100),
    ],
)
def test_size_is_read_in_centimetres(text: str, width: float, height: float) -> None:
    size = parse_size(text)
    assert size is not None
    assert (size.width_cm, size.height_cm) == (width, height)


@pytest.mark.parametrize(
    "text",
    ["10x15", "10 x 15", "palm-sized", "A4", "0x0cm", "0cm", "150cm", "10 x 101 cm", "", "big"],
)
def test_size_without_a_unit_or_out_of_range_is_not_understood(text: str) -> None:
    assert parse_size(text) is None


def test_area_is_width_times_height() -> None:
    size = parse_size("10cm x 12cm")
    assert size is not None and size.area_cm2 == 120


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("8x8cm", True),
        ("about 3 x 5 inches", True),
        ("10cm wide", True),
        ("roughly 12 x 15 cm I think", True),
        ("A 10cm rose on my wrist", False),
        ("a swallow, 8x8cm", False),
        ("big", False),
        ("10x15", False),
    ],
)
def test_only_a_message_that_is_nothing_but_a_size_is_a_bare_size(text: str, plain: bool) -> None:
    assert (bare_size(text) is not None) is plain
