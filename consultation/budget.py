"""Reading a budget from what the client typed: "£1,500", "2k", "four hundred", "400-500"."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from consultation.text import fold

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
_CURRENCY_WORDS = re.compile(r"\b(?:gbp|pounds?|quid|usd|dollars?|bucks|eur|euros?)\b|[£$€]")
# A number, then an optional multiplier that must be a whole word: "2k", "2 k", "1.5k" are
# thousands, but "500 kinda" is £500 (the reference read any word starting with k as ×1000).
_AMOUNT = re.compile(
    r"(?<![\d.])(\d{1,9}(?:\.\d{1,2})?)(?!\.?\d)\s*(k|thousand|grand|hundred)?(?![a-z])"
)
_RANGE = re.compile(r"^\s*(?:-|–|—|to|and|or)\s*")
_NEGATIVE = re.compile(r"(?:^|[^\w])(?:-|minus\s*)$")


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


def _amount(match: re.Match[str]) -> Decimal:
    value = Decimal(match.group(1))
    multiplier = match.group(2)
    if multiplier == "hundred":
        value *= 100
    elif multiplier:
        value *= 1000
    return value


def parse_budget(text: object) -> int | None:
    """The client's budget in pence, or None when no positive amount is stated.

    A range ("400-500", "£2k to £3k") yields its upper bound: the question asks what they can
    spend, the top of their range is the most they said they would pay, and the minimum-budget
    check must not turn away someone whose range reaches the minimum. The artist sees the raw
    text beside it. All currencies are read 1:1 as pounds, as the reference does.
    """
    cleaned = fold(text)
    if not cleaned:
        return None
    cleaned = re.sub(r"(?<=\d),(?=\d{3}\b)", "", cleaned)  # thousands separators
    cleaned = _CURRENCY_WORDS.sub(" ", cleaned)
    cleaned = _words_to_digits(cleaned)
    first = _AMOUNT.search(cleaned)
    if first is None or _NEGATIVE.search(cleaned[: first.start()].rstrip()):
        return None
    try:
        value = _amount(first)
        rest = cleaned[first.end() :]
        joined = _RANGE.match(rest)
        if joined:
            second = _AMOUNT.match(rest, joined.end())
            if second:
                value = max(value, _amount(second))
        pence = int(value * 100)
    except InvalidOperation:
        return None
    return pence if 0 < pence <= MAX_BUDGET_PENCE else None
