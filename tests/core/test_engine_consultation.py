"""Engine journeys through the consultation: questions, repairs, media, the summary, completion."""

from __future__ import annotations

import dataclasses
from copy import deepcopy

from consultation import engine
from consultation.lead import Lead
from consultation.messages import Inbound, Media
from consultation.questions import KEYS
from consultation.window import WINDOW
from tests.core.chat import HAPPY_ANSWERS, START, Chat


def test_first_message_starts_qualifying_with_welcome_and_first_question(chat: Chat) -> None:
    replies = chat.say("Hi, I want a tattoo")
    assert chat.lead.status == "QUALIFYING" and chat.lead.step == 0
    assert [r.key for r in replies] == ["welcome"]
    assert "Sam" in replies[0].text and "What tattoo would you like" in replies[0].text
    assert chat.lead.answers == {}  # the greeting is not an answer


def test_handle_does_not_mutate_its_input(chat: Chat) -> None:
    chat.say("Hi")
    before = deepcopy(chat.lead)
    engine.handle(chat.lead, Inbound("x", 0, text="A koi"), START, chat.policy)
    assert chat.lead == before


def test_every_message_opens_the_window_and_resets_reminders(chat: Chat) -> None:
    chat.say("Hi")
    chat.lead.reminders_sent = 1
    chat.wait(5)
    chat.say("A koi fish")
    assert chat.lead.last_client_at == chat.now and chat.lead.reminders_sent == 0
    assert engine.window_open(chat.lead, chat.now + WINDOW / 2)
    assert not engine.window_open(chat.lead, chat.now + WINDOW)


def test_full_consultation_reaches_pending_approval(chat: Chat) -> None:
    summary = chat.to_summary()
    assert chat.lead.reviewing and chat.lead.status == "QUALIFYING"
    assert [r.key for r in summary] == ["summary"]
    text = summary[0].text
    for shown in [
        "Budget: £2,000",
        "Size: 10×12 cm",
        "Location: Leeds, United Kingdom",
        "Detail level: Medium detail",
        "Cover-up: No",
        "Instagram: @ink.by.sam",
    ]:
        assert shown in text
    assert [b.title for b in summary[0].buttons] == ["Confirm", "Change something"]

    chat.tap("review_confirm", "Confirm")
    assert chat.lead.status == "PENDING_APPROVAL" and chat.lead.confirmed
    assert chat.keys("client") == ["status.pending_approval"]
    assert "£150" in chat.text("client")  # the deposit, said honestly
    assert chat.keys("artist") == ["artist.new_lead"]
    artist = chat.text("artist")
    for shown in ["Idea: A dragon wrapped around a sword", "Placement: Forearm",
                  "Size: 10×12 cm (120 cm²)", "Style: Realism", "Complexity: Medium detail",
                  "Cover-up: No", "Location: Leeds, United Kingdom (UK)",
                  "Budget: £2,000 (min £400)", "Instagram: @ink.by.sam", "deposit £150",
                  "£650–£910", "Timing: Next 2-4 weeks"]:  # fmt: skip
        assert shown in artist
    assert "None" not in artist
    assert "lead.pending_approval" in chat.event_types()
    assert chat.lead.estimate is not None and chat.lead.estimate.category == "MEDIUM"


def test_all_thirteen_answers_are_recorded_with_known_keys(chat: Chat) -> None:
    chat.to_summary(HAPPY_ANSWERS[:8] + ["Little Snoring", "United States"] + HAPPY_ANSWERS[9:])
    assert set(chat.lead.answers) == set(KEYS)
    assert chat.lead.parsed["country"] == "United States" and chat.lead.parsed["region"] == "ROW"


def test_city_with_a_known_country_skips_the_country_question(chat: Chat) -> None:
    chat.say("Hi")
    for answer in HAPPY_ANSWERS[:8]:
        chat.say(answer)
    assert chat.keys() == ["question.location_city"]
    chat.say("Berlin")
    assert chat.keys() == ["question.instagram_handle"]
    assert chat.lead.parsed["country"] == "Germany"


def test_unknown_city_asks_for_the_country(chat: Chat) -> None:
    chat.say("Hi")
    for answer in HAPPY_ANSWERS[:8]:
        chat.say(answer)
    chat.say("Little Snoring")
    assert chat.keys() == ["question.location_country"]


def test_interactive_answers_are_read_by_choice_id(chat: Chat) -> None:
    chat.say("Hi")
    chat.say("A rose")
    chat.tap("placement_0", "Forearm")
    assert chat.lead.answers["placement"] == "Forearm"
    chat.say("8cm")
    chat.tap("style_1", "Realism")
    chat.tap("complexity_3", "High detail/realism")
    assert chat.lead.parsed["complexity"] == 3
    chat.tap("coverup_no", "No")
    assert chat.lead.parsed["coverup"] is False
    assert chat.keys() == ["question.reference_images"]


