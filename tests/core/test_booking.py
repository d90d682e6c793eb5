"""The booking core (consultation/booking.py), the booking itself: reading the client's pick,
holding it while they pay, and booking the paid hold.

Leads come from tests/core/booking_leads.py, which lists the default offer at START.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from consultation import artist, booking, engine, slot_choice
from consultation.lead import Lead, Payment, Policy, Turn
from consultation.slots import free_slots
from consultation.terms import deposit_terms

# Leads here were offered times with no rules recorded, so they are decided with the week
from tests.core.booking_leads import (
    RULES,
    TOUR,
    on_tour,
    pay_workflow,
    released_all,
    the,
)
from tests.core.chat import START
from tests.core.leads import (
    POLICY,
    Workflow,
    approved,
    at,
    awaiting_deposit,
    book,
    client,
    deposit_paid,
    events,
    hold,
    keys,
    link,
    offer,
    offered,
    release,
    texts,
)

# -- choosing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "choice_id", "option"),
    [
        ("3", None, 3),
        ("option 3", None, 3),
        ("3️⃣ please", None, 3),
        ("the third one", None, 3),
        ("Tue 6 May, 10:00am", "slot:3:20250506T0900Z", 3),  # a tap on the list
        ("Wednesday 1:30pm", None, 4),
        ("wed 13:30", None, 4),
        ("Sat 10am", None, 7),
        ("Saturday 10th", None, 7),
        ("the 2nd", None, 2),
        ("first available", None, 1),
        ("the last one", None, 8),
    ],
)
def test_a_reply_that_picks_one_time_asks_for_it_to_be_held(
    text: str, choice_id: str | None, option: int
) -> None:
    lead = offered()
    turn = client(lead, text, 0.1, choice_id=choice_id)
    slot = lead.booking.offered[option - 1]
    assert turn.lead.booking.picked == slot and turn.replies == []
    assert "booking.picked" in events(turn)
    need = booking.next_need(turn.lead, at(0.1), POLICY)
    assert need == booking.PlaceHold(
        "lead-0001-abcdef:hold:1", [(slot.start, slot.end)], at(0.1) + timedelta(minutes=60)
    )


@pytest.mark.parametrize(("hold_minutes", "minutes"), [(60, 60), (10, 30), (240, 240)])
def test_a_hold_lasts_the_policys_minutes_but_never_under_half_an_hour(
    hold_minutes: int, minutes: int
) -> None:
    policy = replace(POLICY, hold_minutes=hold_minutes)
    turn = client(offered(), "2", policy=policy)
    need = booking.next_need(turn.lead, START, policy)
    assert isinstance(need, booking.PlaceHold)
    assert need.expires_at == START + timedelta(minutes=minutes)


def test_an_ambiguous_reply_asks_with_buttons_and_a_time_then_settles_it() -> None:
    lead = offered()
    turn = client(lead, "Friday", 0.1)
    question = the(turn, "booking.which")
    assert question.text == "Which one: Fri 2 May at 1pm or Fri 9 May at 1:30pm?"
    assert [(b.id, b.title) for b in question.buttons] == [
        ("slot:1:20250502T1200Z", "Fri 2 May, 1:00pm"),
        ("slot:6:20250509T1230Z", "Fri 9 May, 1:30pm"),
    ]
    assert turn.lead.booking.candidates == [0, 5] and turn.lead.booking.picked is None
    # "1:30pm" alone would be four times; after the question it is the Friday one.
    settled = client(turn.lead, "1:30pm", 0.2)
    assert settled.lead.booking.picked == lead.booking.offered[5]
    assert settled.lead.booking.candidates == []


def test_a_tap_on_an_ambiguity_button_picks_that_time() -> None:
    lead = client(offered(), "Friday", 0.1).lead
    turn = client(lead, "Fri 9 May, 1:30pm", 0.2, choice_id="slot:6:20250509T1230Z")
    assert turn.lead.booking.picked == lead.booking.offered[5]


def test_after_an_ambiguity_the_whole_list_still_counts() -> None:
    lead = client(offered(), "Friday", 0.1).lead
    turn = client(lead, "actually 3", 0.2)
    assert turn.lead.booking.picked == lead.booking.offered[2]


def test_more_than_three_candidates_are_asked_in_words() -> None:
    turn = client(offered(), "1:30pm", 0.1)
    question = the(turn, "booking.which")
    assert question.buttons == () and "Wednesday" in question.text
    assert turn.lead.booking.candidates == [1, 3, 5, 7]


@pytest.mark.parametrize("text", ["4:15pm", "at 4:15", "16:15", "Saturday 4:15pm", "4.15pm"])
def test_a_time_like_4_15pm_is_never_option_4(text: str) -> None:
    turn = client(offered(), text, 0.1)
    assert turn.lead.booking.picked is None
    assert keys(turn, "client") == ["booking.repair"]


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("banana", "Reply with the number of the time you'd like (1 to 8)"),
        ("9", "I've only got 8 times listed"),
        ("Monday", "Nothing on Monday in this list"),
        ("Saturday 11am", "On Saturday I can do 1:30pm or 10am"),
        ("option 1 on Saturday", "Option 1 is Fri 2 May, 1pm"),
    ],
)
def test_a_reply_not_understood_gets_a_hint(text: str, hint: str) -> None:
    turn = client(offered(), text, 0.1)
    repair = the(turn, "booking.repair")
    assert hint in repair.text
    assert turn.lead.booking.picked is None and turn.lead.booking.failures == 1
    assert [e.level for e in turn.events if e.type == "booking.not_understood"] == ["WARN"]
    assert client(turn.lead, "kiwi", 0.2).lead.booking.failures == 2
    assert client(turn.lead, "2", 0.2).lead.booking.failures == 0


def test_a_third_reply_not_understood_hands_the_time_to_the_artist_and_resume_reoffers() -> None:
    lead = offered()
    for number, text in enumerate(["banana", "kiwi"], start=1):
        lead = client(lead, text, 0.1 * number).lead
    turn = client(lead, "mango", 0.3)
    assert turn.lead.status == "NEEDS_ARTIST_REPLY"
    assert turn.lead.handover_kind == "slot_choice"
    assert turn.lead.handover_from == "AWAITING_DEPOSIT"
    assert keys(turn, "client") == ["handover.client"] and keys(turn, "artist") == [
        "handover.artist"
    ]
    assert "Could not understand a time after 3 tries" in texts(turn, "artist")
    # The artist sorts it out and hands back: a fresh round of times.
    resumed = artist.decide(turn.lead, "resume", at(2), POLICY).lead
    assert resumed.status == "AWAITING_DEPOSIT" and resumed.booking.failures == 0
    assert isinstance(booking.next_need(resumed, at(2), POLICY), booking.FindTimes)


def test_a_tap_on_a_row_no_longer_offered_is_not_guessed() -> None:
    turn = client(offered(), "Sun 4 May", 0.1, choice_id="slot:2:20250504T0900Z")
    assert turn.lead.booking.picked is None
    assert "out of date" in the(turn, "booking.repair").text


def test_more_offers_only_unseen_times_until_none_are_left_then_starts_over() -> None:
    workflow = Workflow()
    lead = offered()
    seen = set(lead.booking.offered)
    total = len(free_slots(RULES, "MEDIUM", None, [], START))
    rounds = 1
    while True:
        turn = client(lead, "more")  # at START, so the free times stay the same
        assert turn.replies == [] and turn.lead.booking.intro == "more"
        assert isinstance(booking.next_need(turn.lead, START, POLICY), booking.FindTimes)
        turn = workflow.run(turn, START)
        lead = turn.lead
        if keys(turn, "client") == ["booking.offer.no_more"]:
            break
        assert keys(turn, "client") == ["booking.offer.more"]
        assert not set(lead.booking.offered) & seen  # nothing shown twice
        seen |= set(lead.booking.offered)
        rounds += 1
        more_row = turn.replies[0].rows[-1].id == slot_choice.MORE_ID
        assert more_row is (len(seen) < total)
    assert len(seen) == total and rounds == -(-total // 8)
    # Every time has been shown: the list starts again from the soonest, with all to come.
    assert lead.booking.offered == offered().booking.offered
    assert "Those are all the free times" in turn.replies[0].text


def test_the_more_row_tap_asks_for_other_times() -> None:
    turn = client(offered(), "More times", 0.1, choice_id=slot_choice.MORE_ID)
    assert turn.lead.booking.wants_slots and turn.lead.booking.intro == "more"


# -- holding ------------------------------------------------------------------------------------


def test_a_won_hold_asks_for_a_checkout_that_lives_as_long_as_the_hold() -> None:
    lead = client(offered(), "2", 0.1).lead
    turn = hold(lead, hours=0.1)
    held_slot = turn.lead.booking.hold
    assert held_slot is not None and held_slot.slot == lead.booking.offered[1]
    assert held_slot.hold_id == "lead-0001-abcdef:hold:1" and held_slot.session_id is None
    assert turn.lead.booking.picked is None and turn.lead.booking.offered == []
    assert turn.replies == [] and "booking.held" in events(turn)
    need = booking.next_need(turn.lead, at(0.1), POLICY)
    assert need == booking.MakeCheckout(held_slot.expires_at)
    sent = link(turn.lead, hours=0.1)
    assert sent.lead.booking.hold is not None and sent.lead.booking.hold.session_id == "cs_1"


def test_a_hold_lost_to_someone_faster_offers_the_times_again() -> None:
    workflow = Workflow(busy=[])
    lead = client(offered(), "2", 0.1).lead
    lost = hold(lead, won=False, hours=0.1)
    assert lost.lead.booking.hold is None and lost.lead.booking.picked is None
    assert "booking.slot_taken" in events(lost) and lost.replies == []
    assert lost.lead.booking.intro == "taken"
    # The calendar now shows the slot as taken (someone else's hold).
    workflow.busy = [(lead.booking.offered[1].start, lead.booking.offered[1].end)]
    turn = workflow.run(lost, at(0.1))
    message = the(turn, "booking.offer.taken")
    assert message.text.startswith("Sorry, that time has just been taken.")
    assert lead.booking.offered[1] not in turn.lead.booking.offered
    # The next hold has the next number.
    picked = client(turn.lead, "1", 0.2).lead
    need = booking.next_need(picked, at(0.2), POLICY)
    assert isinstance(need, booking.PlaceHold) and need.hold_id.endswith(":hold:2")


def test_a_held_slot_lapses_its_hold_is_released_and_fresh_times_follow() -> None:
    lead = awaiting_deposit()
    hold_ = lead.booking.hold
    assert hold_ is not None and engine.next_reminder_at(lead, POLICY) == hold_.expires_at
    lapsed = engine.remind(lead, hold_.expires_at, POLICY)
    assert "booking.hold_lapsed" in events(lapsed)
    assert booking.next_need(lapsed.lead, at(1), POLICY) == booking.ReleaseHold(hold_)
    released = release(lapsed.lead, 1)
    assert released.lead.booking.release == [] and released.lead.booking.lapsed == [hold_]
    turn = offer(released.lead, 1)
    assert keys(turn, "client") == ["booking.offer.lapsed"]
    assert "The time I was holding for you has been released" in turn.replies[0].text


def test_a_hold_lapsing_a_day_late_sends_one_list_not_a_reminder_after_it() -> None:
    """The worker was down past the 24 h deposit reminder: the lapse's fresh list stands for it."""
    lead = awaiting_deposit()
    lapsed = engine.remind(lead, at(30), POLICY)
    assert "booking.hold_lapsed" in events(lapsed)
    turn = offer(release(lapsed.lead, 30).lead, 30)
    assert keys(turn, "client") == ["booking.offer.lapsed"]
    assert engine.next_reminder_at(turn.lead, POLICY) == at(72)
    assert engine.remind(turn.lead, at(30), POLICY).replies == []


