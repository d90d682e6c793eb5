"""Cities by name (GeoNames, 15,000 people or more), with typo matching for big ones and the
choice between cities of one name ("Paris — France or Texas?")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from consultation.places.countries import UK, display_name, region_of
from consultation.places.data import CityRow, key, load

# Short forms clients use for big cities.
_NICKNAMES: dict[str, tuple[str, str]] = {
    "nyc": ("New York City", "US"), "ny": ("New York City", "US"),
    "new york": ("New York City", "US"), "la": ("Los Angeles", "US"),
    "sf": ("San Francisco", "US"), "ldn": ("London", "GB"), "manc": ("Manchester", "GB"),
    "brum": ("Birmingham", "GB"), "edi": ("Edinburgh", "GB"), "glesga": ("Glasgow", "GB"),
    "the big apple": ("New York City", "US"), "cdmx": ("Mexico City", "MX"),
}  # fmt: skip
# A city of another region this many times smaller than the biggest of its name still makes
# the name ambiguous: Paris, Texas (25,000) against Paris, France (2.1 million) is asked back.
_RIVAL_SHARE = 0.01
# A name whose biggest city is in the artist's home region is that one (London, not Ontario).
HOME_REGION = UK
_TYPO_SCORE = 88
_SCAN_FROM = 100_000  # cities found inside a sentence ("a village near Leeds") are big ones
_WORD_RUN = re.compile(r"[^\W\d_][\w'.-]*(?: [^\W\d_][\w'.-]*){0,3}")


@dataclass(frozen=True)
class City:
    name: str
    country: str  # display name
    region: str
    state: str = ""  # for US cities: "Texas"
    population: int = 0
    timezone: str = ""  # IANA zone, e.g. "Europe/Berlin"

    @property
    def where(self) -> str:
        """ "France", or "Texas, United States": enough to tell cities of one name apart."""
        return f"{self.state}, {self.country}" if self.state else self.country


def _city(row: CityRow) -> City:
    country = display_name(row.country)
    state = load().us_states.get(row.admin1, "") if row.country == "US" else ""
    return City(row.name, country, region_of(country), state, row.population, row.timezone)


def cities_named(text: str, country: str | None = None) -> list[City]:
    """The cities `text` names, in `country` when given, that a client could mean: one when the
    name is clear, several when it must be asked back, none when it is no city we know."""
    name = key(text)
    if name in _NICKNAMES and not country:
        city, code = _NICKNAMES[name]
        named = [r for r in load().cities.get(key(city), ()) if r.country == code]
        return [_city(named[0])] if named else []
    rows = load().cities.get(name, ())
    found = [_city(row) for row in rows]
    if country:
        return [c for c in found if c.country == country][:1]
    return _distinct(found)


def _distinct(found: list[City]) -> list[City]:
    if len(found) <= 1:
        return found
    top = found[0]
    if top.region == HOME_REGION:
        return [top]
    rivals = [
        c
        for c in found[1:]
        if c.region != top.region and c.population >= top.population * _RIVAL_SHARE
    ]
    choices = [top]
    for city in rivals:
        if all(city.where != seen.where for seen in choices):
            choices.append(city)
    return choices[:3]


def likely_city(text: str) -> City | None:
    """A big city `text` names with a typo ("Manchster", "Barcelonna"), else None."""
    name = key(text)
    if len(name) < 5 or len(name.split()) > 2:
        return None
    found = process.extractOne(
        name, load().big_city_keys, scorer=fuzz.ratio, score_cutoff=_TYPO_SCORE
    )
    if found is None or found[0][0] != name[0]:
        return None  # typos keep the first letter: "Teresina" is not "the us one"
    choices = cities_named(found[0])
    return choices[0] if len(choices) == 1 else None


def city_in_text(text: str) -> list[City]:
    """A big city named inside a longer answer ("a small village near Leeds"): the last one, the
    longest name first."""
    words = text.split()
    for end in range(len(words), 0, -1):
        for size in (3, 2, 1):
            if end - size < 0:
                continue
            phrase = " ".join(words[end - size : end]).strip(" ,.!?")
            rows = load().cities.get(key(phrase), ())
            if rows and rows[0].population >= _SCAN_FROM and phrase[:1].isalpha():
                return _distinct([_city(row) for row in rows])
    return []
