"""The words the bot sends (copy/en_GB.yml, keyed by meaning) and how values are shown in them.

The YAML is read once at import, so rendering is pure afterwards.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import yaml

_PATH = Path(__file__).with_name("copy") / "en_GB.yml"
COPY: dict[str, str] = yaml.safe_load(_PATH.read_text(encoding="utf-8"))

CATEGORY_WORDS = {"SMALL": "small", "MEDIUM": "medium", "LARGE": "large", "XL": "extra-large"}
COMPLEXITY_WORDS = {1: "Simple linework", 2: "Medium detail", 3: "High detail / realism"}


# The artist's name where it opens a sentence: "{artist} will reply" must read "The artist will
# reply" when the artist has not set a name and the default ("the artist") stands in. (Only
# the name: a link or an amount at the start of a line keeps its case.)
_OPENS_SENTENCE = re.compile(r"(?:^|(?<=[.!?] )|(?<=\n))\{(artist)\}")


class _Copy(string.Formatter):
    def convert_field(self, value: object, conversion: str | None) -> object:
        if conversion == "C":
            text = str(value)
            return text[:1].upper() + text[1:]
        return super().convert_field(value, conversion)


_FORMATTER = _Copy()
_PREPARED = {key: _OPENS_SENTENCE.sub(r"{\1!C}", text) for key, text in COPY.items()}


def render(key: str, **params: object) -> str:
    """The sentence for `key` with its placeholders filled, a value that opens a sentence
    capitalised; an unknown key or a missing placeholder is a bug in our code, so it raises
    KeyError."""
    return _FORMATTER.vformat(_PREPARED[key], (), params).strip()


def centimetres(value: float) -> str:
    return f"{value:g}"


def size(width_cm: float, height_cm: float) -> str:
    return f"{centimetres(width_cm)}×{centimetres(height_cm)} cm"
