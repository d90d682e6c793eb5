"""Pricing (§6): category thresholds and bumps, XL days, deposits, regional grid."""

from __future__ import annotations

import pytest

from consultation.pricing import category_for, deposit_for, estimate, xl_days


@pytest.mark.parametrize(
    ("area", "category"),
    [(49.9, "SMALL"), (50, "MEDIUM"), (149.9, "MEDIUM"), (150, "LARGE"), (299, "LARGE"),
     (300, "XL")],
)  # fmt: skip
def test_category_from_area_thresholds(area: float, category: str) -> None:
    assert category_for(area, 1, False, "forearm") == category


@pytest.mark.parametrize(
    ("complexity", "coverup", "category"),
    [(1, False, "SMALL"), (2, False, "MEDIUM"), (3, False, "LARGE"), (None, True, "LARGE"),
     (None, False, "SMALL")],
)  # fmt: skip
def test_category_without_a_size_comes_from_complexity_and_coverup(
    complexity: int | None, coverup: bool, category: str
) -> None:
    assert category_for(None, complexity, coverup, "forearm") == category


def test_each_bump_moves_one_category_up() -> None:
    assert category_for(40, 1, True, "forearm") == "MEDIUM"  # cover-up
    assert category_for(40, 3, False, "forearm") == "MEDIUM"  # complexity 3
    assert category_for(40, 1, False, "ribs") == "MEDIUM"  # hard placement
    assert category_for(40, 3, True, "ribs") == "LARGE"  # capped at LARGE by bumps
    assert category_for(400, 3, True, "back") == "XL"


@pytest.mark.parametrize(
    "placement",
    ["ribs", "left rib", "stomach", "side", "spine", "upper back", "full sleeve", "thigh",
     "thighs", "back of hand"],
)  # fmt: skip
def test_hard_placements(placement: str) -> None:
    assert category_for(40, 1, False, placement) == "MEDIUM"


def test_inside_forearm_is_not_a_side_placement() -> None:
    assert category_for(40, 1, False, "inside forearm") == "SMALL"


@pytest.mark.parametrize(
    ("area", "complexity", "coverup", "placement", "days"),
    [(320, 1, False, "arm", 1.5), (400, 1, False, "arm", 2.0), (600, 1, False, "arm", 2.5),
     (800, 1, False, "arm", 3.0), (800, 3, True, "back", 4.0), (320, 3, False, "arm", 2.0),
     (None, 3, False, "arm", 3.0), (None, 2, False, "arm", 2.0)],
)  # fmt: skip
def test_xl_days(
    area: float | None, complexity: int, coverup: bool, placement: str, days: float
) -> None:
    assert xl_days(area, complexity, coverup, placement) == days


@pytest.mark.parametrize(
    ("category", "days", "deposit"),
    [("SMALL", None, 15_000), ("MEDIUM", None, 15_000), ("LARGE", None, 20_000),
     ("XL", 2.5, 50_000), ("XL", None, 20_000)],
)  # fmt: skip
def test_deposit(category: str, days: float | None, deposit: int) -> None:
    assert deposit_for(category, days) == deposit


GRID = {
    ("SMALL", "UK"): (52_000, 65_000), ("SMALL", "EUROPE"): (56_000, 70_000),
    ("SMALL", "ROW"): (60_000, 75_000), ("MEDIUM", "UK"): (65_000, 91_000),
    ("MEDIUM", "EUROPE"): (70_000, 98_000), ("MEDIUM", "ROW"): (75_000, 105_000),
    ("LARGE", "UK"): (97_500, 130_000), ("LARGE", "EUROPE"): (105_000, 140_000),
    ("LARGE", "ROW"): (112_500, 150_000), ("XL", "UK"): (123_500, 143_000),
    ("XL", "EUROPE"): (133_000, 154_000), ("XL", "ROW"): (142_500, 165_000),
}  # fmt: skip
AREA_FOR = {"SMALL": 40, "MEDIUM": 100, "LARGE": 200, "XL": 320}
MINIMUM = {"UK": 40_000, "EUROPE": 50_000, "ROW": 60_000}


@pytest.mark.parametrize(("category", "region"), list(GRID))
def test_price_grid_and_regional_minimum(category: str, region: str) -> None:
    result = estimate(AREA_FOR[category], 1, False, "forearm", region)
    assert result.category == category
    assert (result.price_min_pence, result.price_max_pence) == GRID[category, region]
    assert result.min_budget_pence == MINIMUM[region]
    assert result.region == region


def test_unknown_region_is_priced_as_rest_of_world() -> None:
    result = estimate(40, 1, False, "forearm", None)
    assert result.region == "ROW" and result.min_budget_pence == 60_000


def test_days_are_only_given_for_xl() -> None:
    assert estimate(40, 1, False, "arm", "UK").days is None
    assert estimate(320, 1, False, "arm", "UK").days == 1.5
