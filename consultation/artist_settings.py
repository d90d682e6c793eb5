"""The artist's own settings: who and where they are, their prices, hours and tours. Saved from
the studio as numbered versions; each lead takes the version in force when it starts (through an
activity) and keeps it in its policy (`apply`), so a later save changes the next lead only.

Pure: built from and turned back into plain JSON (`from_mapping` / `to_mapping`), validated as a
whole so the studio can show every mistake at once (`SettingsInvalid`), compared for the audit
page (`changes`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from consultation.calendar_rules import WEEKDAYS, Rules, parse_hours
from consultation.lead import Policy, TourStop
from consultation.money import CURRENCIES, format_money
from consultation.prices import CATEGORIES, LARGE, MEDIUM, REGIONS, SMALL, XL, Prices
from consultation.tour import dates_text

DAY_NAMES = dict(zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                "Saturday", "Sunday"), strict=True))  # fmt: skip
SIZE_NAMES = {SMALL: "small", MEDIUM: "medium", LARGE: "large", XL: "extra large"}
REGION_NAMES = {"UK": "UK", "EUROPE": "Europe", "ROW": "rest of the world"}
# Stripe holds a Checkout Session 30 min to 24 h; our hold lives as long as its link.
HOLD_MINUTES = (30, 23 * 60)


class SettingsInvalid(ValueError):
    """Everything wrong with a set of settings, by field name, in words for the artist."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {text}" for name, text in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class ArtistSettings:
    artist_name: str
    studio_name: str
    studio_address: str
    studio_city: str
    prices: Prices
    rules: Rules  # time zone, working hours and breaks, buffers, notice, sessions, holidays
    hold_minutes: int
    reschedule_notice_hours: int
    free_moves: int
    appointment_reminder_hours: tuple[int, ...]  # before the appointment
    reminder_1_hours: int  # after the client's last message, while qualifying
    reminder_2_hours: int
    tour: tuple[TourStop, ...] = field(default=())

    @property
    def currency(self) -> str:
        return self.prices.currency

    def to_mapping(self) -> dict[str, Any]:
        """Plain JSON, as stored with each version: `from_mapping(s.to_mapping()) == s`."""
        return {
            "artist_name": self.artist_name,
            "studio_name": self.studio_name,
            "studio_address": self.studio_address,
            "studio_city": self.studio_city,
            "prices": asdict(self.prices),
            "rules": self.rules.to_mapping(),
            "hold_minutes": self.hold_minutes,
            "reschedule_notice_hours": self.reschedule_notice_hours,
            "free_moves": self.free_moves,
            "appointment_reminder_hours": list(self.appointment_reminder_hours),
            "reminder_1_hours": self.reminder_1_hours,
            "reminder_2_hours": self.reminder_2_hours,
            "tour": [asdict(stop) for stop in sorted(self.tour, key=lambda s: s.start)],
        }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ArtistSettings:
        """Validated settings from `to_mapping`'s shape; raises SettingsInvalid with every
        problem found."""
        errors: dict[str, str] = {}
        names = {key: str(data.get(key) or "").strip() for key in
                 ("artist_name", "studio_name", "studio_address", "studio_city")}  # fmt: skip
        for key in ("artist_name", "studio_city"):
            if not names[key]:
                errors[key] = "This cannot be empty."
        prices = _prices(data.get("prices") or {}, errors)
        rules = _rules(data.get("rules") or {}, errors)
        numbers = {
            key: _whole(data.get(key), key, errors)
            for key in ("hold_minutes", "reschedule_notice_hours", "free_moves",
                        "reminder_1_hours", "reminder_2_hours")
        }  # fmt: skip
        low, high = HOLD_MINUTES
        if not low <= numbers["hold_minutes"] <= high:
            errors["hold_minutes"] = f"A slot is held between {low} and {high} minutes."
        if numbers["reminder_1_hours"] <= 0 or numbers["reminder_2_hours"] <= 0:
            errors["reminder_1_hours"] = "Reminders come after at least an hour."
        elif numbers["reminder_2_hours"] <= numbers["reminder_1_hours"]:
            errors["reminder_2_hours"] = "The second reminder must come after the first."
        reminders = tuple(
            _whole(h, "appointment_reminder_hours", errors)
            for h in data.get("appointment_reminder_hours") or ()
        )
        if any(h <= 0 for h in reminders):
            errors["appointment_reminder_hours"] = "Give whole hours before the appointment."
        tour = _tour(data.get("tour") or (), errors)
        if errors or prices is None or rules is None:
            raise SettingsInvalid(errors)
        return cls(
            artist_name=names["artist_name"],
            studio_name=names["studio_name"],
            studio_address=names["studio_address"],
            studio_city=names["studio_city"],
            prices=prices,
            rules=rules,
            hold_minutes=numbers["hold_minutes"],
            reschedule_notice_hours=numbers["reschedule_notice_hours"],
            free_moves=numbers["free_moves"],
            appointment_reminder_hours=tuple(sorted(set(reminders), reverse=True)),
            reminder_1_hours=numbers["reminder_1_hours"],
            reminder_2_hours=numbers["reminder_2_hours"],
            tour=tour,
        )

    def apply(self, policy: Policy, version: int) -> Policy:
        """The lead's policy with this version's decisions in it (what the run keeps)."""
        return replace(
            policy,
            artist_name=self.artist_name,
            studio_city=self.studio_city,
            studio_address=self.studio_address,
            tour=list(self.tour),
            hold_minutes=self.hold_minutes,
            reschedule_notice_hours=self.reschedule_notice_hours,
            free_moves=self.free_moves,
            appointment_reminder_hours=self.appointment_reminder_hours,
            reminder_1_hours=self.reminder_1_hours,
            reminder_2_hours=self.reminder_2_hours,
            settings_version=version,
            prices=self.prices,
            rules=self.rules.to_mapping(),
        )


