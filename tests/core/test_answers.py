"""The small answer parsers: yes/no, cover-up, complexity, Instagram, travel city, timing, links."""

from __future__ import annotations

import pytest

from consultation.answers import (
    find_links,
    mentions_coverup,
    parse_complexity,
    parse_coverup,
    parse_instagram,
    parse_timing,
    parse_travel_city,
    parse_yes_no,
)


@pytest.mark.parametrize(
    ("text", "answer"),
    [("yes", True), ("Yes!", True), ("yep", True), ("👍", True), ("yes it is", True),
     ("no", False), ("Nope.", False), ("no, not a cover-up", False), ("maybe", None), ("", None)],
)  # fmt: skip
def test_yes_no(text: str, answer: bool | None) -> None:
    assert parse_yes_no(text) is answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("yes", True),
        ("no", False),
        ("no, not a cover-up", False),
        ("it's a cover up", True),
        ("touch-up of my old one", True),
        ("not a cover up", False),
        ("discover", None),
        ("what?", None),
    ],
)
def test_coverup_answer(text: str, answer: bool | None) -> None:
    assert parse_coverup(text) is answer


@pytest.mark.parametrize("text", ["discover", "coverage", "recover", "ideal"])
def test_words_containing_cover_are_not_a_coverup_mention(text: str) -> None:
    assert not mentions_coverup(text)


@pytest.mark.parametrize(
    ("text", "level"),
    [("1", 1), ("2) medium", 2), ("3", 3), ("complexity_3", 3), ("option 2", 2),
     ("simple", 1), ("Simple linework", 1), ("Medium detail", 2), ("realism", 3),
     ("High detail / realism", 3), ("whatever", None), ("12", None), ("", None)],
)  # fmt: skip
def test_complexity(text: str, level: int | None) -> None:
    assert parse_complexity(text) == level


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        ("@ink.by.sam", "ink.by.sam"),
        ("ink.by.sam", "ink.by.sam"),
        ("https://www.instagram.com/ink.by.sam/", "ink.by.sam"),
        ("my insta is @bob_1", "bob_1"),
        ("no", None),
        ("none", None),
        ("Nope", None),
        ("I don't have one", None),
        ("n/a", None),
    ],
)
def test_instagram_handle(text: str, handle: str | None) -> None:
    assert parse_instagram(text) == handle


@pytest.mark.parametrize("text", ["same", "Same city", "none", "no", "n/a", "N/A", "idk"])
def test_travel_city_same_or_none_means_no_separate_city(text: str) -> None:
    assert parse_travel_city(text) is None


def test_travel_city_names_a_place() -> None:
    location = parse_travel_city("Berlin")
    assert location is not None and (location.city, location.country) == ("Berlin", "Germany")


@pytest.mark.parametrize(
    ("text", "timing"),
    [("Next 2-4 weeks", "Next 2-4 weeks"), ("asap", "Next 2-4 weeks"), ("1-2 months", "1-2 months"),
     ("next month", "1-2 months"), ("whenever", "Flexible"), ("in the summer", "in the summer"),
     ("", None)],
)  # fmt: skip
def test_timing_maps_to_an_option_or_keeps_their_words(text: str, timing: str | None) -> None:
    assert parse_timing(text) == timing


def test_links_are_found_once_each_in_order() -> None:
    text = "see https://pin.it/abc and instagram.com/p/xyz, https://pin.it/abc"
    assert find_links(text) == ["https://pin.it/abc", "instagram.com/p/xyz"]
