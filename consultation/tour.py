"""Where the session would happen: the studio, a city on the artist's tour, or an offer of the
best upcoming tour stop when the client's city is neither (reference §8, fixing §29.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from consultation.lead import TourStop
from consultation.location import canonical_country
from consultation.text import fold

_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class Venue:
    """The outcome: `stop` is the tour stop the session is in (on_tour) or offered (offer)."""

    kind: str  # studio | on_tour | offer
    stop: TourStop | None = None


def parse_day(iso: str) -> date | None:
    try:
        return date.fromisoformat(iso[:10])
    except ValueError:
        return None  # a mistyped stop in the configuration must not stop the conversation


def upcoming(stops: list[TourStop], today: date) -> list[TourStop]:
    """Stops not yet over (in progress or still to come), soonest first."""
    live = [s for s in stops if (end := parse_day(s.end)) is not None and end >= today]
    return sorted(live, key=lambda s: s.start)


def _same_country(a: str | None, b: str | None) -> bool:
    """Countries compare by canonical name, so "UK" matches "United Kingdom"."""
    if not a or not b:
        return False
    return (canonical_country(a) or fold(a)) == (canonical_country(b) or fold(b))


def choose_venue(
    city: str | None, country: str | None, studio_city: str, stops: list[TourStop], today: date
) -> Venue:
    live = upcoming(stops, today)
    if city and fold(city) == fold(studio_city):
        return Venue("studio")
    for stop in live:
        same_city = city is not None and fold(stop.city) == fold(city)
        if same_city and (not country or _same_country(stop.country, country)):
            return Venue("on_tour", stop)
    if live:
        # Same country first (a shorter trip), then the soonest.
        best = min(live, key=lambda s: (not _same_country(s.country, country), s.start))
        return Venue("offer", best)
    return Venue("studio")


def dates_text(stop: TourStop) -> str:
    """ "3 June 2025", "3–7 June 2025" or "28 June – 2 July 2025"."""
    start, end = parse_day(stop.start), parse_day(stop.end)
    if start is None or end is None:
        return f"{stop.start} – {stop.end}"
    if start == end:
        return f"{start.day} {_MONTHS[start.month - 1]} {start.year}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {_MONTHS[end.month - 1]} {end.year}"
    first = f"{start.day} {_MONTHS[start.month - 1]}"
    if start.year != end.year:
        first += f" {start.year}"
    return f"{first} – {end.day} {_MONTHS[end.month - 1]} {end.year}"
