"""Reading where the client is: city and/or country, and the pricing region (UK, EUROPE, ROW)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from consultation.text import bare, normalize

UK, EUROPE, ROW = "UK", "EUROPE", "ROW"

_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "United Kingdom": ("uk", "united kingdom", "great britain", "britain", "gb", "gbr",
                       "england", "scotland", "wales", "northern ireland"),
    "Ireland": ("ireland", "eire", "republic of ireland"),
    "United States": ("usa", "us", "united states", "united states of america", "america",
                      "the states"),
    "Netherlands": ("netherlands", "holland", "nl"),
    "Czech Republic": ("czech republic", "czechia"),
    "Germany": ("germany", "deutschland"),
    "Spain": ("spain", "españa", "espana"),
    "Italy": ("italy", "italia"),
    "United Arab Emirates": ("uae", "united arab emirates"),
    "New Zealand": ("new zealand", "nz"),
    "South Africa": ("south africa",),
}  # fmt: skip
_PLAIN_COUNTRIES = (
    "Austria", "Belgium", "Bulgaria", "Croatia", "Cyprus", "Denmark", "Estonia", "Finland",
    "France", "Greece", "Hungary", "Latvia", "Lithuania", "Luxembourg", "Malta", "Poland",
    "Portugal", "Romania", "Slovakia", "Slovenia", "Sweden", "Switzerland", "Norway", "Iceland",
    "Liechtenstein", "Canada", "Australia", "Mexico", "Brazil", "Argentina", "Japan", "China",
    "India", "Singapore", "Thailand", "Turkey", "Israel", "Ukraine", "Serbia", "Albania",
)  # fmt: skip
_COUNTRIES: dict[str, str] = {
    alias: name for name, aliases in _COUNTRY_ALIASES.items() for alias in aliases
} | {name.lower(): name for name in _PLAIN_COUNTRIES}

_EUROPE = frozenset({
    "Austria", "Belgium", "Bulgaria", "Croatia", "Cyprus", "Czech Republic", "Denmark",
    "Estonia", "Finland", "France", "Germany", "Greece", "Hungary", "Ireland", "Italy", "Latvia",
    "Lithuania", "Luxembourg", "Malta", "Netherlands", "Poland", "Portugal", "Romania",
    "Slovakia", "Slovenia", "Spain", "Sweden", "Switzerland", "Norway", "Iceland",
    "Liechtenstein",
})  # fmt: skip

_CITIES: dict[str, tuple[str, str]] = {
    city.lower(): (city, country)
    for country, cities in {
        "United Kingdom": "London, Manchester, Birmingham, Glasgow, Edinburgh, Liverpool, "
        "Bristol, Leeds, Sheffield, Cardiff, Newcastle, Nottingham, Leicester, Brighton, "
        "Southampton, Portsmouth, Belfast, Aberdeen, Dundee, Oxford, Cambridge, York, Coventry, "
        "Norwich, Exeter, Plymouth, Swansea",
        "Ireland": "Dublin, Cork, Galway",
        "France": "Paris, Lyon, Marseille",
        "Germany": "Berlin, Munich, Hamburg, Cologne, Frankfurt",
        "Spain": "Madrid, Barcelona, Valencia, Seville",
        "Italy": "Rome, Milan, Florence, Naples",
        "Netherlands": "Amsterdam, Rotterdam, Utrecht",
        "Belgium": "Brussels, Antwerp",
        "Switzerland": "Zurich, Geneva",
        "Austria": "Vienna",
        "Portugal": "Lisbon, Porto",
        "Greece": "Athens",
        "Poland": "Warsaw, Krakow",
        "Czech Republic": "Prague",
        "Hungary": "Budapest",
        "Sweden": "Stockholm",
        "Norway": "Oslo",
        "Denmark": "Copenhagen",
        "Finland": "Helsinki",
        "United States": "New York, Los Angeles, Chicago, San Francisco, Miami, Boston, Seattle",
        "Canada": "Toronto, Vancouver, Montreal",
        "Australia": "Sydney, Melbourne, Brisbane, Perth",
        "New Zealand": "Auckland",
        "Japan": "Tokyo",
        "United Arab Emirates": "Dubai",
    }.items()
    for city in cities.split(", ")
}
# Longest first, so "new york" wins over a shorter name inside it.
_CITY_SCAN = re.compile(
    r"\b(" + "|".join(re.escape(c) for c in sorted(_CITIES, key=len, reverse=True)) + r")\b"
)

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

    @property
    def region(self) -> str | None:
        return country_to_region(self.country) if self.country else None


def _key(text: str) -> str:
    return re.sub(r"^the ", "", bare(text).replace(".", ""))


def canonical_country(text: str) -> str | None:
    """The canonical name of a country we know by any of its usual names, else None."""
    return _COUNTRIES.get(_key(text))


def country_to_region(country: object) -> str:
    """UK, EUROPE or ROW for any spelling of a country ("U.K.", "Holland", "Czechia" ...)."""
    # "England, UK" names the country twice; any part we know decides.
    parts = reversed(normalize(country).split(","))
    name = next((found for part in parts if (found := canonical_country(part))), None)
    if name == "United Kingdom":
        return UK
    return EUROPE if name in _EUROPE else ROW


def is_nowhere(text: object) -> bool:
    """True when the answer names no place at all ("idk", "anywhere", "not sure")."""
    return bool(_NOWHERE.match(bare(text)))


def _display(name: str) -> str:
    """Tidy casing for a typed place name, keeping deliberate mixed case ("McAllen")."""
    return name.title() if name.islower() or name.isupper() else name


def _plausible_place(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text)
    return letters >= 2 and len(text) <= 60 and len(text.split()) <= _MAX_CITY_WORDS


def parse_location(text: object) -> Location | None:
    """City and/or country from "Leeds", "Berlin, Germany", "Berlin Germany", "Germany",
    "I live in Leeds, UK" or a pasted address. None when the answer names no place."""
    cleaned = normalize(text).strip(" .!?")
    cleaned = _PREFIX.sub("", cleaned).strip()
    if not cleaned or is_nowhere(cleaned):
        return None
    parts = [p.strip() for p in re.split(r"[,;/\n]| - ", cleaned) if p.strip(" .")]
    country = None
    for index in range(len(parts) - 1, -1, -1):
        country = canonical_country(parts[index])
        if country:
            parts.pop(index)
            break
    if country is None and len(parts) == 1:
        words = parts[0].split()
        for size in (3, 2, 1):  # "Berlin Germany", "New York United States"
            if len(words) > size and (found := canonical_country(" ".join(words[-size:]))):
                country, parts = found, [" ".join(words[:-size])]
                break
    city = None
    for part in parts:
        if (known := _CITIES.get(_key(part))) is not None:
            city, country = known[0], country or known[1]
            break
    else:
        scan = _CITY_SCAN.search(" ".join(parts).lower())
        if scan:
            city, known_country = _CITIES[scan.group(1)]
            country = country or known_country
        elif parts and _plausible_place(parts[0]) and not is_nowhere(parts[0]):
            city = _display(parts[0])
    if city is None and country is None:
        return None
    return Location(city, country)


def parse_country(text: object) -> str | None:
    """A country answer: its canonical name when known, else the typed name (any country we do
    not list is still a country, priced as ROW). None when it names nothing."""
    cleaned = _PREFIX.sub("", normalize(text).strip(" .!?")).strip()
    if not cleaned or is_nowhere(cleaned):
        return None
    known = canonical_country(cleaned)
    if known:
        return known
    location = parse_location(cleaned)
    if location and location.country:
        return location.country
    return _display(cleaned) if _plausible_place(cleaned) else None