def test_a_hold_lapsing_after_the_deposit_expired_offers_nothing_before_the_expiry() -> None:
    lead = awaiting_deposit()
    lapsed = engine.remind(lead, at(100), POLICY)
    assert "booking.hold_lapsed" in events(lapsed) and lapsed.replies == []
    released = release(lapsed.lead, 100).lead
    assert booking.next_need(released, at(100), POLICY) is None  # no times to look up
    expired = engine.remind(released, at(100), POLICY)
    assert expired.lead.status == "DEPOSIT_EXPIRED"
    assert keys(expired, "client") == ["deposit.expired"]


def test_asking_for_other_times_while_holding_releases_the_hold() -> None:
    workflow = Workflow()
    lead = awaiting_deposit()
    hold_ = lead.booking.hold
    assert hold_ is not None
    turn = client(lead, "can I see other times?", 0.2)
    assert turn.lead.booking.hold is None and turn.lead.booking.release == [hold_]
    assert turn.lead.deposit is not None and turn.lead.deposit.url is None  # the link is dead
    assert "booking.hold_given_up" in events(turn)
    assert booking.next_need(turn.lead, at(0.2), POLICY) == booking.ReleaseHold(hold_)
    turn = workflow.run(turn, at(0.2))
    assert keys(turn, "client") == ["booking.offer.more"]
    assert hold_.slot not in turn.lead.booking.offered  # it was seen: others first
    assert engine.next_reminder_at(turn.lead, POLICY) == at(24)  # no hold timer any more


