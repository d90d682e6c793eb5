"""Countries by any usual name (English, official, native, common short forms) and the pricing
region each belongs to: UK, EUROPE (the EU, the EEA and Switzerland) or ROW."""

from __future__ import annotations

from consultation.places.data import country_names, key, load

UK, EUROPE, ROW = "UK", "EUROPE", "ROW"

# Names clients use that the data sets do not have: native names, nations of the UK, short forms.
_ALIASES: dict[str, str] = {
    "uk": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "cymru": "GB", "alba": "GB",
    "eire": "IE", "republic of ireland": "IE", "ireland": "IE",
    "usa": "US", "us": "US", "america": "US", "the states": "US",
    "united states of america": "US", "us of a": "US",
    "holland": "NL", "nederland": "NL", "nl": "NL", "the netherlands": "NL",
    "czech republic": "CZ", "czechia": "CZ", "cesko": "CZ", "ceska republika": "CZ",
    "deutschland": "DE", "espana": "ES", "italia": "IT", "polska": "PL", "osterreich": "AT",
    "schweiz": "CH", "suisse": "CH", "svizzera": "CH", "sverige": "SE", "norge": "NO",
    "danmark": "DK", "suomi": "FI", "belgie": "BE", "belgique": "BE", "hellas": "GR",
    "ellada": "GR", "magyarorszag": "HU", "hrvatska": "HR", "slovensko": "SK",
    "slovenija": "SI", "romania": "RO", "brasil": "BR", "turkiye": "TR",
    "uae": "AE", "emirates": "AE", "nz": "NZ", "aotearoa": "NZ", "aus": "AU",
    "south korea": "KR", "korea": "KR", "russia": "RU", "vietnam": "VN",
}  # fmt: skip
# Display names where the GeoNames one reads oddly or differs from what the studio always said.
_DISPLAY = {"CZ": "Czech Republic", "NL": "Netherlands"}
_EUROPE = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "CH", "NO", "IS", "LI",
})  # fmt: skip
# Words for a region, not a country: the region is kept and the city still asked.
_REGION_WORDS: dict[str, str] = {
    "europe": EUROPE, "eu": EUROPE, "the eu": EUROPE, "mainland europe": EUROPE,
    "the continent": EUROPE, "western europe": EUROPE, "scandinavia": EUROPE,
    "the nordics": EUROPE, "nordics": EUROPE, "benelux": EUROPE,
    "the uk": UK, "british isles": UK, "home counties": UK, "the midlands": UK,
    "the north": UK, "up north": UK, "down south": UK,
    "asia": ROW, "africa": ROW, "south america": ROW, "north america": ROW,
    "latin america": ROW, "the middle east": ROW, "middle east": ROW, "australasia": ROW,
    "oceania": ROW, "the caribbean": ROW, "caribbean": ROW, "abroad": ROW,
}  # fmt: skip


def display_name(code: str) -> str:
    return _DISPLAY.get(code) or load().countries.get(code, code)


def country_named(text: str) -> str | None:
    """The display name of the country `text` names, else None. ISO codes ("DE", "FRA") count
    only in capitals, so "in", "it" and "can" stay words."""
    stripped = text.strip(" .!?,")
    found = _ALIASES.get(key(stripped).removeprefix("the ")) or _ALIASES.get(key(stripped))
    if found is None:
        found = country_names().get(key(stripped)) or country_names().get(
            key(stripped).removeprefix("the ")
        )
    compact = stripped.replace(".", "")
    if found is None and compact.isupper() and len(compact) in (2, 3):
        found = load().codes.get(compact)
    return display_name(found) if found else None


def code_of(name: str) -> str | None:
    """The ISO alpha-2 code of a country display name (or any name `country_named` reads)."""
    found = _ALIASES.get(key(name)) or country_names().get(key(name))
    if found is None:
        compact = name.replace(".", "").strip()
        found = load().codes.get(compact) if compact.isupper() else None
    return found


def region_of(country: str | None) -> str:
    """UK, EUROPE or ROW for any spelling of a country ("U.K.", "Holland", "Czechia" ...)."""
    code = code_of(country) if country else None
    if code == "GB":
        return UK
    return EUROPE if code in _EUROPE else ROW


def region_named(text: str) -> str | None:
    """The region a region word names ("Europe", "Scandinavia", "Asia"), else None."""
    return _REGION_WORDS.get(key(text.strip(" .!?,")))
