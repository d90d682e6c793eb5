"""The artist's pages show words, not codes."""

from __future__ import annotations

from api import words
from consultation.artist import ACTIONS, TAKEOVER
from consultation.statuses import STATUSES


def test_every_status_and_decision_has_words_and_a_place_in_the_pipeline():
    assert set(words.STATUS_WORDS) == STATUSES
    assert sorted(words.PIPELINE_ORDER) == sorted(STATUSES)
    assert set(words.ACTION_WORDS) == set(ACTIONS) | TAKEOVER
    for status in STATUSES:
        assert "_" not in words.status_words(status)
        assert words.status_words(status) != status


def test_codes_in_a_sentence_become_words():
    said = words.in_words("This link was for a lead in PENDING_APPROVAL; it is now BOOKED.")
    assert said == "This link was for a lead in awaiting approval; it is now booked."


def test_events_read_as_words():
    assert (
        words.event_words("lead.status", {"from": "PENDING_APPROVAL", "to": "AWAITING_DEPOSIT"})
        == "Status: Awaiting approval → Awaiting deposit"
    )
    assert words.event_words("deposit.paid", {}) == "Deposit: paid"
    assert (
        words.event_words("studio.decision", {"account": "manager", "action": "reject",
                                              "done": "False"})
        == "Decision (manager): Decline — not done"
    )  # fmt: skip
