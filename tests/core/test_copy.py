"""The copy: every key renders, nothing of the reference's voice or typos leaks through."""

from __future__ import annotations

import re
import string

import pytest

from consultation import outbound
from consultation.copy import COPY, render
from consultation.money import format_money
from consultation.questions import KEYS

PARAMS = {
    "artist": "Sam", "question": "Q?", "summary": "S", "lead_ref": "Lead 1", "reason": "R",
    "category": "medium", "deposit": "£150", "minimum": "£400", "budget": "£300", "region": "UK",
    "city": "Berlin", "dates": "1–5 June 2025", "requested": "Leeds",
    "amount": "£150", "url": "https://pay.example/x", "expires": "23 hours",
    "policy": "Non-refundable.", "intro": "Hello.", "paid": "£100", "expected": "£150",
    "state": "it was rejected", "hours": 72, "need": "is not awaiting approval",
    # choosing a time and the booking
    "n": 8, "example": "Friday 1pm", "day": "Friday", "days": "Friday or Saturday",
    "time": "1pm", "times": "10am or 1pm", "slot": "Fri 2 May, 1:00pm–4:00pm",
    "slots": "Friday at 1pm or Saturday at 10am", "number": 4, "lines": "1. Fri 2 May, 1:00pm",
    "until": "2:00pm", "when": "Fri 2 May, 1:00pm–4:00pm", "zone": "BST",
    "place": "Sam's studio, London", "remaining": 1, "count": 2, "windows": "• Monday morning",
    "change": "reschedule", "notice": 72, "verdict": "within the 48 hour notice",
    "error": "timeout", "text": "can I get a refund?",
    # the deposit's terms, moves used, the daily digest
    "moves": "once", "used": 1, "free": 1, "leads": "1. Lead 1", "total": 3,
    # messages read ahead or together
    "answer": "8x8cm", "label": "size", "taken": "“A rose” as your idea", "order": "“a”, then “b”",
    # places asked back
    "options": "France or Texas, United States", "postcode": "ZE1 0AA",
    "noted": "forearm as the placement and £700 as the budget",
    # the artist answering in person: what the client sent
    "kind": "image", "caption": "like this",
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


# Every reason the code (re)offers times or sends a link for, so each has its opening line.
OFFER_INTROS = ["approved", "paid", "again", "reminder", "more", "no_more", "taken", "lapsed"]
LINK_INTROS = ["held", "again", "reminder"]


def test_every_offer_and_link_intro_has_its_copy() -> None:
    for intro in OFFER_INTROS:
        assert render(f"booking.intro.{intro}", **PARAMS)
    for intro in LINK_INTROS:
        assert render(f"deposit.intro.{intro}", **PARAMS)


@pytest.mark.parametrize(
    "key", ["deposit.link", "payment.confirmed", "deposit.intro.approved", "deposit.intro.fresh"]
)
def test_copy_of_the_old_deposit_flow_is_gone(key: str) -> None:
    assert key not in COPY


def test_every_question_has_a_question_and_a_repair() -> None:
    for key in KEYS:
        assert f"question.{key}" in COPY and f"repair.{key}" in COPY


def test_money_shows_pounds_with_separators() -> None:
    assert format_money(200_000) == "£2,000"
    assert format_money(150_050) == "£1,500.50"


def test_the_default_artist_name_is_capitalised_where_it_opens_a_sentence():
    # No ARTIST_NAME set: "the artist" stands in, and must not start a sentence in lower case.
    said = render("status_reply.needs_artist_reply", artist="the artist")
    assert said.startswith("Thanks! The artist has your messages")
    welcome = render("welcome", artist="the artist")
    assert "getting in touch with the artist." in welcome  # mid-sentence: unchanged
    for key in COPY:
        text = _filled(key)
        assert not re.search(r"(^|[.!?] |\n)the artist", text), key


def _filled(key: str) -> str:
    """Every message with the default name and a stand-in for each other placeholder."""
    fields = {name for _, name, _, _ in string.Formatter().parse(COPY[key]) if name}
    return render(key, **{name: "the artist" if name == "artist" else "X" for name in fields})


def test_a_message_never_carries_runs_of_blank_lines():
    message = outbound.text("client", "First part.\n\n\n\n  \nSecond part.\n\n", "test")
    assert message.text == "First part.\n\nSecond part."
