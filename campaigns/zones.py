"""Sending at a local hour: each recipient's time zone from what we know of them, and the instant
that hour next comes for them. Where they told us they live (the lead's city and country) comes
first; then their WhatsApp number's country code (`phonenumbers`' time-zone data); then the
artist's own zone. Pure: GeoNames and the phone data are packaged files."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_zones

from consultation.places import cities_named
from consultation.places.countries import code_of
from consultation.places.data import load

UNKNOWN = "Etc/Unknown"  # phonenumbers' answer for a number it cannot place


def _valid(zone: str) -> bool:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _from_number(wa_id: str) -> str:
    """The zone of a WhatsApp number: the one its prefix names, or its country's likeliest
    (the zone of its most populous city) when the prefix spans several."""
    try:
        number = phonenumbers.parse("+" + wa_id.lstrip("+"))
    except phonenumbers.NumberParseException:
        return ""
    zones = [z for z in phone_zones.time_zones_for_number(number) if z != UNKNOWN]
    if len(zones) == 1:
        return zones[0]
    country = phonenumbers.region_code_for_number(number) or ""
    likeliest = load().zones.get(country, "")
    return likeliest if likeliest and (not zones or likeliest in zones) else (zones or [""])[0]


def zone_of(city: str | None, country: str | None, wa_id: str | None, fallback: str) -> str:
    """The recipient's IANA time zone."""
    if city:
        named = cities_named(city, country or None)
        if len(named) == 1 and named[0].timezone:
            return named[0].timezone
    if country:
        code = code_of(country)
        if code and (zone := load().zones.get(code)):
            return zone
    if wa_id and (zone := _from_number(wa_id)) and _valid(zone):
        return zone
    return fallback


def local_send_at(earliest: datetime, hour: int, zone: str) -> datetime:
    """The first instant at or after `earliest` (aware) when it is `hour`:00 in `zone`. On a day
    whose `hour` the clocks skip, the instant they jump."""
    place = ZoneInfo(zone)
    local = earliest.astimezone(place)
    day = local.date()
    for _ in range(3):
        wall = datetime.combine(day, time(hour), tzinfo=place)
        # Round trip through UTC: a wall time in a spring-forward gap comes back an hour on.
        instant = wall.astimezone(ZoneInfo("UTC"))
        if instant >= earliest:
            return instant
        day += timedelta(days=1)
    raise AssertionError("unreachable: the next day's hour is always later")


@dataclass(frozen=True)
class Group:
    """Recipients whose local hour comes at the same instant."""

    at: datetime  # UTC
    count: int
    zones: tuple[str, ...]


def groups(sends: list[tuple[str, datetime]]) -> list[Group]:
    """(zone, instant) per recipient → the send groups, earliest first."""
    counts = Counter(at for _, at in sends)
    zones: dict[datetime, set[str]] = {}
    for zone, at in sends:
        zones.setdefault(at, set()).add(zone)
    return [Group(at, counts[at], tuple(sorted(zones[at]))) for at in sorted(counts)]