# -- validation of the parts -----------------------------------------------------------------


def _whole(value: object, key: str, errors: dict[str, str]) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        errors[key] = "Give a whole number."
        return 0
    if number < 0:
        errors[key] = "This cannot be negative."
    return number


def _prices(data: Mapping[str, Any], errors: dict[str, str]) -> Prices | None:
    currency = str(data.get("currency") or "").upper()
    if currency not in CURRENCIES:
        errors["currency"] = f"Choose one of {', '.join(CURRENCIES)}."

    def amounts(key: str, keys: tuple[str, ...]) -> dict[str, int]:
        given = data.get(key) or {}
        found = {k: given.get(k) for k in keys}
        if any(not isinstance(v, int) or v <= 0 for v in found.values()):
            errors[key] = "Every amount must be more than zero."
            return {}
        return {k: int(v) for k, v in found.items() if v is not None}

    deposits = amounts("deposits", (SMALL, MEDIUM, LARGE))
    minimums, rates = amounts("minimums", REGIONS), amounts("hourly_rates", REGIONS)
    per_day = data.get("xl_deposit_per_day")
    if not isinstance(per_day, int) or per_day <= 0:
        errors["xl_deposit_per_day"] = "Every amount must be more than zero."
        return None
    if currency not in CURRENCIES or not (deposits and minimums and rates):
        return None
    return Prices(currency, deposits, per_day, minimums, rates)


def _rules(data: Mapping[str, Any], errors: dict[str, str]) -> Rules | None:
    hours = data.get("working_hours") or {}
    for day in WEEKDAYS:
        try:
            ranges = parse_hours(hours.get(day) or ())
        except ValueError:
            errors[f"hours_{day}"] = f"{DAY_NAMES[day]}: write hours as 10:00-13:00, 14:00-18:00."
            continue
        ends = [moment for opening in ranges for moment in opening]
        if ends != sorted(ends) or any(start >= end for start, end in ranges):
            errors[f"hours_{day}"] = (
                f"{DAY_NAMES[day]}: each range must end after it starts, in order, "
                "without overlapping (a gap between two ranges is a break)."
            )
    try:
        ZoneInfo(str(data.get("timezone") or ""))
    except (ValueError, ZoneInfoNotFoundError):
        errors["timezone"] = "Choose a time zone such as Europe/London."
    for key, words in (("buffer_minutes", "The buffer"), ("minimum_notice_hours", "The notice"),
                       ("lookahead_days", "The look-ahead")):  # fmt: skip
        value = data.get(key)
        if not isinstance(value, int) or value < 0 or (key == "lookahead_days" and value < 1):
            errors[key] = f"{words} must be a whole number" + (
                " of at least 1." if key == "lookahead_days" else " (0 or more)."
            )
    sessions = data.get("session_minutes") or {}
    if any(not isinstance(sessions.get(c), int) or sessions[c] <= 0 for c in CATEGORIES):
        errors["session_minutes"] = "Give every size a session length in minutes."
    for day in data.get("closed_days") or ():
        try:
            date.fromisoformat(str(day))
        except ValueError:
            errors["closed_days"] = f"{day} is not a date (write 2027-12-25)."
    checked = ("timezone", "session_minutes", "closed_days", "buffer_minutes",
               "minimum_notice_hours", "lookahead_days")  # fmt: skip
    if any(key in errors for key in checked) or any(key.startswith("hours_") for key in errors):
        return None
    try:
        return Rules.from_mapping(data)
    except (KeyError, TypeError, ValueError) as error:
        errors["rules"] = f"The booking rules are not valid: {error}"
        return None