def test_other_row_asks_to_type_the_answer(chat: Chat) -> None:
    chat.say("Hi")
    chat.say("A rose")
    chat.tap("placement_other", "Other (type it)")
    assert chat.keys() == ["question.placement.other"] and chat.lead.step == 1
    chat.say("behind the ear")
    assert chat.lead.answers["placement"] == "behind the ear"


def test_choice_questions_carry_buttons_and_lists(chat: Chat) -> None:
    chat.say("Hi")
    placement = chat.say("A rose")[0]
    assert len(placement.rows) == 10 and placement.rows[-1].title == "Other (type it)"
    chat.say("forearm")
    style = chat.say("8cm")[0]
    assert len(style.rows) == 10 and style.rows[-1].title == "Other (type it)"
    complexity = chat.say("fine line")[0]
    assert len(complexity.buttons) == 3
    coverup = chat.say("1")[0]
    assert [b.title for b in coverup.buttons] == ["Yes", "No"]


def test_timing_offers_three_buttons(chat: Chat) -> None:
    chat.say("Hi")
    for answer in HAPPY_ANSWERS[:11]:
        chat.say(answer)
    assert [b.title for b in chat.replies[0].buttons] == [
        "Next 2-4 weeks",
        "1-2 months",
        "Flexible",
    ]


def test_invalid_size_is_reasked_with_an_example_the_parser_accepts(chat: Chat) -> None:
    chat.say("Hi")
    chat.say("A rose")
    chat.say("forearm")
    replies = chat.say("palm-sized")
    assert [r.key for r in replies] == ["repair.dimensions"] and chat.lead.step == 2
    assert "10x12cm" in replies[0].text and "palm" not in replies[0].text
    assert chat.lead.failures == {"dimensions": 1}
    chat.say("10x12cm")
    assert chat.lead.step == 3 and "dimensions" not in chat.lead.failures


def test_two_failures_on_one_field_hand_over_to_the_artist(chat: Chat) -> None:
    chat.say("Hi")
    for answer in HAPPY_ANSWERS[:7]:
        chat.say(answer)
    chat.say("not sure")
    replies = chat.say("whatever you think")
    assert chat.lead.status == "NEEDS_ARTIST_REPLY"
    assert chat.lead.handover_reason == "Could not understand budget after 2 attempts"
    assert chat.lead.handover_from == "QUALIFYING"
    assert [(r.to, r.key) for r in replies] == [
        ("client", "handover.client"),
        ("artist", "handover.artist"),
    ]
    assert "Could not understand budget after 2 attempts" in replies[1].text


def test_budget_below_fifty_pounds_is_reasked(chat: Chat) -> None:
    chat.say("Hi")
    for answer in HAPPY_ANSWERS[:7]:
        chat.say(answer)
    assert chat.say("20")[0].key == "repair.budget"


def test_media_at_the_reference_step_is_kept_and_moves_on(chat: Chat) -> None:
    chat.say("Hi")
    for answer in HAPPY_ANSWERS[:6]:
        chat.say(answer)
    replies = chat.say(kind="media", media=Media("img-1", "image"))
    assert chat.lead.media == ["img-1"] and chat.lead.parsed["reference_count"] == 1
    assert replies[0].key == "question.budget" and "saved" in replies[0].text


def test_media_at_another_step_is_kept_and_the_question_repeated(chat: Chat) -> None:
    chat.say("Hi")
    chat.say("A rose")
    replies = chat.say(kind="media", media=Media("img-2", "image"))
    assert chat.lead.step == 1 and chat.lead.media == ["img-2"]
    assert replies[0].key == "question.placement" and "saved" in replies[0].text


def test_a_media_caption_is_read_as_the_answer(chat: Chat) -> None:
    chat.say("Hi")
    chat.say("A rose")
    chat.say("forearm")
    chat.say("10x12cm like this", kind="media", media=Media("img-3", "image"))
    assert chat.lead.step == 3 and chat.lead.parsed["area_cm2"] == 120


def test_reference_links_are_counted(chat: Chat) -> None:
    chat.say("Hi")
    for answer in HAPPY_ANSWERS[:6]:
        chat.say(answer)
    chat.say("https://pin.it/abc and instagram.com/p/xyz")
    assert chat.lead.parsed["reference_count"] == 2


def test_reactions_get_no_reply_and_change_nothing_but_the_clock(chat: Chat) -> None:
    chat.say("Hi")
    before = deepcopy(chat.lead)
    chat.wait(1)
    assert chat.say("👍", kind="reaction") == []
    assert chat.lead.last_client_at == chat.now
    assert chat.lead.step == before.step and chat.lead.answers == before.answers