def test_other_messages_while_holding_keep_the_hold() -> None:
    lead = awaiting_deposit()
    for text, choice_id in [("3", None), ("when do I pay?", None), ("x", "slot:3:20250506T0900Z")]:
        turn = client(lead, text, 0.2, choice_id=choice_id)
        assert turn.lead.booking == lead.booking
        assert booking.next_need(turn.lead, at(0.2), POLICY) is None


def expired_while_holding() -> Turn:
    """The latest time picked at 95.5 h: held until 96.5 h; the deposit request lapses at 96 h."""
    lead = link(hold(client(offered(), "8", 95.5).lead, hours=95.5).lead, hours=95.5).lead
    return engine.remind(lead, at(96), POLICY)


@pytest.mark.parametrize(
    ("case", "stop"),
    [
        ("rejected", lambda: artist.decide(awaiting_deposit(), "reject", at(0.2), POLICY)),
        ("opted out", lambda: client(awaiting_deposit(), "STOP", 0.2)),
        ("handed over", lambda: client(awaiting_deposit(), "can I talk to the artist", 0.2)),
        ("deposit expired", expired_while_holding),
    ],
)
def test_a_hold_is_released_when_the_lead_stops_choosing(
    case: str, stop: Callable[[], Turn]
) -> None:
    turn = stop()
    hold_ = turn.lead.booking.hold
    assert hold_ is not None and turn.lead.status not in booking.HOLDING
    now = at(96) if case == "deposit expired" else at(0.2)
    assert booking.next_need(turn.lead, now, POLICY) == booking.ReleaseHold(hold_)
    released = booking.released(turn.lead, hold_.hold_id, now, POLICY).lead
    assert released.booking.hold is None and booking.next_need(released, now, POLICY) is None