def _tour(stops: object, errors: dict[str, str]) -> tuple[TourStop, ...]:
    parsed: list[TourStop] = []
    for given in stops if isinstance(stops, list | tuple) else ():
        stop = given if isinstance(given, TourStop) else TourStop(**given)
        name = stop.city or "A stop"
        try:
            start, end = date.fromisoformat(stop.start), date.fromisoformat(stop.end)
        except ValueError:
            errors["tour"] = f"{name}: give the first and last day as dates."
            continue
        if not stop.city.strip() or not stop.country.strip():
            errors["tour"] = "Every stop needs a city and a country."
        elif end < start:
            errors["tour"] = f"{name}: the last day is before the first."
        elif stop.timezone and not _zone_known(stop.timezone):
            errors["tour"] = f"{name}: unknown time zone {stop.timezone!r}."
        parsed.append(stop)
    ordered = sorted(parsed, key=lambda s: s.start)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.start <= before.end and "tour" not in errors:
            errors["tour"] = (
                f"{before.city} ({dates_text(before)}) overlaps {after.city} "
                f"({dates_text(after)}): the artist can be in one place at a time."
            )
    return tuple(ordered)


def _zone_known(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return False
    return True


# -- the audit page's readable diff ----------------------------------------------------------


def changes(before: ArtistSettings | None, after: ArtistSettings) -> list[str]:
    """What a save changed, one line per setting, in the artist's words."""
    if before is None:
        return ["First settings (the defaults this install started with)."]
    old, new = _described(before), _described(after)
    lines = [
        f"{label}: {old.get(label, '—')} → {new.get(label, '—')}"
        for label in dict.fromkeys([*old, *new])
        if old.get(label) != new.get(label) and not label.startswith("Tour stop")
    ]
    old_stops, new_stops = _stops(before), _stops(after)
    lines += [f"Tour stop removed: {stop}" for stop in old_stops if stop not in new_stops]
    lines += [f"Tour stop added: {stop}" for stop in new_stops if stop not in old_stops]
    return lines or ["Saved without changes."]


def _stops(settings: ArtistSettings) -> list[str]:
    return [
        f"{s.city}, {s.country}, {dates_text(s)}" + (f" ({s.timezone})" if s.timezone else "")
        for s in settings.tour
    ]


def _described(s: ArtistSettings) -> dict[str, str]:
    """Every setting as a label and its value as text."""
    money = s.prices.currency

    def amount(minor: int) -> str:
        return format_money(minor, money)

    rules = s.rules
    described = {
        "Artist name": s.artist_name,
        "Studio name": s.studio_name,
        "Studio address": s.studio_address,
        "Studio city": s.studio_city,
        "Currency": money,
        "Time zone": rules.timezone,
        **{f"Deposit, {SIZE_NAMES[c]}": amount(v) for c, v in s.prices.deposits.items()},
        "Deposit per day, extra large": amount(s.prices.xl_deposit_per_day),
        **{f"Minimum budget, {REGION_NAMES[r]}": amount(v) for r, v in s.prices.minimums.items()},
        **{f"Hourly rate, {REGION_NAMES[r]}": amount(v) for r, v in s.prices.hourly_rates.items()},
        **{
            f"Hours, {DAY_NAMES[name]}": hours_text(rules.working_hours.get(index, ()))
            for index, name in enumerate(WEEKDAYS)
        },
        "Buffer between sessions": f"{rules.buffer_minutes} min",
        "Minimum notice": f"{rules.minimum_notice_hours} h",
        "Look-ahead": f"{rules.lookahead_days} days",
        **{
            f"Session, {SIZE_NAMES[c]}": f"{rules.session_minutes[c]} min"
            for c in CATEGORIES
            if c in rules.session_minutes
        },
        "Closed days": ", ".join(sorted(map(str, rules.closed_days))) or "none",
        "Hold while paying": f"{s.hold_minutes} min",
        "Reschedule notice": f"{s.reschedule_notice_hours} h",
        "Free moves": str(s.free_moves),
        "Appointment reminders": ", ".join(f"{h} h" for h in s.appointment_reminder_hours)
        or "none",
        "Client reminders": f"{s.reminder_1_hours} h, {s.reminder_2_hours} h",
    }
    return described


def hours_text(ranges: tuple[tuple[Any, Any], ...]) -> str:
    """((10:00, 13:00), (14:00, 18:00)) → "10:00-13:00, 14:00-18:00"; none → "closed"."""
    return ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in ranges) or "closed"
