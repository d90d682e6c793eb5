"""Which offered slot the client meant: a list tap, a number, a day and/or a time, or a short
question back when it could be more than one (reference §4.6 and §14.4, without the §29.8
defects: times are read before numbers, and day names are whole words)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from consultation.calendar_rules import Rules
from consultation.copy import render
from consultation.slot_choice.choices import (
    MORE_ID,
    ROW_PREFIX,
    Ambiguous,
    Choice,
    Chosen,
    NotUnderstood,
    WantsMore,
    tapped,
)
from consultation.slot_choice.patterns import (
    BARE_NUMBER,
    CHOICE_FILLER,
    DATE_DAY_MONTH,
    DATE_MONTH_DAY,
    DATE_NUMERIC,
    DAYPART,
    DAYPART_HOURS,
    FULL_DAYS,
    KEYCAP,
    KEYWORD_NUMBER,
    MONTHS,
    MORE,
    MORE_WORD,
    NOON,
    NUMBER_WORDS,
    ORDINAL,
    ORDINAL_WORD,
    ORDINAL_WORDS,
    REFUSAL,
    TIME_12,
    TIME_24,
    TIME_OCLOCK,
    WEEKDAY_DATE,
    WEEKDAY_NUMBER,
    WEEKDAY_ONLY,
    WHOLE_NUMBER_WORD,
    WORDS,
)
from consultation.slots import Slot, clock, day_label
from consultation.text import bare, fold

SlotTest = Callable[[datetime], bool]  # on a slot's local start


def choose(text: str, choice_id: str | None, offered: list[Slot], rules: Rules) -> Choice:
    """What the client's reply to a list of `offered` slots means. Never raises on any text."""
    if choice_id == MORE_ID:
        return WantsMore()
    message = fold(text).translate(KEYCAP).replace("’", "'")
    if MORE.search(message):
        return WantsMore()
    if not offered:
        return NotUnderstood(render("slot.nothing"))
    if choice_id and choice_id.startswith(ROW_PREFIX):
        return tapped(choice_id, offered)
    return _Reading(message, offered, rules).choice()


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
        # Read from a bare number or ordinal: a pick only when nothing else is said.
        self.loose: set[int] = set()

    def choice(self) -> Choice:
        self._read_times()
        self._read_dates()
        self._read_weekdays()
        self._read_options()
        self._drop_unclear()
        n = len(self.offered)
        valid = sorted(o - 1 for o in self.options if 1 <= o <= n)
        filtered = bool(self.days or self.times or self.dayparts)
        if not filtered:
            if valid:
                return self._one_or_ask(valid)
            if self.options:
                return NotUnderstood(render("slot.range", n=n))
            if MORE_WORD.search(self.text):
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

        self._blank(TIME_12, twelve_hour)
        self._blank(TIME_24, clock_time)
        self._blank(NOON, lambda _: self.times.append(self._at({(12, 0)})))
        self._blank(TIME_OCLOCK, hour_only)

    def _read_dates(self) -> None:
        def on(day: int, month: int | None) -> None:
            self.days.append(lambda t: t.day == day and (month is None or t.month == month))

        self._blank(DATE_DAY_MONTH, lambda m: on(int(m[1]), MONTHS[m[2]]))
        self._blank(DATE_MONTH_DAY, lambda m: on(int(m[2]), MONTHS[m[1]]))
        self._blank(DATE_NUMERIC, lambda m: on(int(m[1]), int(m[2])) if int(m[2]) <= 12 else None)

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
            low, high = DAYPART_HOURS[match[1] or match[2]]
            self.dayparts.append(lambda t: low <= t.hour < high)

        self._blank(WEEKDAY_DATE, weekday_date)
        self._blank(WEEKDAY_NUMBER, weekday_number)
        self._blank(WEEKDAY_ONLY, weekday)
        self._blank(DAYPART, daypart)

    def _read_options(self) -> None:
        def number(match: re.Match[str]) -> None:
            word = match[1]
            self.options.add(int(word) if word.isdecimal() else NUMBER_WORDS.index(word) + 1)

        def add(value: int, firm: bool) -> None:
            # An option read firmly anywhere stays firm ("option 3, the 3rd one").
            if firm:
                self.loose.discard(value)
            elif value not in self.options:
                self.loose.add(value)
            self.options.add(value)

        def ordinal_word(match: re.Match[str]) -> None:
            word = match[1]
            if word in ("last", "latest"):
                value = len(self.offered)
            elif word in ("earliest", "soonest"):
                value = 1
            else:
                value = ORDINAL_WORDS.index(word) + 1
            add(value, firm=False)

        def ordinal(match: re.Match[str]) -> None:
            # "the 3rd" is option 3 (a number the client can see); "the 12th" of 8 is a date.
            value = int(match[1])
            if value > len(self.offered) and any(t.day == value for t in self.local):
                self.days.append(lambda t: t.day == value)
            else:
                add(value, firm=False)

        # Only the whole reply: in "the 2pm one", "one" is not option 1.
        whole = WHOLE_NUMBER_WORD.fullmatch(bare(self.message))
        if whole:
            number(whole)
        self._blank(KEYWORD_NUMBER, number)
        self._blank(ORDINAL, ordinal)
        self._blank(ORDINAL_WORD, ordinal_word)
        self._blank(BARE_NUMBER, lambda m: add(int(m[1]), firm=False))

    def _drop_unclear(self) -> None:
        """Keep only what the client clearly chose (issue 13): a number inside a sentence ("can
        I bring 1 friend?") or a part of the day said in passing is no pick, and a reply that
        turns something down ("Tuesday doesn't work") picks nothing. A
        wrong pick holds a time and sends a deposit link nobody asked for."""
        leftover = {word for word in WORDS.findall(self.text) if word not in CHOICE_FILLER}
        if REFUSAL.search(self.message):
            self.days, self.times, self.dayparts, self.weekdays = [], [], [], set()
            self.options.clear()
        elif leftover or "?" in self.message:
            self.options -= self.loose
            if not (self.days or self.times):
                self.dayparts = []

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
