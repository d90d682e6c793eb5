"""Text normalisation shared by every parser: what the client typed, made comparable."""

from __future__ import annotations

import re
import unicodedata

# WhatsApp caps a text message at 4096 characters; anything longer is not a real answer, and
# bounding the input keeps every regex below linear in a small number.
MAX_INPUT = 4096
# Stored answers are capped so one pasted essay cannot bloat the workflow state.
MAX_ANSWER = 1000

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_SPACES = re.compile(r"\s+")


def normalize(text: object) -> str:
    """NFC, NBSP as space, zero-width characters removed, whitespace runs collapsed, stripped.
    Anything that is not a string becomes ""."""
    if not isinstance(text, str):
        return ""
    text = text[: MAX_INPUT * 2].replace("\u00a0", " ").translate(_INVISIBLE)
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text).strip()[:MAX_INPUT]


def fold(text: object) -> str:
    """`normalize`, lower-cased for matching (casefold also folds "ß" and friends)."""
    return normalize(text).casefold()


def cap(text: str, limit: int = MAX_ANSWER) -> str:
    """Shorten `text` to `limit` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bare(text: object) -> str:
    """`fold` without surrounding punctuation, for whole-message keywords ("Stop!", "yes.")."""
    return fold(text).strip(" .,!?;:'\"()[]-_*~")
