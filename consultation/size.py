"""Reading a tattoo size from what the client typed: "10x12cm", "3 by 5 inches", "8cm"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from consultation.text import fold

# A tattoo bigger than a metre on a side is a misunderstanding, not a size.
MAX_SIDE_CM = 100.0

_TO_CM = {"cm": 1.0, "mm": 0.1, "in": 2.54}
_NUMBER = r"(\d{1,4}(?:[.,]\d{1,2})?)"
_UNIT = r"(cm|centimet(?:er|re)s?|mm|millimet(?:er|re)s?|inch(?:es)?|in|\"|''|″)"
_BETWEEN = r"\s*(?:x|\*|by)\s*"
# "10cm x 12cm", "10 x 12 cm", "10cm x 12": one unit is enough, it applies to both sides.
_PAIR = re.compile(rf"{_NUMBER}\s*{_UNIT}?{_BETWEEN}{_NUMBER}\s*{_UNIT}?(?![a-z])")
_SINGLE = re.compile(rf"{_NUMBER}\s*{_UNIT}(?![a-z])")
# "12-16cm", "12 to 16 cm": a range for one side, not a square of its top.
_SIDE_RANGE = re.compile(rf"{_NUMBER}\s*{_UNIT}?\s*(?:-|–|—|to)\s*{_NUMBER}\s*{_UNIT}(?![a-z])")


@dataclass(frozen=True)
class Size:
    width_cm: float
    height_cm: float

    @property
    def area_cm2(self) -> float:
        return round(self.width_cm * self.height_cm, 1)


def _unit(name: str) -> str:
    if name.startswith(("cent", "cm")):
        return "cm"
    if name.startswith(("mil", "mm")):
        return "mm"
    return "in"


def _cm(number: str, unit: str) -> float:
    return round(float(number.replace(",", ".")) * _TO_CM[unit], 1)


def parse_size(text: object) -> Size | None:
    """Width and height in cm, or None. A unit is required (cm, mm, inches or "), since a bare
    "10x15" could be either; a single measurement means a square, but a range for one side
    ("12-16cm") is no size: both sides are asked. Zero or over 1 m is refused."""
    found = _find(_clean(text))
    return found[0] if found else None


def one_side_range(text: object) -> bool:
    """ "12-16cm": a range given for one side, with no second side."""
    cleaned = _clean(text)
    pair = _PAIR.search(cleaned)
    return bool(_SIDE_RANGE.search(cleaned)) and not (pair and (pair.group(2) or pair.group(4)))


def bare_size(text: object) -> Size | None:
    """A size that is the whole message ("8x8cm", "about 3 x 5 inches"), not one inside a
    description ("a 10cm rose on my wrist"): only such a message is plainly about size."""
    cleaned = _clean(text)
    found = _find(cleaned)
    if found is None:
        return None
    size, (start, end) = found
    rest = set(re.findall(r"[a-z]+", f"{cleaned[:start]} {cleaned[end:]}"))
    return size if rest <= _FILLER else None


# Words that may surround a bare size without making it a description.
_FILLER = frozenset(
    {"about", "around", "roughly", "approx", "approximately", "maybe", "ish", "or", "so",
     "max", "wide", "tall", "high", "big", "i", "think", "guess", "probably"}
)  # fmt: skip


def _clean(text: object) -> str:
    return fold(text).replace("×", "x").replace("”", '"').replace("“", '"')


def _find(cleaned: str) -> tuple[Size, tuple[int, int]] | None:
    """The size in `cleaned` and where it stands, or None."""
    pair = _PAIR.search(cleaned)
    if pair and (pair.group(2) or pair.group(4)):
        first = _unit(pair.group(2) or pair.group(4))
        second = _unit(pair.group(4) or pair.group(2))
        width, height = _cm(pair.group(1), first), _cm(pair.group(3), second)
        span = pair.span()
    else:
        single = _SINGLE.search(cleaned)
        if single is None or _SIDE_RANGE.search(cleaned):
            return None
        width = height = _cm(single.group(1), _unit(single.group(2)))
        span = single.span()
    if not (0 < width <= MAX_SIDE_CM and 0 < height <= MAX_SIDE_CM):
        return None
    return Size(width, height), span
