"""The words and patterns a reply is read with: times before numbers, and day names as whole
words (§29.8: "month", "friend", "wedding" are not days)."""

from __future__ import annotations

import re

FULL_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
ORDINAL_WORDS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
)  # fmt: skip
MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
}  # fmt: skip


# Whole words only (§29.8: "month", "friend", "wedding" are not days); plurals allowed.
WEEKDAY = (
    r"(mon(?:days?)?|tue(?:s(?:days?)?)?|wed(?:s|nesdays?)?|thu(?:r(?:s(?:days?)?)?)?"
    r"|fri(?:days?)?|sat(?:urdays?)?|sun(?:days?)?|weekends?)"
)
MONTH = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")"
NUM = r"(\d{1,2}|" + "|".join(NUMBER_WORDS) + r")"
MORE = re.compile(
    r"\b(?:none|neither|nothing|other (?:times?|dates?|days?|options?|slots?|weeks?)"
    r"|different (?:times?|dates?|days?|weeks?)|something else|anything else"
    r"|(?:more|later) (?:times?|dates?|days?|options?|slots?)"
    r"|(?:can'?t|cannot|can not|not|don'?t|doesn'?t|won'?t) (?:\w+ ){0,3}"
    r"(?:any|these|those|them|either)\b)"
)
MORE_WORD = re.compile(r"\b(?:more|others?|else)\b")


# 12-hour times: "2pm", "2 pm", "4:15pm", "2.30 p.m.". Read before numbers, so "4:15pm" is a
# time and never option 4 (§29.8).
TIME_12 = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\b\.?")
TIME_24 = re.compile(r"\b(\d{1,2})[:.](\d{2})\b")
TIME_OCLOCK = re.compile(
    r"\b(?:at|around|about|@)?\s*(\d{1,2})\s*o'? ?clock\b|(?:\bat|@)\s*(\d{1,2})\b"
)
NOON = re.compile(r"\b(?:noon|midday|12 ?noon)\b")
DATE_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s*(?:of\s+)?{MONTH}\b")
DATE_MONTH_DAY = re.compile(rf"\b{MONTH}\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\b")
DATE_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})\b")  # UK order: day/month
WEEKDAY_DATE = re.compile(rf"\b{WEEKDAY}\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)\b")


# "wed 2": the 2nd or 2 o'clock; whichever an offered slot on that day has.
WEEKDAY_NUMBER = re.compile(rf"\b{WEEKDAY}\s+(?:the\s+|at\s+)?(\d{{1,2}})\b")
WEEKDAY_ONLY = re.compile(rf"\b{WEEKDAY}\b")


# "am" alone only when it is not "I am".
DAYPART = re.compile(r"\b(morning|afternoon|evening|night|pm)s?\b|(?<!\bi )\b(am)\b")
DAYPART_HOURS = {
    "morning": (0, 12), "am": (0, 12), "afternoon": (12, 17), "pm": (12, 24),
    "evening": (17, 24), "night": (17, 24),
}  # fmt: skip
# "option 3", "option3", "no. 3", "#3": a keyword glued to its number is still a choice.
KEYWORD_NUMBER = re.compile(
    rf"(?:\b(?:option|opt|slot|choice|number|num|no\.)(?![a-z])\.?|#)\s*#?\s*{NUM}\b"
)
# An ordinal is a pick only in a reply that says nothing else ("the 2nd one please"): "my 2nd
# tattoo" and "paid on the 3rd" are not options.
ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
ORDINAL_WORD = re.compile(r"\b(" + "|".join(ORDINAL_WORDS) + r"|last|latest|earliest|soonest)\b")


# A bare number is an option unless a unit says it is something else ("2 hours", "3 weeks").
BARE_NUMBER = re.compile(
    r"(?<![£$€])\b(\d{1,2})\b(?!\s*(?:hours?|hrs?|h\b|days?|weeks?|wks?|months?|mins?|minutes?"
    r"|people|cm|mm|inch|x\b|%))"
)
WHOLE_NUMBER_WORD = re.compile(r"(?:the )?" + NUM + r"(?: one| please| thanks| thank you)*")
KEYCAP = str.maketrans("", "", "\ufe0f\u20e3")  # "3️⃣" is 3 + VS16 + keycap


# What may stand around a bare number, an ordinal or a part of the day in a reply that is a clear
# choice ("3 please", "I'll take the morning one"). Any other word makes the number part of a
# sentence ("can I bring 1 friend?", "I've got 2 kids so mornings are hard"), never a pick.
CHOICE_FILLER = frozenset(
    re.findall(
        r"\S+",
        """a actually an and any are at available be best book can cheers convenient do does
        either fab fine first for go good great happy i i'd i'll id ill is it it's its let's
        lets like looks love lovely me mine more most ok okay on one one's or perfect please pls
        plz prefer preferably probably ready s sounds suit suits sure ta take than thank thanks
        that that's thats the then this thx to want we'd we'll whichever will with work works
        would x xx yeah yep yes you""",
    )
)
WORDS = re.compile(r"[a-z][a-z']*")
# A reply that turns something down ("Tuesday doesn't work", "mornings are hard", "number 2 is
# too far") picks nothing at all: the client is asked again.
REFUSAL = re.compile(
    r"\b(?:not|no(?!\.)|never|can'?t|cannot|couldn'?t|don'?t|doesn'?t|won'?t|isn'?t|aren'?t|wouldn'?t"
    r"|busy|hard|difficult|tricky|impossible|unless|except|bad|worse|awkward|nightmare"
    r"|working|if|too (?:early|late|soon|far|long))\b"
)
