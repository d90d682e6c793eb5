"""parse_budget: pence from what clients actually type, including the reference's defects."""

from __future__ import annotations

import pytest

from consultation.budget import parse_budget


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("500", 50_000),
        ("£500", 50_000),
        ("$500", 50_000),
        ("€600", 60_000),
        ("£1,500", 150_000),
        ("1500 pounds", 150_000),
        ("£1,500.50", 150_050),
        ("around 800 quid", 80_000),
        ("up to £1,000!", 100_000),
        # "k" is thousands only as a real suffix (§29.6)
        ("2k", 200_000),
        ("1.5k", 150_000),
        ("2 k", 200_000),
        ("£2K", 200_000),
        ("500 kinda", 50_000),
        ("500 kind of", 50_000),
        # number words
        ("four hundred", 40_000),
        ("two thousand", 200_000),
        ("five hundred and fifty", 55_000),
        ("twenty five hundred", 250_000),
        ("1 grand", 100_000),
        ("a grand", 100_000),
        ("two grand", 200_000),
        ("2 thousand", 200_000),
        # ranges: the lower bound is what the minimum is checked against (issue 13)
        ("400-500", 40_000),
        ("£400 - £500", 40_000),
        ("between 400 and 500", 40_000),
        ("£2k to £3k", 200_000),
        ("2-3k", 200_000),
        ("500 - 1k", 50_000),
    ],
)
def test_budget_is_read_in_pence(text: str, pence: int) -> None:
    assert parse_budget(text) == pence


@pytest.mark.parametrize(
    "text",
    ["", "no idea", "not sure yet", "-500", "minus 200", "£-300", "0", "£0", "9" * 40, "k", None],
)
def test_no_positive_amount_means_no_budget(text: str | None) -> None:
    assert parse_budget(text) is None


def test_budget_after_the_first_amount_is_ignored_unless_it_is_a_range() -> None:
    assert parse_budget("500, maybe 600 at a push") == 50_000
