"""Engine journeys after the questions and around them: handovers, opt-out, completion branches,
tour conversion, waiting statuses, resume, reminders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from consultation import engine
from consultation.lead import Lead, TourStop
from tests.core.chat import HAPPY_ANSWERS, Chat


def answers_with(**changes: str) -> list[str]:
    keys = ["idea", "placement", "dimensions", "style", "complexity", "coverup",
            "reference_images", "budget", "location_city", "instagram_handle", "travel_city",
            "timing"]  # fmt: skip
    answers = dict(zip(keys, HAPPY_ANSWERS, strict=True)) | changes
    return list(answers.values())


# -- handovers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("HUMAN", "Client asked to talk to a person"),
        ("can I speak to the artist?", "Client asked to talk to a person"),
        ("Can I get a refund on my deposit", "Client asked about a refund"),
        ("please delete my data", "Client asked to delete their data (GDPR)"),
        ("how much would this cost?", "Client asked about price"),
    ],
)
def test_requests_only_the_artist_can_answer_hand_over(chat: Chat, text: str, reason: str) -> None:
    chat.say("Hi")
    chat.say("A rose")
    replies = chat.say(text)
    assert chat.lead.status == "NEEDS_ARTIST_REPLY"
    assert chat.lead.handover_reason == reason and chat.lead.handover_from == "QUALIFYING"
    assert [(r.to, r.key) for r in replies] == [
        ("client", "handover.client"),
        ("artist", "handover.artist"),
    ]
    assert reason in replies[1].text and "Placement" not in chat.lead.answers
    assert "lead.handover" in chat.event_types()


@pytest.mark.parametrize(
    "text",
    [
        "ideal placement would be my arm",
        "I discovered your work",
        "Something on offering hands",
        "a deal with the devil",
    ],
)
def test_words_containing_keywords_are_plain_answers(chat: Chat, text: str) -> None:
    chat.say("Hi")
    chat.say(text)
    assert chat.lead.status == "QUALIFYING" and chat.lead.answers["idea"] == text


def test_a_budget_with_a_question_at_the_budget_step_is_an_answer(chat: Chat) -> None:
    chat.say("Hi")
    for answer in HAPPY_ANSWERS[:7]:
        chat.say(answer)
    chat.say("how much is a piece like this? I have about 600")
    assert chat.lead.status == "QUALIFYING" and chat.lead.parsed["budget_pence"] == 60_000


def test_status_reply_is_sent_at_most_once_per_cooldown(chat: Chat) -> None:
    chat.say("Hi")
    chat.say("human")
    chat.wait(1)
    assert chat.say("hello?") == []
    chat.wait(4.5)
    assert chat.say("anyone?") == []
    chat.wait(0.5)  # 6 h after the handover reply: the boundary is inclusive
    assert [r.key for r in chat.say("still there?")] == ["status_reply.needs_artist_reply"]
    assert chat.lead.last_status_reply_at == chat.now
    assert chat.say("hello") == []


def test_stop_still_works_while_handed_over(chat: Chat) -> None:
    chat.say("Hi")
    chat.say("human")
    chat.say("STOP")
    assert chat.lead.status == "OPTOUT" and chat.keys() == ["optout.confirm"]


def test_resume_after_handover_reasks_the_current_question(chat: Chat) -> None:
    chat.say("Hi")
    chat.say("A rose")
    chat.say("human")
    replies = chat.resume()
    assert chat.lead.status == "QUALIFYING" and chat.lead.handover_reason is None
    assert [r.key for r in replies] == ["question.placement"] and "carry on" in replies[0].text


def test_resume_after_parse_failure_gives_fresh_attempts(chat: Chat) -> None:
    chat.say("Hi")
    chat.say("A rose")
    chat.say("forearm")
    chat.say("big")
    chat.say("huge")
    assert chat.lead.status == "NEEDS_ARTIST_REPLY"
    chat.resume()
    chat.say("massive")
    assert chat.lead.status == "QUALIFYING" and chat.keys() == ["repair.dimensions"]


def test_resume_is_refused_when_nothing_was_handed_over(chat: Chat) -> None:
    chat.say("Hi")
    assert not engine.can_resume(chat.lead)
    with pytest.raises(ValueError):
        chat.resume()


# -- opt-out ------------------------------------------------------------------------------------


def test_stop_opts_out_at_any_step(chat: Chat) -> None:
    chat.say("Hi")
    chat.say("A rose")
    replies = chat.say("Stop!")
    assert chat.lead.status == "OPTOUT" and chat.lead.opted_out
    assert [r.key for r in replies] == ["optout.confirm"] and "START" in replies[0].text
    assert "lead.opt_out" in chat.event_types()


def test_stop_as_the_very_first_message_opts_out(chat: Chat) -> None:
    chat.say("STOP")
    assert chat.lead.status == "OPTOUT"


def test_opted_out_contact_gets_only_a_short_reminder_until_start(chat: Chat) -> None:
    chat.lead = Lead(lead_id="again", status="OPTOUT", opted_out=True)
    replies = chat.say("Hi there")
    assert [r.key for r in replies] == ["optout.reminder"] and "START" in replies[0].text
    assert chat.lead.status == "OPTOUT"
    chat.wait(1)
    assert chat.say("hello?") == []  # the same cooldown as other status replies

    replies = chat.say("START")
    assert chat.lead.status == "QUALIFYING" and not chat.lead.opted_out
    assert [r.key for r in replies] == ["welcome"] and "lead.opt_in" in chat.event_types()
    assert chat.lead.step == 0 and chat.lead.lead_id == "again"


def test_stop_then_start_restarts_from_the_top(chat: Chat) -> None:
    chat.say("Hi")
    chat.say("A rose")
    chat.say("STOP")
    chat.say("resume")
    assert chat.lead.status == "QUALIFYING" and chat.lead.answers == {}


# -- completion branches ------------------------------------------------------------------------


def test_coverup_goes_to_the_artist_with_the_estimate_and_full_summary(chat: Chat) -> None:
    chat.to_summary(answers_with(coverup="yes it's a cover up"))
    chat.tap("review_confirm")
    assert chat.lead.status == "NEEDS_ARTIST_REPLY"
    assert chat.lead.handover_reason == "Cover-up needs the artist's assessment"
    assert chat.lead.estimate is not None and chat.lead.estimate.category == "LARGE"
    artist = chat.text("artist")
    assert "Cover-up: Yes" in artist and "Budget: £2,000" in artist and "deposit £200" in artist


def test_resuming_a_coverup_completes_to_pending_approval(chat: Chat) -> None:
    chat.to_summary(answers_with(coverup="yes"))
    chat.tap("review_confirm")
    chat.resume()
    assert chat.lead.status == "PENDING_APPROVAL"
    assert chat.keys("client") == ["status.pending_approval"] and chat.keys("artist") == [
        "artist.new_lead"
    ]


def test_budget_below_the_regional_minimum_needs_follow_up(chat: Chat) -> None:
    chat.to_summary(answers_with(budget="£300"))
    chat.tap("review_confirm")
    assert chat.lead.status == "NEEDS_FOLLOW_UP"
    assert chat.keys("client") == ["status.needs_follow_up"] and "£400" in chat.text("client")
    artist = chat.text("artist")
    assert chat.keys("artist") == ["artist.follow_up"]
    assert "£300" in artist and "£400" in artist and "UK" in artist


def test_budget_equal_to_the_minimum_passes(chat: Chat) -> None:
    chat.to_summary(answers_with(budget="400"))
    chat.tap("review_confirm")
    assert chat.lead.status == "PENDING_APPROVAL"


def test_budget_in_k_is_judged_as_thousands_at_completion(chat: Chat) -> None:
    chat.to_summary(answers_with(budget="1.5k", location_city="Berlin"))
    chat.tap("review_confirm")
    assert chat.lead.status == "PENDING_APPROVAL"  # the reference read "1.5k" as £1 here


def test_accepting_below_minimum_moves_on_to_approval(chat: Chat) -> None:
    chat.to_summary(answers_with(budget="£300"))
    chat.tap("review_confirm")
    chat.resume()
    assert chat.lead.status == "PENDING_APPROVAL" and "budget" in chat.lead.cleared


@pytest.mark.parametrize("status", ["PENDING_APPROVAL", "NEEDS_FOLLOW_UP"])
def test_waiting_statuses_answer_honestly_with_a_cooldown(chat: Chat, status: str) -> None:
    chat.to_summary(answers_with(budget="£300" if status == "NEEDS_FOLLOW_UP" else "2k"))
    chat.tap("review_confirm")
    assert chat.lead.status == status
    chat.wait(1)
    assert chat.say("any news?") == []  # just told what happens next
    chat.wait(5)
    assert [r.key for r in chat.say("any news?")] == [f"status_reply.{status.lower()}"]


def test_human_request_while_pending_approval_hands_over(chat: Chat) -> None:
    chat.to_summary()
    chat.tap("review_confirm")
    chat.say("can I talk to the artist")
    assert (
        chat.lead.status == "NEEDS_ARTIST_REPLY" and chat.lead.handover_from == "PENDING_APPROVAL"
    )
    chat.resume()
    assert chat.lead.status == "PENDING_APPROVAL"


# -- tour ---------------------------------------------------------------------------------------

BERLIN = TourStop("Berlin", "Germany", "2025-06-01", "2025-06-05")
MANCHESTER = TourStop("Manchester", "UK", "2025-07-10", "2025-07-12")
PAST = TourStop("Leeds", "UK", "2025-01-01", "2025-01-03")


@pytest.fixture
def touring(make_chat: Callable[..., Chat]) -> Chat:
    return make_chat(tour=[BERLIN, MANCHESTER, PAST])


def test_studio_city_goes_to_approval(touring: Chat) -> None:
    touring.to_summary(answers_with(location_city="London"))
    touring.tap("review_confirm")
    assert touring.lead.status == "PENDING_APPROVAL"


def test_city_on_an_upcoming_tour_goes_to_approval(touring: Chat) -> None:
    touring.to_summary(answers_with(location_city="Manchester, United Kingdom"))
    touring.tap("review_confirm")
    assert touring.lead.status == "PENDING_APPROVAL"  # "UK" and "United Kingdom" are one country
    assert touring.lead.parsed["tour_city"] == "Manchester"
    assert "Tour city: Manchester" in touring.text("artist")


def test_other_city_is_offered_the_best_stop_same_country_first(touring: Chat) -> None:
    touring.to_summary()  # Leeds: its tour stop is past; Manchester is in the same country
    touring.tap("review_confirm")
    assert touring.lead.status == "TOUR_CONVERSION_OFFERED"
    assert touring.lead.offered_tour_city == "Manchester"
    offer = touring.replies[0]
    assert (
        offer.key == "status.tour_offer"
        and "Manchester" in offer.text
        and "10–12 July 2025" in offer.text
    )
    assert [b.id for b in offer.buttons] == ["tour_yes", "tour_no"]


def test_without_a_same_country_stop_the_soonest_is_offered(touring: Chat) -> None:
    touring.to_summary(answers_with(location_city="Paris"))
    touring.tap("review_confirm")
    assert touring.lead.offered_tour_city == "Berlin"


def test_accepting_the_tour_offer_goes_to_approval_and_tells_the_artist(touring: Chat) -> None:
    touring.to_summary()
    touring.tap("review_confirm")
    touring.tap("tour_yes", "Yes, book there")
    assert (
        touring.lead.status == "PENDING_APPROVAL"
        and touring.lead.parsed["tour_city"] == "Manchester"
    )
    assert touring.keys("client") == ["tour.accepted"] and touring.keys("artist") == [
        "artist.new_lead"
    ]


def test_typed_no_to_the_tour_offer_waitlists(touring: Chat) -> None:
    touring.to_summary()
    touring.tap("review_confirm")
    touring.say("no thanks")
    assert touring.lead.status == "WAITLISTED"
    assert touring.keys() == ["tour.declined"] and "Leeds" in touring.text()


def test_unclear_tour_answer_is_asked_again_with_buttons(touring: Chat) -> None:
    touring.to_summary()
    touring.tap("review_confirm")
    replies = touring.say("hmm what dates again")
    assert touring.lead.status == "TOUR_CONVERSION_OFFERED"
    assert replies[0].key == "tour.prompt" and len(replies[0].buttons) == 2


def test_travel_city_is_the_requested_city(touring: Chat) -> None:
    touring.to_summary(answers_with(travel_city="Berlin"))
    touring.tap("review_confirm")
    assert (
        touring.lead.status == "PENDING_APPROVAL" and touring.lead.parsed["tour_city"] == "Berlin"
    )


def test_no_upcoming_tour_goes_to_approval(make_chat: Callable[..., Chat]) -> None:
    chat = make_chat(tour=[PAST])
    chat.to_summary()
    chat.tap("review_confirm")
    assert chat.lead.status == "PENDING_APPROVAL"


# -- reminders ----------------------------------------------------------------------------------


def test_reminders_nudge_at_12h_and_abandon_at_36h(chat: Chat) -> None:
    chat.say("Hi")
    chat.say("A rose")
    sent_at = chat.lead.last_client_at
    assert sent_at is not None
    assert engine.next_reminder_at(chat.lead, chat.policy) == sent_at + timedelta(hours=12)

    chat.wait(12)
    replies = chat.remind()
    assert [r.key for r in replies] == ["reminder.1"] and chat.lead.reminders_sent == 1
    assert "Where on your body" in replies[0].text and replies[0].rows
    assert engine.next_reminder_at(chat.lead, chat.policy) == sent_at + timedelta(hours=36)

    chat.wait(24)
    replies = chat.remind()
    assert chat.lead.status == "ABANDONED" and [r.key for r in replies] == ["reminder.final"]
    assert replies[0].template is not None and replies[0].template.name == "enquiry_closed"
    assert not engine.window_open(chat.lead, chat.now)
    assert "lead.abandoned" in chat.event_types()
    assert engine.next_reminder_at(chat.lead, chat.policy) is None


def test_a_reminder_that_is_not_due_does_nothing(chat: Chat) -> None:
    chat.say("Hi")
    chat.wait(1)
    assert chat.remind() == [] and chat.lead.reminders_sent == 0


def test_a_reply_resets_the_reminder_clock(chat: Chat) -> None:
    chat.say("Hi")
    chat.wait(12)
    chat.remind()
    chat.wait(1)
    chat.say("A rose")
    assert chat.lead.reminders_sent == 0
    assert engine.next_reminder_at(chat.lead, chat.policy) == chat.now + timedelta(hours=12)


def test_reminder_at_the_summary_repeats_the_summary(chat: Chat) -> None:
    chat.to_summary()
    chat.wait(12)
    replies = chat.remind()
    assert replies[0].key == "reminder.1" and "Budget: £2,000" in replies[0].text


def test_tour_offers_are_reminded(make_chat: Callable[..., Chat]) -> None:
    chat = make_chat(tour=[BERLIN])
    chat.to_summary()
    chat.tap("review_confirm")
    chat.wait(12)
    replies = chat.remind()
    assert replies[0].key == "reminder.1" and [b.id for b in replies[0].buttons] == [
        "tour_yes",
        "tour_no",
    ]


@pytest.mark.parametrize("step", ["human", "STOP"])
def test_no_reminders_once_handed_over_or_opted_out(chat: Chat, step: str) -> None:
    chat.say("Hi")
    chat.say(step)
    due = engine.next_reminder_at(chat.lead, chat.policy)
    if step == "STOP":
        assert due is None
    else:  # no client reminder: only the lead going stale if the artist never answers
        since = chat.lead.status_since
        assert since is not None
        assert due == since + timedelta(days=chat.policy.stale_after_days)


def test_message_after_abandonment_picks_up_where_it_left_off(chat: Chat) -> None:
    chat.say("Hi")
    chat.say("A rose")
    chat.lead.status = "ABANDONED"
    replies = chat.say("sorry, I'm back")
    assert chat.lead.status == "QUALIFYING" and replies[0].key == "question.placement"


# -- paused ------------------------------------------------------------------------------------


def test_a_message_while_paused_gets_one_status_reply_per_cooldown(chat: Chat) -> None:
    chat.say("Hi")
    turn = engine.status_reply(chat.lead, chat.now, chat.policy)
    assert [(r.to, r.key) for r in turn.replies] == [
        ("client", "paused.client"),
        ("artist", "paused.artist"),
    ]
    again = engine.status_reply(turn.lead, chat.now + timedelta(hours=1), chat.policy)
    assert again.replies == []
