"""Free session slots from the artist's rules and calendar, the handful worth offering, and how a
slot reads in a WhatsApp list (reference §14, with real free/busy instead of mock slots)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta

from consultation.calendar_rules import Rules
from consultation.lead import Slot, TourStop
from consultation.messages import MAX_ROW_DESCRIPTION, MAX_ROW_TITLE
from consultation.pricing import XL
from consultation.text import cap, fold
from consultation.tour import parse_day

# Our own names, not strftime's %a/%b: those follow the process locale.
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

Interval = tuple[datetime, datetime]


def session_days(category: str, xl_days: float | None) -> int:
    """Working days a session takes: a half day left over still needs the artist's whole day,
    so an XL piece of 1.5 days books 2."""
    if category == XL and xl_days is not None and xl_days > 1:
        return math.ceil(xl_days)
    return 1


def free_slots(
    rules: Rules,
    category: str,
    xl_days: float | None,
    busy: list[Interval],
    now: datetime,
    tour_stops: Iterable[TourStop] = (),
    city: str | None = None,
) -> list[Slot]:
    """Every slot that fits the rules, earliest first, none overlapping another (with the buffer
    between them, so any of them can still be booked after another is).

    `busy` is what the calendar already holds (Google free/busy, our holds and bookings), as
    tz-aware instants. `city` is where the session happens: a tour stop's city restricts slots
    to that stop's dates; otherwise slots are on studio days, never while the artist is away on
    tour. Naive datetimes raise ValueError: their zone would be a guess."""
    now = _utc(now)
    earliest = now + timedelta(hours=rules.minimum_notice_hours)
    # Free/busy is only fetched up to the look-ahead, so a slot ending later could clash with
    # something we cannot see.
    horizon = now + timedelta(days=rules.lookahead_days)
    buffer = timedelta(minutes=rules.buffer_minutes)
    intervals = [(_utc(start), _utc(end)) for start, end in busy]
    blocked = sorted((start - buffer, end + buffer) for start, end in intervals if end > start)
    allowed = _venue_days(list(tour_stops), city)
    first, last = earliest.astimezone(rules.zone).date(), horizon.astimezone(rules.zone).date()
    working = [
        day
        for day in (first + timedelta(days=i) for i in range((last - first).days + 1))
        if rules.hours_on(day)
    ]
    window = (earliest, horizon)
    days = session_days(category, xl_days)
    if days > 1:
        return _multi_day_slots(rules, working, allowed, blocked, window, days)
    length = rules.session_length(category)
    step = timedelta(minutes=rules.slot_granularity_minutes)
    slots: list[Slot] = []
    for day in working:
        if not allowed(day):
            continue
        for opens, closes in rules.hours_on(day):
            start, close = _instant(day, opens, rules), _instant(day, closes, rules)
            candidate = _align(max(start, earliest), start, step)
            while candidate + length <= min(close, horizon):
                clash = _clash(blocked, candidate, candidate + length)
                if clash is not None:
                    candidate = _align(clash, start, step)
                    continue
                slots.append(Slot(candidate, candidate + length))
                candidate = _align(candidate + length + buffer, start, step)
    return slots


def _multi_day_slots(
    rules: Rules,
    working: list[date],
    allowed: Callable[[date], bool],
    blocked: list[Interval],
    window: Interval,
    days: int,
) -> list[Slot]:
    """Runs of `days` consecutive working days (closed weekdays in between are skipped, a tour
    break is not), each day entirely free."""
    slots: list[Slot] = []
    i = 0
    while i + days <= len(working):
        run = working[i : i + days]
        spans = [_full_day(day, rules) for day in run]
        fits = spans[0][0] >= window[0] and spans[-1][1] <= window[1]
        if fits and all(map(allowed, run)) and all(_clash(blocked, *s) is None for s in spans):
            slots.append(Slot(spans[0][0], spans[-1][1], days))
            i += days
        else:
            i += 1
    return slots


def session_spans(slot: Slot, rules: Rules) -> list[Interval]:
    """The time the artist actually spends: one span per working day of a multi-day slot (not
    the nights and closed days between), so holds and calendar events block only those."""
    if slot.days == 1:
        return [(slot.start, slot.end)]
    first = slot.start.astimezone(rules.zone).date()
    last = slot.end.astimezone(rules.zone).date()
    days = (first + timedelta(days=i) for i in range((last - first).days + 1))
    return [_full_day(day, rules) for day in days if rules.hours_on(day)]


def _full_day(day: date, rules: Rules) -> Interval:
    """A working day from its first opening to its last close, the break included."""
    hours = rules.hours_on(day)
    return _instant(day, hours[0][0], rules), _instant(day, hours[-1][1], rules)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: pass a time zone")
    return moment.astimezone(UTC)


def _instant(day: date, at: time, rules: Rules) -> datetime:
    """A local wall-clock time on `day` as a UTC instant, so 10:00 stays 10:00 in the artist's
    zone on both sides of a DST change (09:00 UTC in summer, 10:00 UTC in winter in London)."""
    return datetime.combine(day, at, tzinfo=rules.zone).astimezone(UTC)


def _align(moment: datetime, origin: datetime, step: timedelta) -> datetime:
    """The first grid time at or after `moment`, on a grid of `step` from `origin`."""
    if moment <= origin:
        return origin
    return origin + step * -((origin - moment) // step)


def _clash(blocked: list[Interval], start: datetime, end: datetime) -> datetime | None:
    """The end of the latest blocked interval overlapping [start, end), if any."""
    ends = [b_end for b_start, b_end in blocked if b_start < end and start < b_end]
    return max(ends, default=None)


def _venue_days(stops: list[TourStop], city: str | None) -> Callable[[date], bool]:
    spans = [
        (fold(stop.city), start, end)
        for stop in stops
        if (start := parse_day(stop.start)) is not None and (end := parse_day(stop.end)) is not None
    ]
    here = [(start, end) for name, start, end in spans if city and name == fold(city)]
    if here:
        return lambda day: any(start <= day <= end for start, end in here)
    return lambda day: not any(start <= day <= end for _, start, end in spans)


def suggest(slots: list[Slot], n: int, rules: Rules) -> list[Slot]:
    """Up to `n` slots spread over as many days as possible (one per day first, then a second
    per day, ...), alternating early and late starts between days so the client sees mornings
    and afternoons; returned in time order."""
    by_day: dict[date, list[Slot]] = {}
    for slot in sorted(slots, key=lambda s: s.start):
        by_day.setdefault(slot.start.astimezone(rules.zone).date(), []).append(slot)
    queues = [
        _spread(day_slots, late_first=i % 2 == 1) for i, day_slots in enumerate(by_day.values())
    ]
    picked: list[Slot] = []
    while len(picked) < n and any(queues):
        for queue in queues:
            if queue and len(picked) < n:
                picked.append(queue.pop(0))
    return sorted(picked, key=lambda s: s.start)


def _spread(day_slots: list[Slot], late_first: bool) -> list[Slot]:
    if len(day_slots) < 2:
        return list(day_slots)
    first, last = (day_slots[-1], day_slots[0]) if late_first else (day_slots[0], day_slots[-1])
    return [first, last, *day_slots[1:-1]]


def day_label(moment: datetime, rules: Rules) -> str:
    """ "Wed 3 Dec" in the artist's zone."""
    return _date_label(moment.astimezone(rules.zone).date())