def test_unsupported_messages_are_asked_again_as_text(chat: Chat) -> None:
    chat.say("Hi")
    replies = chat.say("poll", kind="unsupported")
    assert replies[0].key == "question.idea" and "as text" in replies[0].text


def test_location_pin_with_a_name_answers_the_city(chat: Chat) -> None:
    chat.say("Hi")
    for answer in HAPPY_ANSWERS[:8]:
        chat.say(answer)
    chat.say("53.8,-1.55 Leeds Kirkgate Market, Leeds, UK", kind="location")
    assert chat.lead.parsed["city"] == "Leeds"


def test_location_pin_without_a_name_asks_to_type_the_city(chat: Chat) -> None:
    chat.say("Hi")
    for answer in HAPPY_ANSWERS[:8]:
        chat.say(answer)
    assert chat.say("53.8,-1.55", kind="location")[0].key == "location.type_city"
    assert chat.lead.step == 8


def test_summary_correction_reparses_the_field_and_shows_the_summary_again(chat: Chat) -> None:
    chat.to_summary()
    replies = chat.say("change budget to 800")
    assert [r.key for r in replies] == ["summary"] and "Budget: £800" in replies[0].text
    chat.say("size is 15x20cm")
    assert "Size: 15×20 cm" in chat.replies[0].text
    chat.say("budget 900")
    assert chat.lead.parsed["budget_pence"] == 90_000 and chat.lead.reviewing


def test_change_something_lists_fields_and_reasks_the_chosen_one(chat: Chat) -> None:
    chat.to_summary()
    listing = chat.tap("review_change", "Change something")[0]
    assert listing.key == "review.change" and len(listing.rows) == 10
    chat.tap("change_budget", "Budget")
    assert chat.keys() == ["question.budget"] and chat.lead.editing == "budget"
    replies = chat.say("£3,000")
    assert [r.key for r in replies] == ["summary"] and "Budget: £3,000" in replies[0].text
    assert chat.lead.editing is None and chat.lead.reviewing


def test_changing_the_city_to_an_unknown_one_asks_the_country_then_summarises(chat: Chat) -> None:
    chat.to_summary()
    chat.say("city Little Snoring")
    assert chat.keys() == ["question.location_country"]
    chat.say("USA")
    assert chat.keys() == ["summary"] and "Little Snoring, United States" in chat.replies[0].text


def test_unclear_reply_at_the_summary_explains_how_to_confirm(chat: Chat) -> None:
    chat.to_summary()
    assert chat.say("hmm")[0].key == "review.help"
    assert chat.lead.status == "QUALIFYING"


def test_typed_yes_at_the_summary_confirms(chat: Chat) -> None:
    chat.to_summary()
    chat.say("yes")
    assert chat.lead.status == "PENDING_APPROVAL"


def test_stored_answers_are_capped(chat: Chat) -> None:
    chat.say("Hi")
    chat.say("dragon " * 1000)
    idea = chat.lead.answers["idea"]
    assert len(idea) == 1000 and idea.startswith("dragon dragon") and idea.endswith("…")


def test_long_answers_still_fit_the_summary_buttons(chat: Chat) -> None:
    long = "x" * 900
    chat.to_summary(
        [long, long, "10x12cm", long, "2", "no", long, "800", "Leeds", "none", "same", long]
    )
    assert chat.lead.reviewing
    assert all(len(r.text) <= 1024 for r in chat.replies if r.buttons)


def test_a_lead_in_an_unknown_step_starts_over(chat: Chat) -> None:
    chat.lead = Lead(lead_id="x", status="QUALIFYING", step=42)
    assert chat.say("hello")[0].key == "welcome" and chat.lead.step == 0


def test_marketing_consent_is_asked_once_with_buttons_and_its_answer_only_acknowledged(
    chat: Chat,
) -> None:
    chat.policy = dataclasses.replace(chat.policy, ask_marketing_consent=True)
    chat.to_summary(HAPPY_ANSWERS)
    chat.tap("review_confirm", "Confirm")
    [ask] = [r for r in chat.replies if r.key == "consent.ask"]
    assert [b.id for b in ask.buttons] == ["marketing_yes", "marketing_no"]
    assert "optional" in ask.text and "STOP" in ask.text
    assert chat.lead.marketing_asked

    chat.tap("marketing_yes", "Yes, send me news")
    assert chat.keys("client") == ["consent.granted"]
    assert chat.lead.status == "PENDING_APPROVAL" and not chat.lead.opted_out
    chat.tap("stop_promotions", "Stop promotions")
    assert chat.keys("client") == ["consent.stopped"]
    assert chat.lead.status == "PENDING_APPROVAL" and not chat.lead.opted_out
