"""Answers to other questions inside one message (issue 13): "forearm, blackwork, about 12x8, up
to £700" typed at the idea question holds a placement, a style, a size and a budget. Each part is
recognised only where that is certain; everything else is left as it was typed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from consultation.budget import read_budget
from consultation.size import bare_size
from consultation.text import MAX_INPUT, bare, cap, fold, normalize

_PLACEMENT = re.compile(
    r"^(?:on |in )?(?:my |the |your )?(?:(?:left|right|inner|outer|upper|lower|top|back of"
    r"(?: the| my)?|side of(?: the| my)?|front of(?: the| my)?) )*"
    r"(?:forearms?|arms?|upper arms?|bicep|biceps|tricep|wrists?|hands?|fingers?|knuckles|palm"
    r"|shoulders?|shoulder blade|collarbone|chest|sternum|ribs?|rib ?cage|side|stomach|belly"
    r"|hip|hips|back|spine|neck|nape|throat|thigh|thighs|knee|shin|calf|calves|legs?|ankles?"
    r"|feet|foot|elbow|behind (?:the|my) ear|ear)$"
)
_STYLE = re.compile(
    r"^(?:in |a )?(?:fine ?line|fineline|realism|realistic|black and grey|black & grey"
    r"|traditional|trad|american traditional|neo[- ]?trad(?:itional)?|blackwork|black work"
    r"|watercolou?r|geometric|japanese|irezumi|dotwork|dot work|tribal|minimalist|minimal"
    r"|illustrative|linework|line work|script|lettering|ornamental|micro ?realism|sketch)"
    r"(?: style| ish|-ish| vibe)?$"
)
_UNITLESS_PAIR = re.compile(
    r"^(?:about |around |roughly |approx\.? |maybe )?\d{1,3}(?:[.,]\d)?\s*(?:x|×|by)\s*"
    r"\d{1,3}(?:[.,]\d)?(?:\s*ish)?$"
)
# A budget said as a budget: a currency, or words that only go with money.
_MONEY_WORDS = re.compile(
    r"[£$€]|\b(?:budget|up to|max|maximum|under|spend|quid|pounds?|euros?|dollars?|gbp|eur|usd"
    r"|grand|k)\b|\d\s*k\b"
)
_SPLIT = re.compile(r"\s*(?:[,;\n]|\band\b(?= (?:about|around|up to|budget|my|in|on)\b))\s*")


@dataclass
class Bundle:
    parts: dict[str, str] = field(default_factory=dict)  # question key → the words for it
    rest: list[str] = field(default_factory=list)  # what is no answer we can be sure of


def _part(segment: str) -> tuple[str, str] | None:
    """(question key, answer) for one segment that plainly answers a question, else None."""
    words = bare(segment)
    if not words:
        return None
    if _PLACEMENT.match(words):
        return "placement", segment
    if _STYLE.match(words):
        return "style", segment
    if bare_size(segment):  # "10x12cm", not "a 10cm rose"
        return "dimensions", segment
    if _UNITLESS_PAIR.match(words):
        return "dimensions", f"{segment} cm"  # a pair beside other answers is a size in cm
    if _MONEY_WORDS.search(fold(segment)) and read_budget(segment) is not None:
        return "budget", segment
    return None


def read_bundle(text: object) -> Bundle:
    """The parts of a message that answer questions, each once (the first wins). `text` is the
    message as sent: its line breaks separate parts too."""
    bundle = Bundle()
    if not isinstance(text, str):
        return bundle
    for segment in _SPLIT.split(text[:MAX_INPUT].strip()):
        segment = normalize(segment).strip(" .!")
        if not segment:
            continue
        found = _part(segment)
        if found is None or found[0] in bundle.parts:
            bundle.rest.append(segment)
        else:
            bundle.parts[found[0]] = cap(found[1], 200)
    return bundle


def bare_amount(text: object) -> bool:
    """The whole message is an amount ("£500", "700 quid", "1.2k"): never an idea or a style."""
    words = re.sub(r"[\d.,\s£$€k-]|quid|pounds?|euros?|dollars?|gbp|eur|usd|ish|about|around"
                   r"|roughly|max|up to|budget", "", fold(text))  # fmt: skip
    return not words.strip() and read_budget(text) is not None