def _date_label(day: date) -> str:
    return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"


def clock(moment: datetime, rules: Rules, compact: bool = False) -> str:
    """ "2:00pm" in the artist's zone; compact drops ":00" ("2pm") for questions."""
    local = moment.astimezone(rules.zone)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    if compact and local.minute == 0:
        return f"{hour}{suffix}"
    return f"{hour}:{local.minute:02d}{suffix}"


def format_slot(slot: Slot, rules: Rules) -> str:
    """A list-row title: "Wed 3 Dec, 2:00pm", or "Sat 6 Dec, 3 days". At most 19 characters,
    inside WhatsApp's 24 for a row title."""
    if slot.days > 1:
        return cap(f"{day_label(slot.start, rules)}, {slot.days} days", MAX_ROW_TITLE)
    return cap(f"{day_label(slot.start, rules)}, {clock(slot.start, rules)}", MAX_ROW_TITLE)


def describe_slot(slot: Slot, rules: Rules) -> str:
    """A list-row description (WhatsApp allows 72 characters): the times and length, or the
    working days a multi-day session covers."""
    zone_name = slot.start.astimezone(rules.zone).tzname() or rules.timezone
    if slot.days > 1:
        labels = [day_label(start, rules) for start, _ in session_spans(slot, rules)]
        text = f"Full days: {', '.join(labels[:-1])} & {labels[-1]}"
    else:
        minutes = int((slot.end - slot.start).total_seconds()) // 60
        length = f"{minutes // 60}h" + (f"{minutes % 60:02d}" if minutes % 60 else "")
        span = f"{clock(slot.start, rules)}–{clock(slot.end, rules)}"
        text = f"{span} {zone_name} ({length})"
    return cap(text, MAX_ROW_DESCRIPTION)