# -- paying and booking -------------------------------------------------------------------------


def test_paying_for_a_held_slot_books_it_with_a_deterministic_event_id() -> None:
    lead = deposit_paid()
    hold_ = lead.booking.hold
    assert hold_ is not None
    need = booking.next_need(lead, at(0.5), POLICY)
    assert isinstance(need, booking.BookHold)
    assert need.hold == hold_ and need.spans == [(hold_.slot.start, hold_.slot.end)]
    assert need.event_id == booking.event_id("lead-0001-abcdef", 1)
    assert need.title == "Tattoo: Lead lead-000 (medium)"
    assert "A dragon wrapped around a sword" in need.description
    done = book(lead)
    assert done.lead.booking.event_ids == [need.event_id] and done.lead.booking.bookings == 1
    assert done.lead.booking.slot == hold_.slot and done.lead.booking.hold is None
    assert "lead.booked" in events(done)


@pytest.mark.parametrize(
    ("lead_id", "number"), [("lead-0001-abcdef", 1), ("lead-0001-abcdef", 2), ("x", 1), ("", 7)]
)
def test_event_ids_are_base32hex_stable_and_fresh_for_each_booking(
    lead_id: str, number: int
) -> None:
    event_id = booking.event_id(lead_id, number)
    assert re.fullmatch(r"[0-9a-v]{32}", event_id)  # Google's allowed characters
    assert booking.event_id(lead_id, number) == event_id  # a retried insert finds its event
    assert booking.event_id(lead_id, number + 1) != event_id  # a rebooking gets its own
    assert booking.event_id(lead_id + "x", number) != event_id


def test_the_first_event_id_is_pinned() -> None:
    """A change to how ids are made would duplicate events for bookings being retried."""
    assert booking.event_id("lead-0001-abcdef", 1) == "bl805fs5se5rlktoojv4kgm9jikp1r1m"


