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


# Haggling: a discount, a deal, a cheaper price (issue 13). "Deal" as a whole word only, so
# "ideal" never counts.
_DISCOUNT = re.compile(
    r"\b(?:discounts?|(?:any|good|better|student|special|best) deals?|deals? (?:for|on)"
    r"|do (?:me |us )?a deal|cheaper|student (?:price|rate|discount)s?|(?:any|special) offers?"
    r"|mates'? rates|mate'?s rates|knock (?:some|a bit|anything) off|lower (?:the |your )?price"
    r"|negotiable|for less|best price|price match|mates rate)\b"
)
_QUESTION_WORDS = re.compile(
    r"^(?:so |and |but |also |just |quick question,? |hey,? |hi,? )*"
    r"(?:are|is|do|does|did|can|could|would|will|when|what|whats|what's|how|why|which|where"
    r"|should|have|has|any)\b"
)
_SCHEDULE_WORDS = re.compile(
    r"\b(?:free|availab\w*|openings?|space|spaces|slots?|booked up|book(?:ing)? in|wait(?:ing)?"
    r" (?:list|time)|how soon|next (?:week|month)|this (?:week|month)|weekends?|dates?"
    r"|january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b"
)
_HESITATION = re.compile(
    r"\b(?:let me (?:think|have a think|check|see|get back)|(?:have|need) (?:a )?think"
    r"|think (?:about|it over|on it)|sleep on it|get back to you|not sure if i"
    r"|on the fence|need (?:some |more )?time|(?:i'?ll|will) (?:come back|get back|let you know)"
    r"|hold (?:on|off)|not ready (?:yet)?|maybe later|(?:talk|speak) to my (?:partner|wife"
    r"|husband|boyfriend|girlfriend|mum|mom|parents))\b"
)
# A question long enough to be more than an answer phrased as one ("can you do a rose?").
LONG_QUESTION_WORDS = 12


def asks_discount(text: object) -> bool:
    """ "Any deals for students?", "could you do it cheaper?", "is the price negotiable"."""
    return bool(_DISCOUNT.search(fold(text)))


def is_question(text: object) -> bool:
    answer = fold(text)
    return answer.rstrip().endswith("?") or bool(_QUESTION_WORDS.match(answer))


def asks_schedule(text: object) -> bool:
    """A question about when the artist can do it: "are you free in March?", "how soon can I
    get in?". Stating a time is an answer, not a question."""
    return is_question(text) and bool(_SCHEDULE_WORDS.search(fold(text)))


def hesitates(text: object) -> bool:
    """ "Let me think about it", "I'll get back to you", "need to talk to my partner"."""
    return bool(_HESITATION.search(fold(text)))


def long_question(text: object) -> bool:
    """A real question for the artist ("do you work on darker skin and how long does it take to
    heal?"), not an answer phrased as one: asked as a question, and long."""
    answer = fold(text)
    return (
        "?" in answer
        and bool(_QUESTION_WORDS.match(answer))
        and len(answer.split()) >= LONG_QUESTION_WORDS
    )
