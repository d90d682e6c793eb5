"""The copy: every key renders, nothing of the reference's voice or typos leaks through."""

from __future__ import annotations

import string

import pytest

from consultation.copy import COPY, money, render
from consultation.questions import KEYS

PARAMS = {
    "artist": "Sam", "question": "Q?", "summary": "S", "lead_ref": "Lead 1", "reason": "R",
    "category": "medium", "deposit": "£150", "minimum": "£400", "budget": "£300", "region": "UK",
    "city": "Berlin", "dates": "1–5 June 2025", "requested": "Leeds",
    "amount": "£150", "url": "https://pay.example/x", "expires": "23 hours",
    "policy": "Non-refundable.", "intro": "Hello.", "paid": "£100", "expected": "£150",
    "state": "it was rejected", "hours": 72, "need": "is not awaiting approval",
}  # fmt: skip


@pytest.mark.parametrize("key", sorted(COPY))
def test_every_copy_key_renders_with_the_engine_parameters(key: str) -> None:
    fields = {name for _, name, _, _ in string.Formatter().parse(COPY[key]) if name}
    assert fields <= set(PARAMS), f"{key} uses unknown placeholders {fields - set(PARAMS)}"
    assert render(key, **PARAMS)


@pytest.mark.parametrize("key", sorted(COPY))
def test_copy_has_no_reference_artefacts(key: str) -> None:
    text = render(key, **PARAMS)
    assert "Jonah" not in text and "££" not in text and "Xl" not in text
    assert "palm" not in text.lower()


def test_every_question_has_a_question_and_a_repair() -> None:
    for key in KEYS:
        assert f"question.{key}" in COPY and f"repair.{key}" in COPY


def test_money_shows_pounds_with_separators() -> None:
    assert money(200_000) == "£2,000"
    assert money(150_050) == "£1,500.50"
