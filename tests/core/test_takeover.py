"""The artist answering in person (`consultation.takeover`): replies go to the client inside the
window and are refused outside it with the re-open template offered; the bot forwards instead of
answering and its timers wait while the artist has the lead; handing back carries on."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from consultation import artist, engine, takeover
from consultation.lead import Lead
from consultation.messages import Inbound, InboundKind, Media
from tests.core.leads import POLICY, at, awaiting_deposit, pending_approval

QUALIFYING = Lead(lead_id="3f2a1b9c-run", status="QUALIFYING", step=2, last_client_at=at(0))


def from_artist(text: str, media: Media | None = None) -> Inbound:
    kind: InboundKind = "media" if media else "text"
    return Inbound("a-1", 0, kind, text, media=media, from_artist=True)


def test_the_artists_reply_goes_to_the_client_and_the_bot_steps_aside() -> None:
    turn = takeover.artist_message(QUALIFYING, from_artist("Hi, Sam here"), at(1), POLICY)
    to_client, to_artist = turn.replies
    assert (to_client.to, to_client.text, to_client.key) == (
        "client",
        "Hi, Sam here",
        "artist.reply",
    )
    assert to_artist.to == "artist" and "Sent to Lead 3f2a1b9c" in to_artist.text
    assert to_artist.buttons[0].id == "hand_back:3f2a1b9c-run"
    assert artist.links_for(turn.lead, to_artist) == ["hand_back"]
    assert turn.lead.taken_over and not QUALIFYING.taken_over  # the input is never mutated
    assert engine.next_reminder_at(turn.lead, POLICY) is None
    assert [e.type for e in turn.events] == ["lead.taken_over", "artist.reply_sent"]


def test_an_image_goes_by_its_media_id_with_the_caption() -> None:
    image = Media("media-9", "image", "image/jpeg")
    turn = takeover.artist_message(QUALIFYING, from_artist("the sketch", image), at(1), POLICY)
    assert turn.replies[0].extra == {"image_id": "media-9"}
    assert turn.replies[0].text == "the sketch"


def test_outside_the_window_the_reply_is_refused_and_the_template_offered() -> None:
    turn = takeover.artist_message(QUALIFYING, from_artist("Still there?"), at(25), POLICY)
    (told,) = turn.replies
    assert told.to == "artist" and "more than 24 hours ago" in told.text
    assert artist.links_for(turn.lead, told) == ["reopen", "hand_back"]
    reopened = artist.decide(turn.lead, "reopen", at(25), POLICY)
    to_client = reopened.replies[0]
    assert to_client.template is not None and to_client.template.name == "artist_reply_waiting"
    assert to_client.template.params == ("Sam",)


def test_an_opted_out_client_is_never_written_to() -> None:
    lead = replace(QUALIFYING, status="OPTOUT", opted_out=True)
    turn = takeover.artist_message(lead, from_artist("Hello?"), at(1), POLICY)
    assert [r.to for r in turn.replies] == ["artist"]
    assert not turn.lead.taken_over


def test_the_clients_messages_are_forwarded_while_the_artist_has_the_lead() -> None:
    taken = takeover.artist_message(QUALIFYING, from_artist("Hi"), at(1), POLICY).lead
    turn = engine.handle(taken, Inbound("c-2", 0, "text", "Friday works"), at(2), POLICY)
    (forwarded,) = turn.replies
    assert forwarded.to == "artist" and forwarded.text == "💬 Lead 3f2a1b9c: Friday works"
    assert turn.lead.step == QUALIFYING.step and turn.lead.last_client_at == at(2)


@pytest.mark.parametrize("make", [pending_approval, awaiting_deposit])
def test_no_timer_falls_due_while_the_artist_has_the_lead(make) -> None:
    lead = make()
    assert engine.next_reminder_at(lead, POLICY) is not None
    taken = replace(lead, taken_over=True)
    assert engine.next_reminder_at(taken, POLICY) is None
    assert engine.remind(taken, at(24 * 30), POLICY).replies == []


def test_hand_back_asks_the_open_question_again_and_rearms_the_reminders() -> None:
    taken = takeover.artist_message(QUALIFYING, from_artist("Hi"), at(1), POLICY).lead
    assert artist.why_not(taken, "hand_back") is None
    turn = artist.decide(taken, "hand_back", at(30), POLICY)
    lead = turn.lead
    assert not lead.taken_over and lead.status == "QUALIFYING"
    assert turn.replies[0].to == "client" and turn.replies[0].text.startswith("Thanks for waiting")
    assert "back with the bot" in turn.replies[-1].text
    assert engine.next_reminder_at(lead, POLICY) == at(30) + timedelta(hours=12)
    assert artist.why_not(lead, "hand_back") is not None


def test_hand_back_of_a_handed_over_lead_resumes_it() -> None:
    asked = Inbound("c-3", 0, "text", "Can I talk to a real person?")
    handed = engine.handle(QUALIFYING, asked, at(1), POLICY).lead
    assert handed.status == "NEEDS_ARTIST_REPLY"
    taken = takeover.artist_message(handed, from_artist("Hi"), at(2), POLICY).lead
    assert takeover.waiting_since(taken) == at(1)
    resumed = artist.decide(taken, "hand_back", at(3), POLICY).lead
    assert resumed.status == "QUALIFYING" and not resumed.taken_over
    assert takeover.waiting_since(resumed) is None
