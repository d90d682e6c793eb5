"""Consent words and buttons, error classification and segment forms."""

from __future__ import annotations

import pytest

from campaigns import Outcome, SegmentFilter, classify, consent_change, fill, tour_stop_segment
from campaigns.consent import CONSENT_NO, CONSENT_YES, STOP_PROMOTIONS


@pytest.mark.parametrize(
    ("text", "choice", "granted", "how"),
    [
        ("STOP", None, False, "word:STOP"),
        ("stop.", None, False, "word:STOP"),
        ("Stop promotions", None, False, "word:STOP PROMOTIONS"),
        ("", STOP_PROMOTIONS, False, "button:stop_promotions"),
        ("", CONSENT_NO, False, "button:marketing_no"),
        ("Yes please", CONSENT_YES, True, "button:marketing_yes"),
        ("START", None, True, "word:START"),
        ("join!", None, True, "word:JOIN"),
    ],
)
def test_consent_changes_with_whole_words_and_buttons(text, choice, granted, how):
    change = consent_change(text, choice)
    assert change is not None and (change.granted, change.how) == (granted, how)


@pytest.mark.parametrize("text", ["I'll stop by the shop", "start time?", "joining you", ""])
def test_a_word_inside_a_sentence_changes_nothing(text):
    assert consent_change(text, None) is None


@pytest.mark.parametrize(
    ("code", "retryable", "outcome"),
    [
        (130429, True, Outcome.SLOW_DOWN),
        (131049, False, Outcome.RETRY_LATER),
        (131050, False, Outcome.CONSENT_WITHDRAWN),
        (131026, False, Outcome.UNDELIVERABLE),
        (131000, True, Outcome.TRANSIENT),
        (None, True, Outcome.TRANSIENT),
        (132001, False, Outcome.FAILED),
    ],
)
def test_every_error_code_has_its_outcome(code, retryable, outcome):
    assert classify(code, retryable=retryable) == outcome


def test_a_segment_form_reads_numbers_and_drops_what_it_cannot_read():
    form = {"tour_city": " Berlin ", "min_budget": "150", "max_budget": "lots", "quiet_days": "30"}
    segment = SegmentFilter.from_form(form, ["WAITLISTED", "NOT_A_STATUS"])
    assert segment.statuses == ("WAITLISTED",) and segment.tour_city == "Berlin"
    assert (segment.min_budget_pence, segment.max_budget_pence) == (15_000, None)
    assert segment.quiet_days == 30 and segment.consenting_only
    assert SegmentFilter.from_json(segment.to_json()) == segment
    assert "tour city Berlin" in segment.describe() and "waitlisted" in segment.describe()


def test_a_tour_stop_suggests_its_waitlisted_and_interested_leads():
    segment = tour_stop_segment("Lisbon")
    assert segment.tour_city == "Lisbon" and "WAITLISTED" in segment.statuses


def test_name_parameters_are_filled_per_recipient():
    assert fill(["Hi {name}", "Berlin"], "Ana Lopez") == ("Hi Ana", "Berlin")
    assert fill(["{name}"], " ") == ("there",)
