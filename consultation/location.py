"""Reading where the client is: city and/or country, and the pricing region (UK, EUROPE, ROW),
from maintained place data (`consultation.places`). A name shared by cities in different regions
is asked back, never guessed; a country, a region word or a postcode keeps what it says and the
city is still asked."""

from __future__ import annotations

import re
from dataclasses import dataclass

from consultation.places import (
    EUROPE,
    ROW,
    UK,
    City,
    cities_named,
    city_in_text,
    country_named,
    likely_city,
    postcode_in,
    region_named,
    region_of,
)
from consultation.text import bare, normalize

__all__ = ["EUROPE", "ROW", "UK", "Location", "PlaceQuestion", "read_place"]

# Answers that name no place. Matched against the whole answer, never as a substring: the
# reference's substring "any" rejected "Germany" and "Albany".
_NOWHERE = re.compile(
    r"^(?:i'?m |i am )?(?:idk|dunno|not sure|unsure|no idea|anywhere|flexible|wherever|any|"
    r"n/?a|none|no|nope|nah|nowhere|whatever|skip|same|tbc|tbd|"
    r"(?:it )?doesn'?t matter|(?:i )?don'?t (?:know|care|mind))"
    r"(?: (?:really|tbh|honestly|yet|lol|sorry))?$"
)
_PREFIX = re.compile(
    r"^(?:(?:i|we)(?:'m|'re| am| are)? |im )?(?:currently |now )?"
    r"(?:live |living |based |located |staying |from |in |near |around )+",
    re.IGNORECASE,
)
_MAX_CITY_WORDS = 5


@dataclass(frozen=True)
class Location:
    city: str | None
    country: str | None
    # A region said without a country ("Europe"): kept so the price is right even before the
    # city is known.
    region_word: str | None = None

    @property
    def region(self) -> str | None:
        return country_to_region(self.country) if self.country else self.region_word


@dataclass(frozen=True)
class PlaceQuestion:
    """A city name several places share, in different regions: which one is asked back."""

    city: str
    choices: tuple[City, ...]  # at least two

    @property
    def options(self) -> str:
        """ "France or Texas, United States" """
        places = [c.where for c in self.choices]
        return places[0] if len(places) == 1 else f"{', '.join(places[:-1])} or {places[-1]}"


def canonical_country(text: str) -> str | None:
    """The display name of a country known by any of its usual names, else None."""
    return country_named(text)


def country_to_region(country: object) -> str:
    """UK, EUROPE or ROW for any spelling of a country ("U.K.", "Holland", "Czechia" ...)."""
    # "England, UK" names the country twice; any part we know decides.
    for part in reversed(normalize(country).split(",")):
        found = country_named(part)
        if found:
            return region_of(found)
    return ROW


def is_nowhere(text: object) -> bool:
    """True when the answer names no place at all ("idk", "anywhere", "not sure")."""
    return bool(_NOWHERE.match(bare(text)))


def _display(name: str) -> str:
    """Tidy casing for a typed place name, keeping deliberate mixed case ("McAllen")."""
    return name.title() if name.islower() or name.isupper() else name


def _plausible_place(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text)
    return letters >= 2 and len(text) <= 60 and len(text.split()) <= _MAX_CITY_WORDS


def _split_country(parts: list[str]) -> tuple[list[str], str | None]:
    """The parts left once the country is taken out: "Berlin, Germany", "Berlin Germany"."""
    for index in range(len(parts) - 1, -1, -1):
        country = country_named(parts[index])
        if country:
            return parts[:index] + parts[index + 1 :], country
    if len(parts) == 1:
        words = parts[0].split()
        for size in (3, 2, 1):  # "Berlin Germany", "New York United States"
            if len(words) > size and (found := country_named(" ".join(words[-size:]))):
                return [" ".join(words[:-size])], found
    return parts, None


def read_place(text: object) -> Location | PlaceQuestion | None:
    """City and/or country from "Leeds", "Berlin, Germany", "Zürich", "NYC", "LS1 4AP", "I live
    in Leeds, UK" or a pasted address; a `PlaceQuestion` for a shared name ("Paris"); None when
    the answer names no place. Never raises."""
    cleaned = _PREFIX.sub("", normalize(text).strip(" .!?")).strip()
    if not cleaned or is_nowhere(cleaned):
        return None
    if region := region_named(cleaned):  # "South America" is not a city in America
        return Location(None, None, region)
    postcode = postcode_in(cleaned)
    if postcode:
        cleaned = cleaned.replace(postcode[0], " ").replace(postcode[0].lower(), " ")
    parts = [p.strip() for p in re.split(r"[,;/\n]| - ", cleaned) if p.strip(" .")]
    parts, country = _split_country(parts)
    if postcode and country in (None, "United Kingdom"):
        country = "United Kingdom"
    region = None
    for part in parts:
        found = cities_named(part, country)
        if not found and not country and (region := region_named(part)):
            continue
        if not found:
            found = [] if country else [c for c in [likely_city(part)] if c]
        if len(found) > 1:
            return PlaceQuestion(found[0].name, tuple(found))
        if found:
            return Location(found[0].name, found[0].country)
    if region:
        return Location(None, None, region)
    if parts and not country:
        scanned = city_in_text(" ".join(parts))
        if len(scanned) > 1:
            return PlaceQuestion(scanned[0].name, tuple(scanned))
        if scanned:
            return Location(scanned[0].name, scanned[0].country)
    if postcode and postcode[1]:
        return Location(postcode[1], "United Kingdom")
    city = parts[0] if parts and _plausible_place(parts[0]) and not postcode else None
    if city and (is_nowhere(city) or region_named(city)):
        city = None
    if city is None and country is None:
        return None
    return Location(_display(city) if city else None, country)


def parse_location(text: object) -> Location | None:
    """`read_place`, with a shared name read as its biggest city: for answers where asking back
    is not worth it (the travel city, a tour match)."""
    place = read_place(text)
    if isinstance(place, PlaceQuestion):
        top = place.choices[0]
        return Location(top.name, top.country)
    return place


def parse_country(text: object) -> str | None:
    """A country answer: its display name when known, else the typed name (any country we do
    not list is still a country, priced as ROW). None when it names nothing."""
    cleaned = _PREFIX.sub("", normalize(text).strip(" .!?")).strip()
    if not cleaned or is_nowhere(cleaned):
        return None
    known = country_named(cleaned)
    if known:
        return known
    location = parse_location(cleaned)
    if location and location.country:
        return location.country
    return _display(cleaned) if _plausible_place(cleaned) else None