@pytest.mark.parametrize(
    ("policy", "build", "when", "place"),
    [
        (POLICY, approved, "Fri 2 May, 1:00pm–4:00pm", "📍 Sam's studio, London"),
        (replace(POLICY, studio_address="12 Ink Lane, London E1 6QL"), approved,
         "Fri 2 May, 1:00pm–4:00pm", "📍 12 Ink Lane, London E1 6QL"),
        (TOUR, on_tour, "Tue 6 May, 10:00am–1:00pm",
         "📍 Berlin: Sam will send you the address before the day"),
    ],
)  # fmt: skip
def test_the_booking_is_confirmed_with_date_time_zone_place_and_policy(
    policy: Policy, build: Callable[[], Lead], when: str, place: str
) -> None:
    workflow = Workflow(policy=policy)
    lead = workflow.run(Turn(build()), START).lead
    lead = workflow.say(lead, "1", START).lead
    assert lead.booking.hold is not None
    done = pay_workflow(lead, workflow, at(0.5))
    assert done.lead.status == "BOOKED" and keys(done, "client") == ["booking.confirmed"]
    assert keys(done, "artist") == ["artist.booked"]
    assert done.lead.booking.slot == lead.booking.hold.slot
    confirmation = the(done, "booking.confirmed")
    assert f"📅 {when} (BST)" in confirmation.text
    assert place in confirmation.text and "💳 Deposit paid: £150" in confirmation.text
    assert deposit_terms(policy) in confirmation.text
    assert confirmation.template is not None
    assert confirmation.template.params == ("Sam", f"{when} (BST)")
    told = the(done, "artist.booked").text
    assert when in told and place.removeprefix("📍 ") in told and "£150" in told


def test_a_booking_that_fails_tells_both_and_releases_the_hold() -> None:
    lead = deposit_paid()
    hold_ = lead.booking.hold
    assert hold_ is not None
    turn = book(lead, ok=False)
    assert turn.lead.status == "BOOKING_PENDING"
    assert keys(turn, "client") == ["booking.slot_lost"] and keys(turn, "artist") == [
        "artist.slot_lost"
    ]
    assert "your payment of £150 is safe" in turn.replies[0].text
    assert "Fri 2 May, 1:00pm–4:00pm" in turn.replies[1].text
    assert [e.level for e in turn.events if e.type == "booking.failed"] == ["WARN"]
    assert turn.lead.booking.hold is None and turn.lead.booking.bookings == 0
    assert booking.next_need(turn.lead, at(0.5), POLICY) == booking.ReleaseHold(hold_)
    assert artist.actions_for(turn.lead) == ["mark_booked", "offer_times"]


def test_a_late_payment_after_the_hold_lapsed_takes_the_same_slot_back() -> None:
    workflow = Workflow()
    lead = awaiting_deposit("4")  # Wed 7 May, held until 1 h
    hold_ = lead.booking.hold
    assert hold_ is not None
    turn = workflow.remind(lead, at(1))
    assert keys(turn, "client") == ["booking.offer.lapsed"]
    lapsed = turn.lead
    # The payment through the lapsed hold's link lands a minute later.
    turn = workflow.pay(lapsed, Payment("evt_1", "paid", "cs_1", "pi_1", 15_000), at(1.02))
    assert "booking.rehold" in events(turn)
    place = [n for n in workflow.needs if isinstance(n, booking.PlaceHold)][-1]
    assert place.spans == [(hold_.slot.start, hold_.slot.end)]
    assert place.hold_id.endswith(":hold:2")
    assert turn.lead.status == "BOOKED" and turn.lead.booking.slot == hold_.slot
    assert keys(turn, "client") == ["booking.confirmed"] and keys(turn, "artist") == [
        "artist.booked"
    ]


def test_a_late_payment_whose_slot_was_taken_goes_to_the_artist() -> None:
    workflow = Workflow()
    lapsed = workflow.remind(awaiting_deposit(), at(1)).lead
    workflow.won = False  # someone else held it meanwhile
    turn = workflow.pay(lapsed, Payment("evt_1", "paid", "cs_1", "pi_1", 15_000), at(1.5))
    assert turn.lead.status == "BOOKING_PENDING"
    assert keys(turn, "client") == ["booking.slot_lost"]
    assert keys(turn, "artist") == ["artist.slot_lost"]
    assert booking.next_need(turn.lead, at(1.5), POLICY) is None  # the artist decides


