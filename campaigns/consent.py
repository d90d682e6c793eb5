"""Marketing consent, separate from the service conversation: which inbound words and buttons
give or withdraw it (the edge records each change with its evidence)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The reply buttons asking for consent (`consultation.consent.ask`), and the quick-reply button
# every marketing template carries ("Stop promotions": its payload comes back as the id).
from consultation.consent import CONSENT_NO, CONSENT_YES, STOP_PROMOTIONS

__all__ = ["CONSENT_NO", "CONSENT_YES", "STOP_PROMOTIONS", "ConsentChange", "consent_change"]

_WITHDRAW = frozenset({"stop", "stop promotions", "unsubscribe", "opt out", "optout", "opt-out"})
_GRANT = frozenset({"start", "join"})
_TRAILING = re.compile(r"[\s.!]+$")


@dataclass(frozen=True)
class ConsentChange:
    granted: bool
    how: str  # the evidence: which word or button, e.g. "word:STOP", "button:marketing_yes"


def consent_change(text: str, choice_id: str | None) -> ConsentChange | None:
    """The consent change an inbound message makes, if any. Only a whole message counts: "stop
    by the shop on Friday" changes nothing."""
    if choice_id in (CONSENT_YES, CONSENT_NO, STOP_PROMOTIONS):
        return ConsentChange(choice_id == CONSENT_YES, f"button:{choice_id}")
    word = _TRAILING.sub("", text.strip().lower())
    if word in _WITHDRAW:
        return ConsentChange(False, f"word:{word.upper()}")
    if word in _GRANT:
        return ConsentChange(True, f"word:{word.upper()}")
    return None
