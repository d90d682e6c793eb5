"""Reading the client's messages in the order they were sent: when a message has settled, a
size typed ahead kept for its question, and same-second messages placed by what they say or
read with a note to the client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from consultation.arrival import handle_together, settles_at
from consultation.lead import Lead, Policy
from consultation.messages import Inbound, Media
from consultation.questions import KEYS
from tests.core.chat import HAPPY_ANSWERS, START, Chat

POLICY = Policy(artist_name="Sam")
NOW = datetime(2026, 12, 2, 10, 0, 0, tzinfo=UTC)
EPOCH = int(NOW.timestamp())


@pytest.mark.parametrize(
    ("sent", "arrived", "due"),
    [
        (EPOCH - 5, NOW, NOW - timedelta(seconds=3)),  # delivered late: read at once
        (EPOCH - 1, NOW, NOW + timedelta(seconds=1)),  # fresh: waits out the rest
        (EPOCH, NOW, NOW + timedelta(seconds=2)),
        (EPOCH + 60, NOW, NOW + timedelta(seconds=2)),  # stamped ahead of our clock: from arrival
    ],
)
def test_a_message_settles_two_seconds_after_it_was_sent(sent, arrived, due) -> None:
    assert settles_at(sent, arrived, POLICY) == due


def test_the_settle_window_is_the_policys() -> None:
    policy = Policy(settle_seconds=0.5)
    assert settles_at(EPOCH, NOW, policy) == NOW + timedelta(seconds=0.5)


def at_question(key: str) -> Lead:
    """A lead whose open question is `key`, reached through the real conversation."""
    chat = Chat(POLICY)
    chat.say("Hi")
    for answer in HAPPY_ANSWERS[: KEYS.index(key)]:
        chat.say(answer)
    assert chat.lead.step == KEYS.index(key)
    return chat.lead


def test_a_bare_size_typed_while_the_idea_is_asked_is_kept_for_the_size_question() -> None:
    chat = Chat(POLICY, lead=at_question("idea"), now=START)
    replies = chat.say("8x8cm")
    assert [r.key for r in replies] == ["ahead.kept"]
    assert "idea" not in chat.lead.answers and chat.lead.step == 0
    chat.say("A rose for my nan")
    chat.say("Forearm")
    # The size question is answered already: the style comes next.
    assert chat.keys() == ["question.style"]
    assert chat.lead.answers["dimensions"] == "8x8cm"
    assert chat.lead.parsed["width_cm"] == 8 and chat.lead.parsed["height_cm"] == 8
    assert chat.lead.answers["idea"] == "A rose for my nan"
    assert chat.lead.answers["placement"] == "Forearm"
    assert chat.lead.ahead == {}


def test_a_size_inside_a_description_is_the_idea() -> None:
    chat = Chat(POLICY, lead=at_question("idea"), now=START)
    chat.say("A 10cm rose on my wrist")
    assert chat.lead.answers["idea"] == "A 10cm rose on my wrist"
    assert chat.keys() == ["question.placement"]


def msg(text: str, n: int) -> Inbound:
    return Inbound(message_id=f"tie-{n}", sent_at=EPOCH, text=text)


# (open question, the two messages as sent, answers each must end on)
PLACED_BY_CONTENT = [
    ("idea", ["A rose", "8x8cm"], {"idea": "A rose"}, {"dimensions": "8x8cm"}),
    ("placement", ["Forearm", "8x8cm"], {"placement": "Forearm", "dimensions": "8x8cm"}, {}),
    ("dimensions", ["8x8cm", "Fine line"], {"dimensions": "8x8cm", "style": "Fine line"}, {}),
    ("complexity", ["2", "no"], {"complexity": "2", "coverup": "no"}, {}),
    ("budget", ["2k", "Leeds, UK"], {"budget": "2k", "location_city": "Leeds, UK"}, {}),
]  # fmt: skip


@pytest.mark.parametrize(("key", "texts", "answers", "ahead"), PLACED_BY_CONTENT)
@pytest.mark.parametrize("reversed_arrival", [False, True], ids=["in-order", "reversed"])
def test_same_second_messages_are_placed_by_what_they_say_whatever_their_arrival(
    key, texts, answers, ahead, reversed_arrival
) -> None:
    lead = at_question(key)
    group = [msg(text, n) for n, text in enumerate(texts)]
    turn = handle_together(lead, group[::-1] if reversed_arrival else group, NOW, POLICY)
    assert {k: turn.lead.answers[k] for k in answers} == answers
    assert turn.lead.ahead == ahead
    assert "lead.parse_failure" not in [e.type for e in turn.events]
    # Content told where each belongs: nothing to own up to.
    assert not [r for r in turn.replies if r.key.startswith("tie.")]


def test_same_second_messages_that_could_go_either_way_are_read_as_they_came_and_said() -> None:
    lead = at_question("idea")
    turn = handle_together(
        lead, [msg("Something small", 1), msg("A rose for my nan", 2)], NOW, POLICY
    )
    # Arrival order is kept (nothing better is known) and the client is told how it was read,
    # before the next question, so a mix-up can be fixed on the summary.
    assert turn.lead.answers["idea"] == "Something small"
    assert turn.lead.answers["placement"] == "A rose for my nan"
    keys = [r.key for r in turn.replies]
    assert keys[-2:] == ["tie.taken_as", "question.dimensions"]
    note = turn.replies[-2].text
    assert "“Something small” as your idea and “A rose for my nan” as your placement" in note
    assert ("lead.read_together", {"fields": "idea,placement"}) in [
        (e.type, e.detail) for e in turn.events
    ]


def test_same_second_messages_where_one_is_plainly_a_placement_land_where_they_belong() -> None:
    lead = at_question("idea")
    turn = handle_together(lead, [msg("Forearm", 1), msg("A rose for my nan", 2)], NOW, POLICY)
    assert turn.lead.answers == {"idea": "A rose for my nan", "placement": "Forearm"}
    assert [r.key for r in turn.replies][-1] == "question.dimensions"


def test_same_second_messages_outside_the_questions_are_read_in_arrival_order_and_said() -> None:
    chat = Chat(POLICY)
    chat.to_summary()
    turn = handle_together(chat.lead, [msg("yes", 1), msg("change budget to 800", 2)], NOW, POLICY)
    # Confirming first or changing the budget first decide different things: the client is
    # told which was read first.
    assert turn.lead.status == "PENDING_APPROVAL"
    notes = [r.text for r in turn.replies if r.key == "tie.read_in_order"]
    assert notes and "“yes”, then “change budget to 800”" in notes[0]


def test_two_photos_sent_in_one_second_need_no_note() -> None:
    lead = at_question("reference_images")
    photos = [
        Inbound(f"photo-{n}", EPOCH, kind="media", media=Media(f"media-{n}", "image"))
        for n in (1, 2)
    ]
    turn = handle_together(lead, photos, NOW, POLICY)
    # Either order keeps both images and answers the references question the same way.
    assert sorted(turn.lead.media) == ["media-1", "media-2"]
    assert turn.lead.answers["reference_images"] == "(image)"
    assert not [r for r in turn.replies if r.key.startswith("tie.")]
