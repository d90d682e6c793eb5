"""Reading a budget from what the client typed: "£1,500", "2k", "four hundred", "400-500",
"€1.200,50", "2 300 €", "900-ish quid"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from price_parser.parser import parse_number

from consultation.currency import CURRENCY_WORD, currency_of, to_minor
from consultation.money import DEFAULT_CURRENCY
from consultation.text import fold, normalize

# Nobody budgets a tattoo at a million pounds; bigger numbers are typos or jokes, and refusing
# them keeps the arithmetic away from absurd magnitudes.
MAX_BUDGET_PENCE = 100_000_000

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000, "grand": 1000}
# A number as clients write it, in any grouping: "1,500", "2 300", "2.300", "1.200,50", "2,5".
# Spaces group only full thousands ("2 300"), so "300 450" is never one number. price-parser
# decides which mark is the decimal one.
_NUMBER = r"\d{1,3}(?: \d{3})+(?:[.,]\d{1,2})?(?!\d)|\d[\d.,']*"
# A number, then an optional multiplier that must be a whole word: "2k", "2 k", "1.5k" are
# thousands, but "500 kinda" is £500 (the reference read any word starting with k as ×1000).
_AMOUNT = re.compile(rf"(?<![\d.,])({_NUMBER})\s*(k|thousand|grand|hundred)?(?![a-z])")
_RANGE = re.compile(r"^\s*(?:-|–|—|to|and|or|till|until)\s*")
_NEGATIVE = re.compile(r"(?:^|[^\w])(?:-|minus\s*)$")
# "around the 600 mark", "900-ish", "600ish": hedges around an amount, not part of it.
_HEDGES = re.compile(r"-?\s*\bish\b|(?<=\d)ish\b|\bmark\b|\bthe\b")


@dataclass(frozen=True)
class Budget:
    """What the client said they can spend, in the client's currency's minor units. A range keeps
    both ends (`high` is None for one amount); `currency` is None when none was named."""

    low: int
    high: int | None
    currency: str | None

    @property
    def starts_at_zero(self) -> bool:
        return self.low == 0


def _words_to_digits(text: str) -> str:
    """Rewrite runs of number words as digits: "four hundred" → "400", "a grand" → "1 grand"."""
    tokens = text.split(" ")
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        dangling = 0
        while run and run[-1] == "and":  # "and" joins numbers only inside a run
            run.pop()
            dangling += 1
        if run:
            total = current = 0
            for word in run:
                if word in _UNITS:
                    current += _UNITS[word]
                elif word == "hundred":
                    current = max(current, 1) * 100
                elif word in ("thousand", "grand"):
                    total += max(current, 1) * 1000
                    current = 0
            out.append(str(total + current))
            run.clear()
        out.extend(["and"] * dangling)

    for index, token in enumerate(tokens):
        word = token.strip(".,!?")
        following = tokens[index + 1].strip(".,!?") if index + 1 < len(tokens) else ""
        starts_scale = word == "a" and following in _SCALES
        if word in _UNITS or starts_scale or (run and (word in _SCALES or word == "and")):
            run.append("one" if starts_scale else word)
        else:
            flush()
            out.append(token)
    flush()
    return " ".join(out)


def _amount(match: re.Match[str]) -> Decimal | None:
    value = parse_number(match.group(1).replace("'", ""))
    if value is None:
        return None
    multiplier = match.group(2)
    if multiplier == "hundred":
        value *= 100
    elif multiplier:
        value *= 1000
    return value


def read_budget(text: object) -> Budget | None:
    """The amount or range the client named, in its currency, or None when no amount is stated
    (or it is negative, or over the sanity cap). Never raises.

    A range ("400-500", "£2k to £3k", "2-3k") keeps both ends; the minimum check qualifies its
    lower bound, and the artist sees the whole range."""
    cleaned = fold(text)
    if not cleaned:
        return None
    currency = currency_of(normalize(text))
    cleaned = CURRENCY_WORD.sub(" ", cleaned)
    cleaned = _HEDGES.sub(" ", _words_to_digits(cleaned))
    first = _AMOUNT.search(cleaned)
    if first is None or _NEGATIVE.search(cleaned[: first.start()].rstrip()):
        return None
    try:
        low = _amount(first)
        high = None
        rest = cleaned[first.end() :]
        joined = _RANGE.match(rest)
        second = _AMOUNT.match(rest, joined.end()) if joined else None
        if second:
            high = _amount(second)
            # "2-3k": the multiplier of the upper end applies to a bare lower end.
            if low is not None and high is not None and second.group(2) and not first.group(2):
                scaled = low * (100 if second.group(2) == "hundred" else 1000)
                low = scaled if scaled <= high else low
        code = currency or DEFAULT_CURRENCY
        if low is None or low < 0:
            return None
        low_minor = to_minor(low, code)
        high_minor = to_minor(high, code) if high is not None else None
    except (InvalidOperation, OverflowError):
        return None
    if high_minor is not None and high_minor < low_minor:
        low_minor, high_minor = high_minor, low_minor  # "500-300": the client's order slipped
    if high_minor == low_minor:
        high_minor = None
    top = high_minor if high_minor is not None else low_minor
    if top > MAX_BUDGET_PENCE or (low_minor == 0 and not high_minor):
        return None
    return Budget(low_minor, high_minor, currency)


def parse_budget(text: object) -> int | None:
    """The lower bound of the client's budget in minor units of the currency they named (pounds
    when none), or None when no positive amount is stated."""
    budget = read_budget(text)
    return budget.low if budget is not None and budget.low > 0 else None


def starts_at_zero(text: object) -> bool:
    """ "0-500": a range from nothing, which says no budget at all."""
    budget = read_budget(text)
    return budget is not None and budget.starts_at_zero
