"""Small answer parsers: yes/no, complexity, cover-up, Instagram handle, travel city, timing and
reference links. Each returns a value or None, never raises."""

from __future__ import annotations

import re

from consultation.location import Location, parse_location
from consultation.text import bare, cap, fold, normalize

_YES = frozenset({
    "yes", "y", "yeah", "yea", "yep", "yup", "ya", "sure", "ok", "okay", "correct", "true", "1",
    "👍", "✅", "definitely", "absolutely", "accept", "confirm", "confirmed", "of course",
    "go ahead", "sounds good", "looks good", "that's right", "thats right",
})  # fmt: skip
_NO = frozenset({
    "no", "n", "nope", "nah", "nay", "false", "0", "👎", "❌", "not", "never", "decline",
    "no thanks",
})  # fmt: skip
_FIRST_WORD = re.compile(r"[\w']+|[^\w\s]")


def parse_yes_no(text: object) -> bool | None:
    """True for yes-like answers, False for no-like ones, None otherwise. A leading "no"/"yes"
    decides ("no, not a cover-up", "yes it is")."""
    answer = bare(text)
    if answer in _YES:
        return True
    if answer in _NO:
        return False
    first = _FIRST_WORD.match(answer)
    if first is None:
        return None
    word = first.group()
    if word in _NO:
        return False
    return True if word in _YES else None


_COVERUP = re.compile(
    r"\b(?:cover[\s-]?ups?|cover(?:ing)? (?:up|over)|rework|touch[\s-]?ups?"
    r"|cover(?:ing)? (?:an? |my |the )?(?:old|existing|previous|faded|ex'?s|bad|scar)\w*)\b"
)
_NEGATION = re.compile(r"\b(?:no|not|nope|nah|isn'?t|never|new)\b")


def mentions_coverup(text: object) -> bool:
    """The answer talks about covering, reworking or touching up an existing tattoo, as whole
    words: "discover" or "coverage" never count."""
    return bool(_COVERUP.search(fold(text)))


def parse_coverup(text: object) -> bool | None:
    """Is this a cover-up, rework or touch-up? Yes/no first, then a plain mention of one
    ("it's a cover up" → True; "no, not a cover-up" → False)."""
    answer = parse_yes_no(text)
    if answer is not None:
        return answer
    if mentions_coverup(text):
        return not _NEGATION.search(fold(text))
    return None


_COMPLEXITY_WORDS = (
    (1, re.compile(r"\b(?:simple|basic|minimal|linework|line work|lines?|easy|low)\b")),
    (3, re.compile(r"\b(?:high|highly|realism|realistic|very detailed|complex|lots of detail)\b")),
    (2, re.compile(r"\b(?:medium|moderate|some detail|detailed|mid|average|normal)\b")),
)


def parse_complexity(text: object) -> int | None:
    """1 (simple linework), 2 (medium detail) or 3 (high detail / realism): from a leading
    digit ("2", "2) medium", "option 3"), a button id ("complexity_3") or words."""
    answer = fold(text)
    digit = re.match(r"^(?:complexity_|option |level |number )?([123])(?!\d)", answer)
    if digit:
        return int(digit.group(1))
    for level, words in _COMPLEXITY_WORDS:
        if words.search(answer):
            return level
    return None


_NO_HANDLE = re.compile(
    r"^(?:no|none|nope|nah|n/?a|na|skip|no thanks|i don'?t have (?:one|it|instagram|ig)|"
    r"don'?t have (?:one|it)|not on (?:instagram|ig)|no (?:instagram|ig|insta))$"
)
_IG_URL = re.compile(r"(?:instagram\.com|instagr\.am)/([A-Za-z0-9._]{1,30})")
_AT_HANDLE = re.compile(r"@([A-Za-z0-9._]{1,30})")
_BARE_HANDLE = re.compile(r"^[A-Za-z0-9._]{1,30}$")


def parse_instagram(text: object) -> str | None:
    """The handle without "@" from "@ink.by.sam", "ink.by.sam" or an instagram.com link; None
    when they have none ("no", "none", "skip") or the answer holds no handle."""
    answer = normalize(text)
    if _NO_HANDLE.match(bare(answer)):
        return None
    for pattern in (_IG_URL, _AT_HANDLE):
        found = pattern.search(answer)
        if found:
            return found.group(1).strip(".")
    handle = answer.removeprefix("@")
    return handle if _BARE_HANDLE.match(handle) and re.search(r"[A-Za-z]", handle) else None


_SAME_PLACE = re.compile(
    r"^(?:same|same city|same place|same as (?:above|before|my city)|none|no|nope|nah|n/?a|"
    r"na|not travelling|not traveling|no thanks|here|local|this city|my city|skip)$"
)


def parse_travel_city(text: object) -> Location | None:
    """A different place they would travel to for the session; None for "same", "none",
    "no", "n/a" and anything that names no place (the reference booked a city called "no")."""
    if _SAME_PLACE.match(bare(text)):
        return None
    return parse_location(text)


TIMING_OPTIONS = ("Next 2-4 weeks", "1-2 months", "Flexible")
_TIMING_WORDS = (
    (
        TIMING_OPTIONS[0],
        re.compile(
            r"\b(?:asap|soon|next (?:few|couple of) weeks|2\s*-\s*4 weeks|"
            r"(?:two|three|four|2|3|4) weeks|this month|urgent)\b"
        ),
    ),
    (
        TIMING_OPTIONS[1],
        re.compile(
            r"\b(?:1\s*-\s*2 months|(?:one|two|1|2) months?|next month|"
            r"couple of months|few months)\b"
        ),
    ),
    (
        TIMING_OPTIONS[2],
        re.compile(
            r"\b(?:flexible|whenever|any ?time|no rush|not fussed|"
            r"don'?t mind|no preference)\b"
        ),
    ),
)


def parse_timing(text: object) -> str | None:
    """One of the three offered windows when the answer means one, else their own words."""
    answer = normalize(text)
    folded = answer.casefold()
    for option, words in _TIMING_WORDS:
        if folded == option.casefold() or words.search(folded):
            return option
    return cap(answer, 200) if answer else None


_LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+|\b(?:instagram\.com|instagr\.am|pinterest\.[a-z.]+|"
    r"pin\.it|ig\.me)/[^\s<>\"']*",
    re.IGNORECASE,
)


def find_links(text: object) -> list[str]:
    """The URLs in a message (reference links), each once, in order."""
    links = [link.rstrip(".,!?)") for link in _LINK.findall(normalize(text))]
    return list(dict.fromkeys(links))
