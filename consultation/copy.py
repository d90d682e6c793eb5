"""The words the bot sends (copy/en_GB.yml, keyed by meaning) and how values are shown in them.

The YAML is read once at import, so rendering is pure afterwards.
"""

from __future__ import annotations

from pathlib import Path

import yaml

_PATH = Path(__file__).with_name("copy") / "en_GB.yml"
COPY: dict[str, str] = yaml.safe_load(_PATH.read_text(encoding="utf-8"))

CATEGORY_WORDS = {"SMALL": "small", "MEDIUM": "medium", "LARGE": "large", "XL": "extra-large"}
COMPLEXITY_WORDS = {1: "Simple linework", 2: "Medium detail", 3: "High detail / realism"}


def render(key: str, **params: object) -> str:
    """The sentence for `key` with its placeholders filled; an unknown key or a missing
    placeholder is a bug in our code, so it raises KeyError."""
    return COPY[key].format_map(params).strip()


def centimetres(value: float) -> str:
    return f"{value:g}"


def size(width_cm: float, height_cm: float) -> str:
    return f"{centimetres(width_cm)}×{centimetres(height_cm)} cm"
