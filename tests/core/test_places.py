"""Issue 13, class 3: places from maintained data. Native and common names, typos, short forms;
a name shared across regions is asked back; a country, a region or a postcode given as the city
keeps what it says and the town is still asked."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultation.location import Location, PlaceQuestion, country_to_region, read_place
from consultation.places import postcode_in
from tests.core.chat import HAPPY_ANSWERS, Chat


@pytest.mark.parametrize(
    ("text", "city", "country", "region"),
    [
        ("Zürich", "Zürich", "Switzerland", "EUROPE"),
        ("zurich", "Zürich", "Switzerland", "EUROPE"),
        ("Kraków", "Kraków", "Poland", "EUROPE"),
        ("Krakow, Poland", "Kraków", "Poland", "EUROPE"),
        ("Lisboa", "Lisbon", "Portugal", "EUROPE"),
        ("München", "Munich", "Germany", "EUROPE"),
        ("Praha", "Prague", "Czech Republic", "EUROPE"),
        ("Wien", "Vienna", "Austria", "EUROPE"),
        ("NYC", "New York City", "United States", "ROW"),
        ("nyc", "New York City", "United States", "ROW"),
        ("Leipzig", "Leipzig", "Germany", "EUROPE"),
        ("Gdańsk", "Gdańsk", "Poland", "EUROPE"),
        ("Malmö", "Malmö", "Sweden", "EUROPE"),
        ("Reykjavik", "Reykjavík", "Iceland", "EUROPE"),
        ("Toronto", "Toronto", "Canada", "ROW"),
        ("Melbourne", "Melbourne", "Australia", "ROW"),
        ("London", "London", "United Kingdom", "UK"),
        ("Birmingham", "Birmingham", "United Kingdom", "UK"),
        ("Manchster", "Manchester", "United Kingdom", "UK"),
        ("Edinburgh", "Edinburgh", "United Kingdom", "UK"),
        ("St. Albans", "St Albans", "United Kingdom", "UK"),
        ("Boston, MA, USA", "Boston", "United States", "ROW"),
        ("Paris, France", "Paris", "France", "EUROPE"),
        ("I'm based in Leipzig", "Leipzig", "Germany", "EUROPE"),
        ("LS6 2AB", "Leeds", "United Kingdom", "UK"),
        ("M1 1AE", "Manchester", "United Kingdom", "UK"),
        ("sw1a 2aa", "London", "United Kingdom", "UK"),
        ("Flat 2, 10 High St, Leeds LS1 4AP", "Leeds", "United Kingdom", "UK"),
        ("Germany", None, "Germany", "EUROPE"),
        ("DE", None, "Germany", "EUROPE"),
        ("Deutschland", None, "Germany", "EUROPE"),
        ("España", None, "Spain", "EUROPE"),
        ("the Netherlands", None, "Netherlands", "EUROPE"),
        ("Europe", None, None, "EUROPE"),
        ("Scandinavia", None, None, "EUROPE"),
        ("south america", None, None, "ROW"),
    ],
)
def test_places_are_found_in_maintained_data(
    text: str, city: str | None, country: str | None, region: str | None
) -> None:
    place = read_place(text)
    assert isinstance(place, Location)
    assert (place.city, place.country, place.region) == (city, country, region)


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("Paris", "France or Texas, United States"),
        ("Perth", "Australia or United Kingdom"),
        ("Boston", "Massachusetts, United States or United Kingdom"),
        ("Valencia", "Venezuela or Spain"),
        ("Hamilton", "Canada or United Kingdom"),
    ],
)
def test_a_name_shared_across_regions_is_asked_back(text: str, options: str) -> None:
    place = read_place(text)
    assert isinstance(place, PlaceQuestion) and place.options == options


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("LS1 4AP", ("LS1 4AP", "Leeds")),
        ("my postcode is EH1 1YZ", ("EH1 1YZ", "Edinburgh")),
        ("KW1 4YT", ("KW1 4YT", None)),  # Caithness: too many towns to guess
        ("B12", ("B12", "Birmingham")),
        ("AL1 3JX", ("AL1 3JX", "St Albans")),
        ("fy1 1aa", ("FY1 1AA", "Blackpool")),
        ("TD9 7AA", ("TD9 7AA", None)),
        ("b12", None),
        ("Berlin", None),
        ("CH-8001 Zürich", None),
    ],
)
def test_uk_postcodes_say_the_country_and_the_town_when_the_area_does(
    text: str, found: tuple[str, str | None] | None
) -> None:
    assert postcode_in(text) == found


@pytest.mark.parametrize(
    ("answers", "asked", "city", "country", "region"),
    [
        (["Paris", "France"], "Paris — France or Texas, United States?", "Paris", "France",
         "EUROPE"),
        (["Paris", "Texas"], "Paris — France or Texas", "Paris", "United States", "ROW"),
        (["Perth", "Scotland"], "Perth — Australia or United Kingdom?", "Perth",
         "United Kingdom", "UK"),
        (["Perth", "the Aussie one, Australia"], "Perth — Australia", "Perth", "Australia", "ROW"),
        (["Germany", "Leipzig"], "Which city or town in Germany", "Leipzig", "Germany", "EUROPE"),
        (["Germany", "not sure"], "Which city or town in Germany", None, "Germany", "EUROPE"),
        (["Europe", "Kraków"], "Which city or town in Europe", "Kraków", "Poland", "EUROPE"),
        (["ZE1 0AA", "Lerwick"], "Which town is ZE1 0AA in?", "Lerwick", "United Kingdom", "UK"),
    ],
)  # fmt: skip
def test_the_bot_asks_back_and_keeps_what_the_client_said(
    chat: Chat, answers: list[str], asked: str, city: str | None, country: str, region: str
) -> None:
    chat.say("Hi")
    for answer in HAPPY_ANSWERS[:8]:
        chat.say(answer)
    chat.say(answers[0])
    assert asked in chat.text()
    assert "location_city" not in chat.lead.answers
    chat.say(answers[1])
    parsed = chat.lead.parsed
    assert (parsed.get("city"), parsed["country"], parsed["region"]) == (city, country, region)
    assert chat.keys() == ["question.instagram_handle"]  # the country is known: not asked


def test_a_region_word_is_not_a_city_even_after_asking(chat: Chat) -> None:
    chat.say("Hi")
    for answer in HAPPY_ANSWERS[:8]:
        chat.say(answer)
    chat.say("Europe")
    chat.say("Europe")
    assert chat.lead.parsed.get("city") is None and chat.lead.parsed["region"] == "EUROPE"
    assert chat.keys() == ["question.location_country"]


@pytest.mark.parametrize(
    ("country", "region"),
    [("Deutschland", "EUROPE"), ("Schweiz", "EUROPE"), ("Türkiye", "ROW"), ("FRA", "EUROPE")],
)
def test_native_names_and_codes_price_in_the_right_region(country: str, region: str) -> None:
    assert country_to_region(country) == region


def test_a_place_is_read_fast_once_the_data_is_loaded() -> None:
    read_place("Leeds")
    start = time.perf_counter()
    for text in ["Zürich", "Manchster", "a small village near Leeds", "Paris", "LS6 2AB"] * 20:
        read_place(text)
    per_call = (time.perf_counter() - start) / 100
    assert per_call < 0.02, f"{per_call * 1000:.1f} ms a place"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_reading_a_place_never_raises(text: str) -> None:
    place = read_place(text)
    assert place is None or isinstance(place, Location | PlaceQuestion)


def test_a_shared_name_given_as_a_correction_is_asked_back_too(chat: Chat) -> None:
    chat.to_summary()
    chat.say("city Paris")
    assert chat.keys() == ["place.which"]
    chat.say("France")
    assert chat.keys() == ["summary"] and "Location: Paris, France" in chat.text()
