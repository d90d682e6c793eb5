"""Which offered slot the client meant: a list tap, a number, a day and/or a time, or a short
question back when it could be more than one (reference §4.6 and §14.4, without the §29.8
defects: times are read before numbers, and day names are whole words).

The wording of questions and hints is in the copy YAML (`slot.*`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from consultation.calendar_rules import Rules
from consultation.copy import render
from consultation.messages import ListRow
from consultation.slots import Slot, clock, day_label, describe_slot, format_slot
from consultation.text import bare, fold


@dataclass(frozen=True)
class Chosen:
    index: int  # into the offered slots, from 0


@dataclass(frozen=True)
class Ambiguous:
    question: str  # e.g. "10am or 2pm on Wednesday?"
    candidates: list[int]  # indexes into the offered slots, at least two


@dataclass(frozen=True)
class NotUnderstood:
    hint: str  # what to reply, for the repair message


@dataclass(frozen=True)
class WantsMore:
    """None of these suit: the client asked for other times."""


Choice = Chosen | Ambiguous | NotUnderstood | WantsMore
SlotTest = Callable[[datetime], bool]  # on a slot's local start

ROW_PREFIX = "slot:"
MORE_ID = "slot:more"


FULL_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_ORDINAL_WORDS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
)  # fmt: skip
_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
}  # fmt: skip

# Whole words only (§29.8: "month", "friend", "wedding" are not days); plurals allowed.
_WEEKDAY = (
    r"(mon(?:days?)?|tue(?:s(?:days?)?)?|wed(?:s|nesdays?)?|thu(?:r(?:s(?:days?)?)?)?"
    r"|fri(?:days?)?|sat(?:urdays?)?|sun(?:days?)?|weekends?)"
)
_MONTH = r"(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")"
_NUM = r"(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")"

_MORE = re.compile(
    r"\b(?:none|neither|nothing|other (?:times?|dates?|days?|options?|slots?|weeks?)"
    r"|different (?:times?|dates?|days?|weeks?)|something else|anything else"
    r"|(?:more|later) (?:times?|dates?|days?|options?|slots?)"
    r"|(?:can'?t|cannot|can not|not|don'?t|doesn'?t|won'?t) (?:\w+ ){0,3}"
    r"(?:any|these|those|them|either)\b)"
)
_MORE_WORD = re.compile(r"\b(?:more|others?|else)\b")
# 12-hour times: "2pm", "2 pm", "4:15pm", "2.30 p.m.". Read before numbers, so "4:15pm" is a
# time and never option 4 (§29.8).
_TIME_12 = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\b\.?")
_TIME_24 = re.compile(r"\b(\d{1,2})[:.](\d{2})\b")
_TIME_OCLOCK = re.compile(
    r"\b(?:at|around|about|@)?\s*(\d{1,2})\s*o'? ?clock\b|(?:\bat|@)\s*(\d{1,2})\b"
)
_NOON = re.compile(r"\b(?:noon|midday|12 ?noon)\b")
_DATE_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s*(?:of\s+)?{_MONTH}\b")
_DATE_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\b")
_DATE_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})\b")  # UK order: day/month
_WEEKDAY_DATE = re.compile(rf"\b{_WEEKDAY}\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)\b")
# "wed 2": the 2nd or 2 o'clock; whichever an offered slot on that day has.
_WEEKDAY_NUMBER = re.compile(rf"\b{_WEEKDAY}\s+(?:the\s+|at\s+)?(\d{{1,2}})\b")
_WEEKDAY_ONLY = re.compile(rf"\b{_WEEKDAY}\b")
# "am" alone only when it is not "I am".
_DAYPART = re.compile(r"\b(morning|afternoon|evening|night|pm)s?\b|(?<!\bi )\b(am)\b")
_DAYPART_HOURS = {
    "morning": (0, 12), "am": (0, 12), "afternoon": (12, 17), "pm": (12, 24),
    "evening": (17, 24), "night": (17, 24),
}  # fmt: skip
_KEYWORD_NUMBER = re.compile(rf"(?:\b(?:option|opt|slot|choice|number|num)\b\.?|#)\s*#?\s*{_NUM}\b")
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_ORDINAL_WORD = re.compile(r"\b(" + "|".join(_ORDINAL_WORDS) + r"|last|latest|earliest|soonest)\b")
# A bare number is an option unless a unit says it is something else ("2 hours", "3 weeks").
_BARE_NUMBER = re.compile(
    r"(?<![£$€])\b(\d{1,2})\b(?!\s*(?:hours?|hrs?|h\b|days?|weeks?|wks?|months?|mins?|minutes?"
    r"|people|cm|mm|inch|x\b|%))"
)
_WHOLE_NUMBER_WORD = re.compile(r"(?:the )?" + _NUM + r"(?: one| please| thanks| thank you)*")
_KEYCAP = str.maketrans("", "", "\ufe0f\u20e3")  # "3️⃣" is 3 + VS16 + keycap


def row_id(index: int, slot: Slot) -> str:
    """The list-row id for offered slot `index`: its number as the client sees it and its start,
    so a tap on an older list cannot pick whatever now sits at that position."""
    return f"{ROW_PREFIX}{index + 1}:{slot.start:%Y%m%dT%H%MZ}"


def slot_rows(offered: list[Slot], rules: Rules) -> tuple[ListRow, ...]:
    return tuple(
        ListRow(row_id(i, slot), format_slot(slot, rules), describe_slot(slot, rules))
        for i, slot in enumerate(offered)
    )


def choose(text: str, choice_id: str | None, offered: list[Slot], rules: Rules) -> Choice:
    """What the client's reply to a list of `offered` slots means. Never raises on any text."""
    if choice_id == MORE_ID:
        return WantsMore()
    message = fold(text).translate(_KEYCAP).replace("’", "'")
    if _MORE.search(message):
        return WantsMore()
    if not offered:
        return NotUnderstood(render("slot.nothing"))
    if choice_id and choice_id.startswith(ROW_PREFIX):
        return _tapped(choice_id, offered)
    return _Reading(message, offered, rules).choice()


