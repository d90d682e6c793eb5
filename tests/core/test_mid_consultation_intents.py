"""Issue 13, class 1c: intents mid-consultation win over storing the text as an answer. Haggling
and long questions go to the artist with the right reason; scheduling questions and hesitation
get a fitting reply and the question again; a cover-up or touch-up said in passing is kept for
the cover-up question."""

from __future__ import annotations

import pytest

from consultation.intents import asks_discount, asks_schedule, hesitates, long_question
from tests.core.chat import HAPPY_ANSWERS, Chat

# (step reached before the message: how many answers were given)
STEPS = [0, 1, 3, 7]


def at_step(chat: Chat, answered: int) -> None:
    chat.say("Hi")
    for answer in HAPPY_ANSWERS[:answered]:
        chat.say(answer)


@pytest.mark.parametrize(
    "text",
    [
        "any deals for students?",
        "Do you do student discounts",
        "is there a discount if I book two?",
        "could you do it cheaper?",
        "mates rates? 😂",
        "is the price negotiable",
        "can you knock a bit off",
        "any offers on at the moment?",
        "Do me a deal and I'll book today",
    ],
)
@pytest.mark.parametrize("answered", STEPS)
def test_haggling_goes_to_the_artist_as_a_discount(chat: Chat, text: str, answered: int) -> None:
    at_step(chat, answered)
    chat.say(text)
    assert chat.lead.status == "NEEDS_ARTIST_REPLY"
    assert chat.lead.handover_reason == "Client asked for a discount or a deal"
    assert text not in chat.lead.answers.values()


@pytest.mark.parametrize(
    "text",
    [
        "Do you work on darker skin tones and how long does a piece like this take to heal?",
        "What aftercare do you recommend and will I need to take time off work afterwards?",
        "Is it ok to get tattooed while I'm on antibiotics, or should I wait until I finish?",
        "How many sessions would a full sleeve usually take and do you need a deposit each time?",
    ],
)
def test_a_long_question_goes_to_the_artist_with_the_question(chat: Chat, text: str) -> None:
    at_step(chat, 1)
    chat.say(text)
    assert chat.lead.status == "NEEDS_ARTIST_REPLY"
    assert chat.lead.handover_reason == f"Client asked a question: {text}"
    assert chat.keys() == ["handover.client"] and chat.keys("artist") == ["handover.artist"]


@pytest.mark.parametrize(
    "text",
    [
        "are you free in March?",
        "When's your next availability?",
        "do you have any space next month?",
        "how soon could I get in?",
        "Any weekends available?",
        "what dates have you got in december",
    ],
)
@pytest.mark.parametrize("answered", [0, 2, 7])
def test_a_scheduling_question_is_answered_and_the_question_asked_again(
    chat: Chat, text: str, answered: int
) -> None:
    at_step(chat, answered)
    before = dict(chat.lead.answers)
    chat.say(text)
    assert chat.keys() == ["aside.schedule"] and "available dates" in chat.text()
    assert chat.lead.answers == before and chat.lead.status == "QUALIFYING"


@pytest.mark.parametrize(
    "text",
    [
        "let me think about it",
        "I'll get back to you",
        "need to have a think",
        "hold on, need to talk to my partner first",
        "I need some time to decide",
        "gonna sleep on it x",
        "maybe later",
    ],
)
@pytest.mark.parametrize("answered", [0, 3, 8])
def test_hesitation_is_met_kindly_and_nothing_is_stored(
    chat: Chat, text: str, answered: int
) -> None:
    at_step(chat, answered)
    before = dict(chat.lead.answers)
    chat.say(text)
    assert chat.keys() == ["aside.hesitation"] and "No rush" in chat.text()
    assert chat.lead.answers == before and chat.lead.failures == {}


@pytest.mark.parametrize(
    "idea",
    [
        "I want to cover an old tribal piece on my shoulder",
        "Touch up of my existing swallow",
        "A rose to cover up my ex's name",
        "rework of an old faded tattoo",
    ],
)
def test_a_cover_up_said_in_passing_answers_the_cover_up_question(chat: Chat, idea: str) -> None:
    answers = [idea, *HAPPY_ANSWERS[1:5], *HAPPY_ANSWERS[6:]]  # no cover-up answer typed
    chat.to_summary(answers)
    assert chat.lead.answers["idea"] == idea
    assert chat.lead.parsed["coverup"] is True
    assert "Cover-up: Yes" in chat.text() and chat.keys() == ["summary"]


@pytest.mark.parametrize(
    ("text", "discount", "schedule", "hesitation", "question"),
    [
        ("A deal with the devil", False, False, False, False),
        ("ideal placement would be my arm", False, False, False, False),
        ("Next 2-4 weeks", False, False, False, False),
        ("I'm free on weekends", False, False, False, False),
        ("Not sure yet", False, False, False, False),
        ("can you do a fine line swallow on my wrist?", False, False, False, False),
        ("any student deals?", True, False, False, False),
        ("are you free in may?", False, True, False, False),
        ("I'll let you know", False, False, True, False),
    ],
)
def test_intent_words_are_read_in_context(
    text: str, discount: bool, schedule: bool, hesitation: bool, question: bool
) -> None:
    assert (asks_discount(text), asks_schedule(text), hesitates(text), long_question(text)) == (
        discount,
        schedule,
        hesitation,
        question,
    )