def test_a_payment_with_no_hold_to_match_lets_the_client_pick_then_books() -> None:
    workflow = Workflow()
    lead = offered()
    turn = workflow.pay(lead, Payment("evt_1", "paid", "cs_old", "pi_1", 15_000), at(2))
    assert turn.lead.status == "BOOKING_PENDING"
    assert keys(turn, "client") == ["booking.offer.paid"]
    assert keys(turn, "artist") == ["artist.deposit_paid"]
    turn = workflow.say(turn.lead, "5", at(2.1))
    assert turn.lead.status == "BOOKED" and keys(turn, "client") == ["booking.confirmed"]
    assert workflow.checkouts == 0  # paid already: never a link


def test_a_late_payment_for_a_slot_already_past_is_not_booked_into_the_past() -> None:
    workflow = Workflow()
    lead = awaiting_deposit()  # Fri 2 May 1:00pm BST = START + 24 h
    lapsed = workflow.remind(lead, at(1)).lead
    turn = workflow.pay(lapsed, Payment("evt_1", "paid", "cs_1", "pi_1", 15_000), at(30))
    assert not any(
        isinstance(n, booking.PlaceHold) and n.spans[0][0] < at(30) for n in workflow.needs
    )
    assert turn.lead.status == "BOOKING_PENDING"
    assert keys(turn, "client") == ["booking.offer.paid"]


def test_a_calendar_that_cannot_be_read_is_never_guessed() -> None:
    picked = client(offered(), "2", 0.1).lead
    turn = booking.calendar_failed(picked, "place_hold: connection refused", at(0.1), POLICY)
    assert turn.lead.booking.picked is None and turn.lead.booking.wants_slots is False
    assert keys(turn, "client") == ["booking.calendar_down"]
    assert keys(turn, "artist") == ["artist.calendar_down"]
    assert "connection refused" in turn.replies[1].text
    assert [e.level for e in turn.events] == ["ERROR"]
    assert booking.next_need(turn.lead, at(0.1), POLICY) is None


def test_a_pick_from_a_list_that_has_aged_offers_the_times_free_now() -> None:
    lead = offered()  # the first time is Fri 2 May, 1pm BST (25 h ahead when offered)
    first = lead.booking.offered[0].start
    late = first - timedelta(hours=6)  # the client answers a day later: now too close
    # Within half the notice of the offer it still counts.
    assert client(
        lead, "1", (first - timedelta(hours=13) - START) / timedelta(hours=1)
    ).lead.booking.picked
    turn = client(lead, "1", (late - START) / timedelta(hours=1))
    assert turn.lead.booking.picked is None
    assert isinstance(booking.next_need(turn.lead, late, POLICY), booking.FindTimes)
    assert turn.lead.booking.intro == "stale"
    assert "booking.pick_too_late" in events(turn)
    fresh = booking.offer(turn.lead, [], late, POLICY)
    assert "too close now to book" in the(fresh, "booking.offer.stale").text
    assert all(s.start >= late + timedelta(hours=24) for s in fresh.lead.booking.offered)


def test_a_checkout_stripe_will_not_make_lets_the_time_go_and_tells_both() -> None:
    lead = hold(client(offered(), "1", 0.1).lead, hours=0.1).lead
    assert isinstance(booking.next_need(lead, at(0.1), POLICY), booking.MakeCheckout)
    turn = booking.checkout_failed(lead, "PaymentRejected: invalid API key", at(0.1), POLICY)
    assert turn.lead.booking.hold is None and turn.lead.status == "AWAITING_DEPOSIT"
    assert isinstance(booking.next_need(turn.lead, at(0.1), POLICY), booking.ReleaseHold)
    assert keys(turn, "client") == ["deposit.checkout_down"]
    assert keys(turn, "artist") == ["artist.checkout_down"]
    assert "invalid API key" in texts(turn, "artist")
    # The artist sends it again: fresh times, and the client picks anew.
    again = artist.decide(released_all(turn.lead), "send_deposit", at(1), POLICY).lead
    assert isinstance(booking.next_need(again, at(1), POLICY), booking.FindTimes)