def _tapped(choice_id: str, offered: list[Slot]) -> Choice:
    number, _, start = choice_id.removeprefix(ROW_PREFIX).partition(":")
    index = int(number) - 1 if number.isdecimal() and len(number) < 4 else -1
    if 0 <= index < len(offered) and (not start or row_id(index, offered[index]) == choice_id):
        return Chosen(index)
    for i, slot in enumerate(offered):  # the same slot, now at another position
        if start and row_id(i, slot).endswith(":" + start):
            return Chosen(i)
    return NotUnderstood(render("slot.stale", n=len(offered)))


class _Reading:
    """One reply read against the offered slots: each thing recognised is blanked from the text
    so it is not read twice (the "15" of "4:15pm" is not an option)."""

    def __init__(self, message: str, offered: list[Slot], rules: Rules) -> None:
        self.message = message
        self.text = message  # what is left to read
        self.offered = offered
        self.rules = rules
        self.local = [slot.start.astimezone(rules.zone) for slot in offered]
        self.days: list[SlotTest] = []  # any may match
        self.times: list[SlotTest] = []
        self.dayparts: list[SlotTest] = []
        self.weekdays: set[int] = set()
        self.options: set[int] = set()  # as the client numbers them, from 1

    def choice(self) -> Choice:
        self._read_times()
        self._read_dates()
        self._read_weekdays()
        self._read_options()
        n = len(self.offered)
        valid = sorted(o - 1 for o in self.options if 1 <= o <= n)
        filtered = bool(self.days or self.times or self.dayparts)
        if not filtered:
            if valid:
                return self._one_or_ask(valid)
            if self.options:
                return NotUnderstood(render("slot.range", n=n))
            if _MORE_WORD.search(self.text):
                return WantsMore()
            return NotUnderstood(render("slot.hint", n=n, example=self._example()))
        matches = [i for i in range(n) if self._fits(i)]
        if valid:
            agreed = [i for i in valid if i in matches]
            if agreed:
                return self._one_or_ask(agreed)
            index = valid[0]
            slot = f"{day_label(self.offered[index].start, self.rules)}, {self._time(index)}"
            return NotUnderstood(render("slot.option_mismatch", number=index + 1, slot=slot))
        if matches:
            return self._one_or_ask(matches)
        return NotUnderstood(self._no_match_hint())

    # -- reading ---------------------------------------------------------------------------

    def _blank(self, pattern: re.Pattern[str], read: Callable[[re.Match[str]], None]) -> None:
        def replace(match: re.Match[str]) -> str:
            read(match)
            return " "

        self.text = pattern.sub(replace, self.text)

    def _read_times(self) -> None:
        def twelve_hour(match: re.Match[str]) -> None:
            hour, minute = int(match[1]), int(match[2] or 0)
            if 1 <= hour <= 12 and minute < 60:
                hour = hour % 12 + (12 if match[3] == "p" else 0)
                self.times.append(self._at({(hour, minute)}))

        def clock_time(match: re.Match[str]) -> None:
            hour, minute = int(match[1]), int(match[2])
            if hour < 24 and minute < 60:
                # "2:30" with no am/pm: whichever of 2:30am and 2:30pm is on offer.
                both = {(hour, minute), (hour + 12, minute)} if 1 <= hour < 12 else set()
                self.times.append(self._at(both or {(hour, minute)}))

        def hour_only(match: re.Match[str]) -> None:
            hour = int(match[1] or match[2])
            if 1 <= hour <= 12:
                self.times.append(self._at({(hour % 12, 0), (hour % 12 + 12, 0)}))
            elif hour < 24:
                self.times.append(self._at({(hour, 0)}))

        self._blank(_TIME_12, twelve_hour)
        self._blank(_TIME_24, clock_time)
        self._blank(_NOON, lambda _: self.times.append(self._at({(12, 0)})))
        self._blank(_TIME_OCLOCK, hour_only)

    def _read_dates(self) -> None:
        def on(day: int, month: int | None) -> None:
            self.days.append(lambda t: t.day == day and (month is None or t.month == month))

        self._blank(_DATE_DAY_MONTH, lambda m: on(int(m[1]), _MONTHS[m[2]]))
        self._blank(_DATE_MONTH_DAY, lambda m: on(int(m[2]), _MONTHS[m[1]]))
        self._blank(_DATE_NUMERIC, lambda m: on(int(m[1]), int(m[2])) if int(m[2]) <= 12 else None)

    def _read_weekdays(self) -> None:
        def weekday_date(match: re.Match[str]) -> None:
            weekdays, day = _weekdays(match[1]), int(match[2])
            self.weekdays |= weekdays
            self.days.append(lambda t: t.weekday() in weekdays and t.day == day)

        def weekday_number(match: re.Match[str]) -> None:
            weekdays, number = _weekdays(match[1]), int(match[2])
            self.weekdays |= weekdays
            self.days.append(
                lambda t: (
                    t.weekday() in weekdays
                    and (t.day == number or (1 <= number <= 12 and t.hour % 12 == number % 12))
                )
            )

        def weekday(match: re.Match[str]) -> None:
            weekdays = _weekdays(match[1])
            self.weekdays |= weekdays
            self.days.append(lambda t: t.weekday() in weekdays)

        def daypart(match: re.Match[str]) -> None:
            low, high = _DAYPART_HOURS[match[1] or match[2]]
            self.dayparts.append(lambda t: low <= t.hour < high)

        self._blank(_WEEKDAY_DATE, weekday_date)
        self._blank(_WEEKDAY_NUMBER, weekday_number)
        self._blank(_WEEKDAY_ONLY, weekday)
        self._blank(_DAYPART, daypart)

    def _read_options(self) -> None:
        def number(match: re.Match[str]) -> None:
            word = match[1]
            self.options.add(int(word) if word.isdecimal() else _NUMBER_WORDS.index(word) + 1)

        def ordinal_word(match: re.Match[str]) -> None:
            word = match[1]
            if word in ("last", "latest"):
                self.options.add(len(self.offered))
            elif word in ("earliest", "soonest"):
                self.options.add(1)
            else:
                self.options.add(_ORDINAL_WORDS.index(word) + 1)

        def ordinal(match: re.Match[str]) -> None:
            # "the 3rd" is option 3 (a number the client can see); "the 12th" of 8 is a date.
            value = int(match[1])
            if value > len(self.offered) and any(t.day == value for t in self.local):
                self.days.append(lambda t: t.day == value)
            else:
                self.options.add(value)

        # Only the whole reply: in "the 2pm one", "one" is not option 1.
        whole = _WHOLE_NUMBER_WORD.fullmatch(bare(self.message))
        if whole:
            number(whole)
        self._blank(_KEYWORD_NUMBER, number)
        self._blank(_ORDINAL, ordinal)
        self._blank(_ORDINAL_WORD, ordinal_word)
        self._blank(_BARE_NUMBER, lambda m: self.options.add(int(m[1])))

    def _at(self, times: set[tuple[int, int]]) -> SlotTest:
        return lambda t: (t.hour, t.minute) in times

    def _fits(self, index: int) -> bool:
        local = self.local[index]
        return all(
            not tests or any(test(local) for test in tests)
            for tests in (self.days, self.times, self.dayparts)
        )

    # -- answering -------------------------------------------------------------------------

    def _one_or_ask(self, candidates: list[int]) -> Choice:
        if len(candidates) == 1:
            return Chosen(candidates[0])
        return Ambiguous(self._question(candidates), candidates)

    def _question(self, candidates: list[int]) -> str:
        dates = {self.local[i].date() for i in candidates}
        times = {(self.local[i].hour, self.local[i].minute) for i in candidates}
        if len(dates) == 1:
            day = FULL_DAYS[self.local[candidates[0]].weekday()]
            return render("slot.same_day", times=_or([self._time(i) for i in candidates]), day=day)
        if len(times) == 1:
            return render(
                "slot.same_time",
                days=_or([self._day(i) for i in candidates]),
                time=self._time(candidates[0]),
            )
        labels = [f"{self._day(i)} at {self._time(i)}" for i in candidates]
        return render("slot.which", slots=_or(labels))

    def _day(self, index: int) -> str:
        """ "Wednesday", or "Wed 3 Dec" when that weekday is offered in more than one week."""
        weekday = self.local[index].weekday()
        same = {t.date() for t in self.local if t.weekday() == weekday}
        if len(same) > 1:
            return day_label(self.offered[index].start, self.rules)
        return FULL_DAYS[weekday]

    def _time(self, index: int) -> str:
        slot = self.offered[index]
        return f"{slot.days} days" if slot.days > 1 else clock(slot.start, self.rules, True)

    def _example(self) -> str:
        first = self.local[0]
        return f"{FULL_DAYS[first.weekday()]} {clock(self.offered[0].start, self.rules, True)}"

    def _no_match_hint(self) -> str:
        n = len(self.offered)
        if not self.weekdays:
            return render("slot.no_match", n=n)
        on_day = [i for i, t in enumerate(self.local) if t.weekday() in self.weekdays]
        names = _or([FULL_DAYS[d] for d in sorted(self.weekdays)])
        if not on_day:
            return render("slot.no_day", day=names, n=n)
        return render("slot.no_time", day=names, times=_or([self._time(i) for i in on_day]))


def _weekdays(word: str) -> set[int]:
    if word.startswith("weekend"):
        return {5, 6}
    return {("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(word[:3])}


def _or(items: list[str]) -> str:
    """ "a", "a or b", "a, b or c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"
