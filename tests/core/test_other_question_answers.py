"""Issue 13, class 1b: an answer that belongs to other questions, or to several at once, is not
stored as the current answer. What plainly fits a later question is kept for it (and shown in
the summary to confirm); the open question is asked again when nothing answers it."""

from __future__ import annotations

import pytest

from consultation.bundle import bare_amount, read_bundle
from tests.core.chat import HAPPY_ANSWERS, Chat


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "forearm, blackwork, about 12x8, up to £700",
            {
                "placement": "forearm",
                "style": "blackwork",
                "dimensions": "about 12x8 cm",
                "budget": "up to £700",
            },
        ),
        ("inner forearm; fine line; 10x12cm", {"placement": "inner forearm", "style": "fine line",
                                               "dimensions": "10x12cm"}),
        ("left calf, neo trad, budget 1k", {"placement": "left calf", "style": "neo trad",
                                            "budget": "budget 1k"}),
        ("on my ribs\nwatercolour style\n€600", {"placement": "on my ribs",
                                                 "style": "watercolour style", "budget": "€600"}),
        ("A swallow, fine line, 8x8cm", {"style": "fine line", "dimensions": "8x8cm"}),
        ("A portrait of my dog", {}),
        ("Mum's name in script on my wrist", {}),
        ("Something for my back and shoulders, lots of flowers", {}),
    ],
)  # fmt: skip
def test_parts_that_plainly_answer_a_question_are_recognised(
    text: str, parts: dict[str, str]
) -> None:
    assert read_bundle(text).parts == parts


@pytest.mark.parametrize("text", ["£500", "500 quid", "about 1.2k", "€800", "up to £700", "2k"])
def test_a_bare_amount_is_an_amount(text: str) -> None:
    assert bare_amount(text)


@pytest.mark.parametrize(
    "text", ["A rose", "2 roses and a skull", "500 roses", "the number 7 in gothic font"]
)
def test_an_idea_with_a_number_is_not_an_amount(text: str) -> None:
    assert not bare_amount(text)


@pytest.mark.parametrize(
    "first",
    [
        "forearm, blackwork, about 12x8, up to £700",
        "Forearm, blackwork, 12x8cm, £700",
        "forearm\nblackwork\n12 x 8\nbudget £700",
    ],
)
def test_a_bundle_at_the_idea_question_is_kept_and_the_idea_asked_again(
    chat: Chat, first: str
) -> None:
    chat.say("Hi")
    chat.say(first)
    assert "idea" not in chat.lead.answers
    assert chat.keys() == ["ahead.kept_many"] and "What tattoo would you like?" in chat.text()
    chat.say("A wolf howling at the moon")
    assert chat.keys() == ["question.complexity"]  # placement, size and style were kept
    for answer in ["2", "no", "no", "Leeds", "none", "same", "Flexible"]:
        chat.say(answer)
    summary = chat.text()
    assert chat.keys() == ["summary"]
    for line in ["Placement: forearm", "Size: 12×8 cm", "Style: blackwork", "Budget: £700"]:
        assert line.lower() in summary.lower()


@pytest.mark.parametrize("amount", ["£500", "500 quid", "€600", "about 1.2k"])
def test_a_bare_amount_at_the_idea_question_is_kept_for_the_budget(chat: Chat, amount: str) -> None:
    chat.say("Hi")
    chat.say(amount)
    assert "idea" not in chat.lead.answers and chat.lead.ahead == {"budget": amount}
    assert "What tattoo would you like?" in chat.text()


def test_an_idea_with_parts_for_later_questions_keeps_both(chat: Chat) -> None:
    chat.say("Hi")
    chat.say("A rose on my forearm, fine line, 10x10cm")
    assert chat.lead.answers["idea"] == "A rose on my forearm, fine line, 10x10cm"
    assert chat.keys() == ["ahead.noted", "question.placement"]
    chat.say("Forearm")
    assert chat.keys() == ["question.complexity"]  # size and style were kept
    assert chat.lead.parsed["width_cm"] == 10 and chat.lead.answers["style"] == "fine line"


def test_a_bundle_at_the_placement_question_takes_its_own_part(chat: Chat) -> None:
    chat.say("Hi")
    chat.say(HAPPY_ANSWERS[0])
    chat.say("upper arm, japanese, around £900")
    assert chat.lead.answers["placement"] == "upper arm"
    assert chat.lead.ahead == {"style": "japanese", "budget": "around £900"}
    assert chat.keys() == ["ahead.noted", "question.dimensions"]


def test_a_plain_idea_is_stored_as_it_was(chat: Chat) -> None:
    chat.say("Hi")
    chat.say("A dragon wrapped around a sword, about the size of my hand")
    assert chat.lead.answers["idea"] == "A dragon wrapped around a sword, about the size of my hand"
    assert chat.lead.ahead == {} and chat.keys() == ["question.placement"]
