"""Intents as whole words or whole messages: never substrings (§29.9)."""

from __future__ import annotations

import pytest

from consultation.intents import (
    asks_price,
    asks_refund,
    booking_change,
    is_opt_in,
    is_opt_out,
    wants_data_deleted,
    wants_human,
)


@pytest.mark.parametrize("text", ["STOP", "stop", " Stop! ", "UNSUBSCRIBE", "opt out", "OPTOUT"])
def test_opt_out_words(text: str) -> None:
    assert is_opt_out(text)


@pytest.mark.parametrize("text", ["I'll stop by the shop", "don't stop", "stopping", ""])
def test_stop_inside_a_sentence_is_not_an_opt_out(text: str) -> None:
    assert not is_opt_out(text)


@pytest.mark.parametrize(("text", "opt_in"), [("START", True), ("resume", True), ("Yes", True),
                                              ("hello", False)])  # fmt: skip
def test_opt_in_words(text: str, opt_in: bool) -> None:
    assert is_opt_in(text) is opt_in


@pytest.mark.parametrize(
    "text",
    ["HUMAN", "person", "Real person", "talk to someone", "AGENT", "artist",
     "can I speak to a human?", "can i talk to the artist", "is this a bot?"],
)  # fmt: skip
def test_human_requests(text: str) -> None:
    assert wants_human(text)


@pytest.mark.parametrize(
    "text",
    ["ideal", "a person holding a rose", "human skull", "talk to my mum first", "are you ok"],
)
def test_words_near_human_are_not_a_human_request(text: str) -> None:
    assert not wants_human(text)


def test_refund_is_a_whole_word() -> None:
    assert asks_refund("can I get a refund?")
    assert asks_refund("Is the deposit refundable?")
    assert not asks_refund("refunk")


@pytest.mark.parametrize("text", ["please delete my data", "GDPR", "remove my details please"])
def test_data_deletion_requests(text: str) -> None:
    assert wants_data_deleted(text)


@pytest.mark.parametrize(
    "text", ["how much will it cost?", "price?", "what do you charge", "What are your rates"]
)
def test_price_questions(text: str) -> None:
    assert asks_price(text)


@pytest.mark.parametrize(
    "text", ["discover", "offering", "ideal", "£500", "my budget is whatever it costs", "deal"]
)
def test_not_price_questions(text: str) -> None:
    assert not asks_price(text)


@pytest.mark.parametrize(
    ("text", "change"),
    [("can I reschedule?", "reschedule"), ("Re-schedule please", "reschedule"),
     ("could we move my appointment", "reschedule"), ("I need to change the date", "reschedule"),
     ("can we postpone?", "reschedule"), ("is another day possible", "reschedule"),
     ("I need to cancel", "cancel"), ("CANCEL", "cancel"), ("can we call it off", "cancel"),
     ("sorry, I have to cancel and reschedule", "cancel"),
     ("see you then!", None), ("thanks", None), ("what should I wear?", None),
     ("can I move my arm during it", None), ("the time is fine", None)],
)  # fmt: skip
def test_booking_changes(text: str, change: str | None) -> None:
    assert booking_change(text) == change


@pytest.mark.parametrize(
    "text", ["I cancelled work that day so I can come", "my train got cancelled, running late"]
)
def test_cancelling_something_else_is_not_a_cancellation(text: str) -> None:
    assert booking_change(text) is None
