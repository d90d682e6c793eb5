"""parse_location / country_to_region, with the reference's §29.7 defects as regressions."""

from __future__ import annotations

import pytest

from consultation.location import country_to_region, parse_country, parse_location


@pytest.mark.parametrize(
    ("text", "city", "country", "region"),
    [
        ("Leeds", "Leeds", "United Kingdom", "UK"),
        ("london", "London", "United Kingdom", "UK"),
        ("london uk", "London", "United Kingdom", "UK"),
        ("Leeds, UK", "Leeds", "United Kingdom", "UK"),
        ("London, United Kingdom", "London", "United Kingdom", "UK"),
        ("Berlin", "Berlin", "Germany", "EUROPE"),
        ("Berlin Germany", "Berlin", "Germany", "EUROPE"),
        ("Berlin, Germany", "Berlin", "Germany", "EUROPE"),
        ("Germany", None, "Germany", "EUROPE"),
        ("Holland", None, "Netherlands", "EUROPE"),
        ("Great Britain", None, "United Kingdom", "UK"),
        ("U.K.", None, "United Kingdom", "UK"),
        ("New York USA", "New York City", "United States", "ROW"),
        ("Little Snoring", "Little Snoring", None, None),
        ("Paris, France.", "Paris", "France", "EUROPE"),
        ("I'm based in Manchester", "Manchester", "United Kingdom", "UK"),
        ("I live in a small village near Leeds", "Leeds", "United Kingdom", "UK"),
        ("10 Downing St, London SW1A 2AA, UK", "London", "United Kingdom", "UK"),
    ],
)
def test_location_names_city_country_and_region(
    text: str, city: str | None, country: str | None, region: str | None
) -> None:
    location = parse_location(text)
    assert location is not None
    assert (location.city, location.country, location.region) == (city, country, region)


@pytest.mark.parametrize(
    "text",
    ["idk", "not sure", "anywhere", "Anywhere really", "flexible", "any", "n/a", "x", "", "?"],
)
def test_answers_naming_no_place_are_not_locations(text: str) -> None:
    assert parse_location(text) is None


def test_commas_are_not_kept_in_the_city() -> None:
    location = parse_location("Leeds,")
    assert location is not None and location.city == "Leeds"


@pytest.mark.parametrize(
    ("country", "region"),
    [
        ("UK", "UK"),
        ("U.K.", "UK"),
        ("Britain", "UK"),
        ("Great Britain", "UK"),
        ("England", "UK"),
        ("England, UK", "UK"),
        ("Northern Ireland", "UK"),
        ("Ireland", "EUROPE"),
        ("Germany", "EUROPE"),
        ("Holland", "EUROPE"),
        ("The Netherlands", "EUROPE"),
        ("Czechia", "EUROPE"),
        ("Czech Republic", "EUROPE"),
        ("Switzerland", "EUROPE"),
        ("USA", "ROW"),
        ("U.S.", "ROW"),
        ("Japan", "ROW"),
        ("Narnia", "ROW"),
        ("", "ROW"),
        (None, "ROW"),
    ],
)
def test_country_to_region(country: str | None, region: str) -> None:
    assert country_to_region(country) == region


@pytest.mark.parametrize(
    ("text", "country"),
    [("the usa", "United States"), ("Japan", "Japan"), ("Wakanda", "Wakanda"), ("idk", None)],
)
def test_country_answer_is_canonical_or_as_typed(text: str, country: str | None) -> None:
    assert parse_country(text) == country
