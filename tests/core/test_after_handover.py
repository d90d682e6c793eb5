"""Issue 13, class 1d: silence after a handover. A client who writes after being handed over, or
while waiting for approval, always gets a fitting answer; the cooldown never starts from the
bot's own message (the handover notice, the "what happens next" message)."""

from __future__ import annotations

import pytest

from tests.core.chat import HAPPY_ANSWERS, Chat


@pytest.mark.parametrize(
    ("handover", "kind"),
    [
        ("can I speak to a human", "human"),
        ("any student discounts?", "discount"),
        ("how much would a half sleeve cost?", "price"),
        ("I want a refund", "refund"),
    ],
)
@pytest.mark.parametrize("minutes", [0.5, 5, 60, 300])
@pytest.mark.parametrize("follow_up", ["hello?", "are you there", "ok thanks", "??", "👍"])
def test_a_message_after_a_handover_is_answered(
    chat: Chat, handover: str, kind: str, minutes: float, follow_up: str
) -> None:
    chat.say("Hi")
    chat.say(HAPPY_ANSWERS[0])
    chat.say(handover)
    assert chat.lead.handover_kind == kind
    chat.wait(minutes / 60)
    chat.say(follow_up)
    assert chat.keys() == ["status_reply.needs_artist_reply"]
    assert "has your messages" in chat.text()


@pytest.mark.parametrize("follow_up", ["when will I hear back?", "thanks!", "any news?"])
@pytest.mark.parametrize("minutes", [1, 30, 600])
def test_a_message_while_waiting_for_approval_is_answered(
    chat: Chat, follow_up: str, minutes: float
) -> None:
    chat.to_summary()
    chat.tap("review_confirm")
    assert chat.lead.status == "PENDING_APPROVAL"
    chat.wait(minutes / 60)
    chat.say(follow_up)
    assert chat.keys() == ["status_reply.pending_approval"]


def test_a_burst_of_messages_gets_one_answer_per_cooldown(chat: Chat) -> None:
    chat.say("Hi")
    chat.say("talk to a human please")
    replies = [chat.say(text) for text in ["hello?", "hello??", "anyone there"]]
    assert [len(r) for r in replies] == [1, 0, 0]


def test_a_handover_after_parse_failures_answers_the_next_message(chat: Chat) -> None:
    chat.say("Hi")
    chat.say(HAPPY_ANSWERS[0])
    chat.say(HAPPY_ANSWERS[1])
    chat.say("big")
    chat.say("quite big")
    assert chat.lead.status == "NEEDS_ARTIST_REPLY"
    chat.wait(0.1)
    chat.say("sorry, about 10x12cm")
    assert chat.keys() == ["status_reply.needs_artist_reply"]
