"""What a message asks for beyond answering the question: stop, start again, a human, a refund,
data deletion, a price. Whole words only: "ideal", "discover" and "offering" never trigger."""

from __future__ import annotations

import re

from consultation.text import bare, fold

_OPT_OUT = frozenset({"stop", "unsubscribe", "opt out", "optout", "opt-out", "stop all"})
_OPT_IN = frozenset({"start", "resume", "yes", "continue", "unstop"})
_HUMAN_WORDS = frozenset(
    {"human", "person", "real person", "a real person", "talk to someone", "speak to someone",
     "agent", "artist", "the artist", "a human", "human please", "operator"}
)  # fmt: skip
_HUMAN_PHRASE = re.compile(
    r"\b(?:speak|talk|chat)(?:ing)? (?:to|with) (?:someone|somebody|a (?:real )?(?:human|person)|"
    r"(?:a )?human|(?:a )?real person|(?:the |your )?artist|an? agent|a member of staff)\b"
    r"|\b(?:is this|are you|am i talking to) an? (?:bot|robot|machine)\b"
    r"|\b(?:want|need|prefer) (?:a|to talk to a|to speak to a) (?:human|real person)\b"
)
_REFUND = re.compile(r"\brefund(?:s|ed|ing|able)?\b")
_DELETE_DATA = re.compile(
    r"\b(?:delete|remove|erase|wipe) (?:all )?(?:my|our)? ?(?:data|details|information|info|"
    r"messages|number)\b|\bgdpr\b|\bright to be forgotten\b"
)
_PRICE_WORDS = re.compile(
    r"\b(?:price|prices|pricing|cost|costs|charge|charges|rate|rates|quote|hourly)\b"
)
_QUESTION_START = re.compile(
    r"^(?:what|whats|what's|how|do|does|can|could|would|will|is|are|roughly|any idea)\b"
)


def is_opt_out(text: object) -> bool:
    """The whole message is STOP, UNSUBSCRIBE, OPT OUT or OPTOUT (any case, trailing
    punctuation allowed); "I'll stop by the shop" is not an opt-out."""
    return bare(text) in _OPT_OUT


def is_opt_in(text: object) -> bool:
    """START, RESUME, CONTINUE or YES as the whole message: only meaningful when opted out."""
    return bare(text) in _OPT_IN


def wants_human(text: object) -> bool:
    """HUMAN, PERSON, AGENT, ARTIST ... as the whole message, or a clear request such as
    "can I speak to a human?" or "is this a bot?"."""
    answer = bare(text)
    return answer in _HUMAN_WORDS or bool(_HUMAN_PHRASE.search(answer))


def asks_refund(text: object) -> bool:
    return bool(_REFUND.search(fold(text)))


def wants_data_deleted(text: object) -> bool:
    """ "Delete my data", "remove my details", "GDPR", "right to be forgotten"."""
    return bool(_DELETE_DATA.search(fold(text)))


def asks_price(text: object) -> bool:
    """A question about price: "how much", or a price word asked as a question ("what do you
    charge?", "price?"). Stating a budget is not a question."""
    answer = fold(text)
    if re.search(r"\bhow much\b", answer):
        return True
    if not _PRICE_WORDS.search(answer):
        return False
    return answer.rstrip().endswith("?") or bool(_QUESTION_START.match(answer))


_RESCHEDULE = re.compile(
    r"\b(?:reschedul\w*|re-schedul\w*|move (?:my|the|our) (?:appointment|booking|session|date)"
    r"|change (?:my|the|our) (?:appointment|booking|session|date|time)|postpone\w*"
    r"|another (?:day|date|time))\b"
)
# "cancel", "cancellation" — not "cancelled work that day", which is about something else.
_CANCEL = re.compile(r"\b(?:cancel|cancell?ation|call (?:it|the appointment|the session) off)\b")


def booking_change(text: object) -> str | None:
    """ "reschedule" or "cancel" when a booked client asks to move or call off the appointment
    ("can I reschedule?", "I need to cancel"); None otherwise."""
    answer = fold(text)
    if _CANCEL.search(answer):
        return "cancel"
    if _RESCHEDULE.search(answer):
        return "reschedule"
    return None
