"""The booking core (consultation/booking.py): offering free times, reading the client's pick,
holding it while they pay, booking the paid hold, and the appointment after.

Leads are built through the real functions (tests/core/leads.py); `Workflow` fulfils each need
the core asks for as the Temporal workflow would, with a fake calendar. START is Thursday
1 May 2025, 1:00pm BST; the default offer to a medium piece on an empty calendar is:

    1. Fri 2 May, 1:00pm–4:00pm     5. Thu 8 May, 10:00am–1:00pm
    2. Sat 3 May, 1:30pm–4:30pm     6. Fri 9 May, 1:30pm–4:30pm
    3. Tue 6 May, 10:00am–1:00pm    7. Sat 10 May, 10:00am–1:00pm
    4. Wed 7 May, 1:30pm–4:30pm     8. Tue 13 May, 1:30pm–4:30pm
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultation import artist, booking, engine, slot_choice
from consultation.calendar_rules import BEFORE_HISTORY
from consultation.calendar_rules import RULES as BUNDLED
from consultation.lead import Appointment, Lead, Payment, Policy, Slot, TourStop, Turn
from consultation.messages import MAX_BODY, MAX_LIST_ROWS, Inbound, Outbound
from consultation.slots import free_slots, session_spans
from consultation.terms import deposit_terms
from tests.core.chat import HAPPY_ANSWERS, START
from tests.core.leads import (
    POLICY,
    Workflow,
    approved,
    at,
    awaiting_deposit,
    book,
    booking_pending,
    client,
    deposit_paid,
    events,
    hold,
    keys,
    link,
    offer,
    offered,
    paid,
    pending_approval,
    release,
    texts,
)

# Leads here were offered times with no rules recorded, so they are decided with the week
# bundled before the rules travelled in history (Tue-Sat, 10:00-18:00): the scenarios' dates.
RULES = BEFORE_HISTORY
LONDON = ZoneInfo("Europe/London")
BUFFER = timedelta(minutes=RULES.buffer_minutes)


def london(y: int, m: int, d: int, h: int, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=LONDON)


def the(turn: Turn, key: str) -> Outbound:
    """The one reply with `key`."""
    found = [reply for reply in turn.replies if reply.key == key]
    assert len(found) == 1, [reply.key for reply in turn.replies]
    return found[0]


def only_day_free(day: date) -> list[tuple[datetime, datetime]]:
    """A calendar busy for weeks around START except on `day` (London)."""
    opens = datetime.combine(day, time(0), LONDON)
    return [(at(-24 * 30), opens), (opens + timedelta(days=1), at(24 * 60))]


def local_starts(slots: list[Slot]) -> list[str]:
    return [f"{slot.start.astimezone(LONDON):%a %d %H:%M}" for slot in slots]


def pay_workflow(lead: Lead, workflow: Workflow, now: datetime, event: str = "evt_1") -> Turn:
    """Paid through the link the fake workflow made (cs_w1, cs_w2 ...)."""
    session = f"cs_w{workflow.checkouts}"
    payment = Payment(event, "paid", session, f"pi_{event}", 15_000)
    return workflow.pay(lead, payment, now)


# -- offering -----------------------------------------------------------------------------------


def test_the_offer_is_a_list_of_eight_times_with_a_more_row_and_matching_lines() -> None:
    turn = offer(approved())
    message = the(turn, "booking.offer.approved")
    assert message.to == "client" and message.list_button == "See times"
    assert message.template is not None and message.template.name == "booking_times"
    offered_slots = turn.lead.booking.offered
    assert len(offered_slots) == RULES.max_suggestions == 8
    rows = message.rows
    assert len(rows) == 9 <= MAX_LIST_ROWS and rows[-1].id == slot_choice.MORE_ID
    lines = [line for line in message.text.splitlines() if re.match(r"^\d+\. ", line)]
    assert len(lines) == len(offered_slots)
    for number, (line, row, slot) in enumerate(zip(lines, rows, offered_slots, strict=False), 1):
        assert line.startswith(f"{number}. {row.title}")  # "3. Tue 6 May, 10:00am–1:00pm"
        assert row.id == slot_choice.row_id(number - 1, slot)
        assert row.id.startswith(f"slot:{number}:")
    assert lines[0] == "1. Fri 2 May, 1:00pm–4:00pm"
    assert "“Friday 1pm”" in message.text  # the example is the first time, as a client says it
    assert "booking.offered" in events(turn) and turn.lead.booking.wants_slots is False
    assert turn.lead.booking.seen == [slot.start for slot in offered_slots]


def test_times_follow_the_rules_the_calendar_reported_and_the_lead_keeps_them() -> None:
    """The bundled (reference) week: Mondays open, Saturdays closing at 4pm."""
    lead = approved()
    turn = booking.offer(lead, [], at(0), POLICY, BUNDLED)
    b = turn.lead.booking
    assert b.rules == BUNDLED.to_mapping()
    days = {slot.start.astimezone(LONDON).weekday() for slot in b.offered}
    assert 6 not in days
    for slot in b.offered:
        local_end = slot.end.astimezone(LONDON)
        assert (
            local_end.hour * 60 + local_end.minute <= (16 if local_end.weekday() == 5 else 18) * 60
        )
    everything = free_slots(BUNDLED, "MEDIUM", None, [], at(0))
    assert any(s.start.astimezone(LONDON).weekday() == 0 for s in everything)
    # A later round without rules of its own keeps the lead's: a Monday is still bookable.
    again = booking.offer(client(turn.lead, "more", 0.1).lead, [], at(0.1), POLICY)
    assert again.lead.booking.rules == BUNDLED.to_mapping()
    assert booking.rules_of(again.lead) == BUNDLED != BEFORE_HISTORY


@pytest.mark.parametrize(
    ("busy", "rows", "more"),
    [
        ([], 9, True),  # 8 of ~30 free times, and a row for the rest
        (only_day_free(date(2025, 5, 3)), 2, False),  # Saturday only: both its times, no more
        # ... and busy until noon: one time left.
        (
            only_day_free(date(2025, 5, 3)) + [(london(2025, 5, 3, 9), london(2025, 5, 3, 12))],
            1,
            False,
        ),  # fmt: skip
    ],
)
def test_the_more_row_is_there_only_when_more_times_exist(
    busy: list[tuple[datetime, datetime]], rows: int, more: bool
) -> None:
    turn = offer(approved(), busy=busy)
    message = turn.replies[0]
    assert len(message.rows) == rows
    assert (message.rows[-1].id == slot_choice.MORE_ID) is more
    assert len(turn.lead.booking.offered) == rows - more


@pytest.mark.parametrize(
    ("saturday_busy", "starts"),
    [
        ([], ["Sat 03 10:00", "Sat 03 13:30"]),  # 3 h sessions, 30 min apart
        ([(10, 0, 11, 30)], ["Sat 03 12:00"]),  # 30 min after what ends at 11:30
        ([(10, 0, 11, 31)], ["Sat 03 12:30"]),  # ... on the 30 min grid
        ([(13, 0, 13, 30)], ["Sat 03 14:00"]),  # a session must end 30 min before 1pm
        ([(16, 0, 17, 0)], ["Sat 03 10:00"]),  # 1:30pm–4:30pm would end inside the buffer
        ([(12, 30, 15, 0)], []),  # no 3 h gap with the buffers left
    ],
)
def test_busy_times_are_kept_clear_with_the_30_minute_buffer(
    saturday_busy: list[tuple[int, int, int, int]], starts: list[str]
) -> None:
    busy = only_day_free(date(2025, 5, 3)) + [
        (london(2025, 5, 3, h1, m1), london(2025, 5, 3, h2, m2)) for h1, m1, h2, m2 in saturday_busy
    ]
    turn = offer(approved(), busy=busy)
    assert local_starts(turn.lead.booking.offered) == starts
    if not starts:
        assert turn.lead.status == "COLLECTING_TIME_WINDOWS"


@pytest.mark.parametrize(
    "now",
    [START, london(2025, 5, 2, 17, 59), london(2025, 12, 23, 9), london(2026, 3, 27, 12)],
)
def test_offered_times_respect_the_notice_and_the_working_hours(now: datetime) -> None:
    lead = approved()
    turn = booking.offer(lead, [], now, POLICY)
    assert turn.lead.booking.offered
    for slot in turn.lead.booking.offered:
        local_start, local_end = slot.start.astimezone(LONDON), slot.end.astimezone(LONDON)
        assert slot.start >= now + timedelta(hours=RULES.minimum_notice_hours)
        assert slot.end <= now + timedelta(days=RULES.lookahead_days)
        assert local_start.weekday() in (1, 2, 3, 4, 5)  # closed Sunday and Monday
        assert time(10) <= local_start.time() and local_end.time() <= time(18)
        assert slot.end - slot.start == timedelta(hours=3)  # a medium session


def test_times_are_shown_in_london_time_across_the_october_clock_change() -> None:
    now = london(2026, 10, 20, 9)  # clocks go back on Sunday 25 October
    turn = booking.offer(approved(), [], now, POLICY)
    message = turn.replies[0]
    offered_slots = turn.lead.booking.offered
    assert [line for line in message.text.splitlines() if line[:2] in ("4.", "5.")] == [
        "4. Sat 24 Oct, 1:30pm–4:30pm",
        "5. Tue 27 Oct, 10:00am–1:00pm",
    ]
    # The same wall-clock opening is a different UTC instant on each side of the change.
    assert offered_slots[2].start == datetime(2026, 10, 23, 9, tzinfo=UTC)  # 10am BST
    assert offered_slots[4].start == datetime(2026, 10, 27, 10, tzinfo=UTC)  # 10am GMT
    assert message.rows[3].description == "1:30pm–4:30pm BST (3h)"
    assert message.rows[4].description == "10:00am–1:00pm GMT (3h)"


def test_the_booking_after_the_clock_change_says_gmt() -> None:
    now = london(2026, 10, 20, 9)
    workflow = Workflow()
    lead = workflow.run(booking.offer(approved(), [], now, POLICY), now).lead
    lead = workflow.say(lead, "5", now).lead
    done = pay_workflow(lead, workflow, now + timedelta(minutes=10))
    assert done.lead.status == "BOOKED"
    assert "📅 Tue 27 Oct, 10:00am–1:00pm (GMT)" in the(done, "booking.confirmed").text
    need = next(n for n in workflow.needs if isinstance(n, booking.BookHold))
    gmt_10am = datetime(2026, 10, 27, 10, tzinfo=UTC)
    assert need.spans == [(gmt_10am, gmt_10am + timedelta(hours=3))]


TOUR = replace(POLICY, tour=[TourStop("Berlin", "Germany", "2025-05-06", "2025-05-08")])
TOUR_DAYS = {date(2025, 5, 6), date(2025, 5, 7), date(2025, 5, 8)}


def on_tour() -> Lead:
    """A client in Berlin while the artist is there: the session is on the tour stop."""
    answers = [answer if answer != "Leeds, UK" else "Berlin, Germany" for answer in HAPPY_ANSWERS]
    lead = approved(pending_approval(TOUR, answers), policy=TOUR)
    assert lead.parsed.get("tour_city") == "Berlin"
    return lead


def test_on_tour_only_the_stops_days_are_offered() -> None:
    turn = offer(on_tour(), policy=TOUR)
    days = {slot.start.astimezone(LONDON).date() for slot in turn.lead.booking.offered}
    assert days == TOUR_DAYS


def test_a_stop_abroad_keeps_the_artists_local_hours_in_its_own_time() -> None:
    """Berlin in May is an hour ahead of London: sessions start at 10:00 Berlin time, and the
    list says so."""
    berlin = ZoneInfo("Europe/Berlin")
    stop = TourStop("Berlin", "Germany", "2025-05-06", "2025-05-08", timezone="Europe/Berlin")
    policy = replace(POLICY, tour=[stop])
    turn = booking.offer(on_tour(), [], at(0), policy, BEFORE_HISTORY)
    offered = turn.lead.booking.offered
    assert {slot.start.astimezone(berlin).date() for slot in offered} == TOUR_DAYS
    assert min(slot.start.astimezone(berlin).hour for slot in offered) == 10
    assert max(slot.end.astimezone(berlin).hour for slot in offered) <= 18
    assert turn.lead.booking.rules["timezone"] == "Europe/Berlin"
    assert "10:00am" in turn.replies[0].text  # shown in Berlin time
    # The artist's studio clients keep London hours.
    studio = booking.offer(approved(), [], at(0), policy, BEFORE_HISTORY)
    assert studio.lead.booking.rules["timezone"] == "Europe/London"


def test_studio_clients_are_not_offered_the_tour_days() -> None:
    turn = offer(approved(), policy=TOUR)
    days = {slot.start.astimezone(LONDON).date() for slot in turn.lead.booking.offered}
    assert days and not days & TOUR_DAYS


def test_the_first_offer_starts_the_deposit_round_and_later_ones_keep_it() -> None:
    lead = offered()
    assert lead.deposit is not None and lead.deposit.sent_at == START
    again = Workflow().say(lead, "more", at(3)).lead
    assert again.deposit is not None and again.deposit.sent_at == START


def test_times_are_not_offered_to_a_lead_that_moved_on() -> None:
    rejected = artist.decide(approved(), "reject", START, POLICY).lead
    assert booking.next_need(rejected, START, POLICY) is None
    turn = booking.offer(rejected, [], START, POLICY)
    assert turn.replies == [] and turn.lead.booking.offered == []
    assert turn.lead.booking.wants_slots is False


APPROVED = approved()
INSTANT = st.integers(0, 25 * 24 * 60).map(lambda m: START + timedelta(minutes=m))


@settings(max_examples=60, deadline=None)
@given(
    busy=st.lists(
        st.tuples(INSTANT, st.integers(15, 3 * 24 * 60)).map(
            lambda b: (b[0], b[0] + timedelta(minutes=b[1]))
        ),
        max_size=15,
    ),
    hours=st.integers(0, 24 * 7),
)
def test_any_calendar_gives_a_valid_offer_or_asks_for_windows(
    busy: list[tuple[datetime, datetime]], hours: int
) -> None:
    now = at(hours)
    turn = booking.offer(APPROVED, busy, now, POLICY)
    free = free_slots(RULES, "MEDIUM", None, busy, now)
    if not free:
        assert turn.lead.status == "COLLECTING_TIME_WINDOWS"
        assert keys(turn, "client") == ["booking.no_slots"]
        return
    message = turn.replies[0]
    offered_slots = turn.lead.booking.offered
    assert len(message.text) <= MAX_BODY and len(message.rows) <= MAX_LIST_ROWS
    assert set(offered_slots) <= set(free) and 0 < len(offered_slots) <= RULES.max_suggestions
    assert (message.rows[-1].id == slot_choice.MORE_ID) is (len(free) > len(offered_slots))
    for slot in offered_slots:
        assert not any(s - BUFFER < slot.end and slot.start < e + BUFFER for s, e in busy)


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


# -- nothing free: the client's preferred times --------------------------------------------------

FULL = [(at(-24), at(24 * 40))]


def test_no_free_times_collects_two_windows_hands_over_and_resume_offers_again() -> None:
    workflow = Workflow(busy=FULL)
    turn = workflow.decide(pending_approval(), "approve", START)
    assert turn.lead.status == "COLLECTING_TIME_WINDOWS"
    assert keys(turn, "client") == ["booking.no_slots"]
    assert "calendar is full" in the(turn, "booking.no_slots").text
    assert turn.lead.deposit is not None and turn.lead.deposit.sent_at is None  # nothing asked
    assert engine.next_reminder_at(turn.lead, POLICY) == at(24)  # the windows reminder

    turn = workflow.say(turn.lead, "Monday morning", at(1))
    assert keys(turn, "client") == ["booking.windows.more"] and "1 more" in turn.replies[0].text
    turn = workflow.say(turn.lead, "Friday anytime", at(2))
    lead = turn.lead
    assert lead.status == "NEEDS_ARTIST_REPLY" and lead.handover_kind == "time_windows"
    assert lead.handover_from == "AWAITING_DEPOSIT"
    assert lead.booking.windows == ["Monday morning", "Friday anytime"]
    assert keys(turn, "client") == ["booking.windows.done"]
    assert "• Monday morning\n• Friday anytime" in the(turn, "artist.time_windows").text
    assert artist.actions_for(lead) == ["resume", "reject"]

    # The artist frees some time and hands back: the client is offered times again.
    workflow.busy = []
    turn = workflow.decide(lead, "resume", at(5))
    assert turn.lead.status == "AWAITING_DEPOSIT"
    assert keys(turn, "client") == ["booking.offer.again"]
    assert turn.lead.deposit is not None and turn.lead.deposit.sent_at == at(5)


def test_a_paid_client_with_no_free_times_goes_back_to_booking_pending() -> None:
    workflow = Workflow(busy=FULL)
    turn = workflow.pay(offered(), Payment("evt_1", "paid", None, "pi_1", 15_000), at(1))
    assert turn.lead.status == "COLLECTING_TIME_WINDOWS"
    turn = workflow.say(turn.lead, "mornings", at(2))
    turn = workflow.say(turn.lead, "weekends", at(2))
    assert turn.lead.handover_from == "BOOKING_PENDING"
    workflow.busy = []
    turn = workflow.resume(turn.lead, at(3))
    assert turn.lead.status == "BOOKING_PENDING"
    assert keys(turn, "client") == ["booking.offer.again"]


def test_resuming_after_a_long_handover_does_not_expire_the_fresh_offer_at_once() -> None:
    workflow = Workflow()
    lead = workflow.say(awaiting_deposit(), "can I talk to a real person?", at(0.25)).lead
    assert lead.status == "NEEDS_ARTIST_REPLY"
    turn = workflow.decide(lead, "resume", at(120))  # five days later
    assert keys(turn, "client") == ["booking.offer.again"]
    due = engine.next_reminder_at(turn.lead, POLICY)
    assert due is not None and due > at(120)


# -- after booking ------------------------------------------------------------------------------


def booked_on(option: str, hours: float = 0.5) -> Lead:
    """Option `option` picked and held at START, paid and booked at `hours`."""
    lead = paid(awaiting_deposit(option), hours=hours).lead
    return book(lead, hours=hours).lead


@pytest.mark.parametrize(
    ("option", "when", "sent_at_booking", "reminders"),
    [
        # Both reminders to come.
        ("8", "Tue 13 May, 1:30pm–4:30pm", 0, [48, 24]),
        # 48.5 h away when booked: the 48 h reminder was already due.
        ("2", "Sat 3 May, 1:30pm–4:30pm", 1, [24]),
        # 24 h away: both were due, and neither is sent late.
        ("1", "Fri 2 May, 1:00pm–4:00pm", 2, []),
    ],
)
def test_appointment_reminders_48_and_24_hours_before_unless_booked_later(
    option: str, when: str, sent_at_booking: int, reminders: list[int]
) -> None:
    lead = booked_on(option)
    slot = lead.booking.slot
    assert slot is not None and lead.booking.reminders_sent == sent_at_booking
    for hours in reminders:
        due = slot.start - timedelta(hours=hours)
        assert engine.next_reminder_at(lead, POLICY) == due
        assert not engine.finished(lead, POLICY)
        turn = engine.remind(lead, due, POLICY)
        reminder = the(turn, "booking.reminder")
        assert f"on {when} (BST) at Sam's studio, London" in reminder.text
        assert deposit_terms(POLICY) in reminder.text
        assert "“reschedule” or “cancel”" in reminder.text
        assert reminder.template is not None and reminder.template.name == "appointment_reminder"
        assert reminder.template.params == (
            "Sam", f"{when} (BST)", "Sam's studio, London",
        )  # fmt: skip
        lead = turn.lead
    assert engine.next_reminder_at(lead, POLICY) == slot.end


def test_a_paused_worker_sends_one_reminder_not_a_burst() -> None:
    lead = booked_on("8")
    slot = lead.booking.slot
    assert slot is not None
    turn = engine.remind(lead, slot.start - timedelta(hours=12), POLICY)  # both overdue
    assert keys(turn, "client") == ["booking.reminder"]
    assert turn.lead.booking.reminders_sent == 2
    assert engine.next_reminder_at(turn.lead, POLICY) == slot.end


def test_the_run_is_finished_only_after_the_appointment_ends() -> None:
    lead = booked_on("1")
    slot = lead.booking.slot
    assert slot is not None and lead.status == "BOOKED"
    assert not engine.finished(lead, POLICY)
    assert engine.remind(lead, slot.end - timedelta(minutes=1), POLICY).lead == lead
    over = engine.remind(lead, slot.end, POLICY)
    assert over.lead.booking.over and over.replies == []
    assert engine.finished(over.lead, POLICY)


@pytest.mark.parametrize(
    ("text", "hours_before", "client_key", "verdict"),
    [
        ("can I reschedule?", 100, "booking.change.client.reschedule.ok",
         "within the 48 hour notice; free moves used 0 of 1"),
        ("I need to move my appointment", 48, "booking.change.client.reschedule.ok",
         "within the 48 hour notice"),
        ("could we change the date?", 47.5, "booking.change.client.reschedule.late",
         "outside the policy"),
        ("reschedule please", 3, "booking.change.client.reschedule.late", "outside the policy"),
        ("I need to cancel", 100, "booking.change.client.cancel",
         "the deposit is non-refundable"),
        ("can we call it off", 3, "booking.change.client.cancel", "the deposit is non-refundable"),
    ],
)  # fmt: skip
def test_reschedule_and_cancel_requests_go_to_the_artist_with_the_policy(
    text: str, hours_before: float, client_key: str, verdict: str
) -> None:
    lead = booked_on("8")
    slot = lead.booking.slot
    assert slot is not None
    now = slot.start - timedelta(hours=hours_before)
    turn = engine.handle(lead, client_message(text, now), now, POLICY)
    assert turn.lead.status == "BOOKED" and turn.lead.booking == lead.booking
    assert keys(turn, "client") == [client_key]
    assert keys(turn, "artist") == ["artist.change_request"]
    request = the(turn, "artist.change_request").text
    change = "cancel" if "cancel" in client_key else "reschedule"
    assert f"asked to {change} their appointment on Tue 13 May, 1:30pm–4:30pm" in request
    assert f"({int(hours_before)} hours' notice)" in request and verdict in request
    assert "booking.change_requested" in events(turn)


def client_message(text: str, now: datetime) -> Inbound:
    return Inbound("m", int(now.timestamp()), text=text)


def test_other_messages_once_booked_get_one_reply_per_cooldown() -> None:
    lead = booked_on("8")
    quiet = client(lead, "thanks!", 1)  # told what happens next at START: within the cooldown
    assert quiet.replies == []
    turn = client(lead, "see you then", 7)
    assert keys(turn, "client") == ["booking.booked_reply"]
    assert "You're booked in for Tue 13 May, 1:30pm–4:30pm" in turn.replies[0].text
    assert client(turn.lead, "what should I wear?", 8).replies == []
    # A change request is never held back by the cooldown.
    assert keys(client(turn.lead, "I need to cancel", 8), "artist") == ["artist.change_request"]


def test_a_change_request_from_a_lead_booked_by_hand_still_reaches_the_artist() -> None:
    lead = artist.decide(booking_pending(), "mark_booked", at(1), POLICY).lead
    assert lead.booking.slot is None
    turn = client(lead, "I need to cancel my appointment", 10)
    assert keys(turn, "artist") != []


def test_a_payment_once_booked_changes_nothing_booked() -> None:
    lead = booked_on("1")
    # A second Checkout Session paid too: a real second payment, never lost.
    turn = paid(lead, event="evt_2", hours=30, session="cs_2")
    assert "payment.unexpected" in events(turn) and turn.lead.booking == lead.booking


# -- multi-day XL sessions ----------------------------------------------------------------------


def xl_lead() -> Lead:
    """An XL piece of two days: £400 deposit, a 2-working-day session."""
    lead = Lead(lead_id="xl-0001-abcdef", status="PENDING_APPROVAL",
                parsed={"area_cm2": 400.0, "region": "UK"},
                answers={"placement": "forearm"})  # fmt: skip
    return approved(lead)


def test_a_multi_day_xl_session_is_held_and_booked_day_by_day() -> None:
    turn = offer(xl_lead())
    assert "1. Sat 3 May, 2 days from 10:00am" in turn.replies[0].text
    assert turn.replies[0].rows[0].description == "Full days: Sat 3 May & Tue 6 May"
    lead = client(turn.lead, "1").lead
    slot = lead.booking.picked
    assert slot is not None and slot.days == 2
    need = booking.next_need(lead, START, POLICY)
    expected = [
        (datetime(2025, 5, 3, 9, tzinfo=UTC), datetime(2025, 5, 3, 17, tzinfo=UTC)),
        (datetime(2025, 5, 6, 9, tzinfo=UTC), datetime(2025, 5, 6, 17, tzinfo=UTC)),
    ]
    assert isinstance(need, booking.PlaceHold) and need.spans == expected  # not the nights
    assert session_spans(slot, RULES) == expected
    sent = link(hold(lead).lead)
    assert "I'm holding Sat 3 May, 2 days from 10:00am for you" in texts(sent)
    assert "£400 deposit" in texts(sent)
    lead = paid(sent.lead, amount=40_000).lead
    need = booking.next_need(lead, at(0.5), POLICY)
    assert isinstance(need, booking.BookHold) and need.spans == expected
    assert need.title == "Tattoo: Lead xl-0001- (extra-large)"
    done = book(lead)
    assert "📅 Sat 3 May, 2 days from 10:00am (BST)" in texts(done)
    # Booked 32.5 h before the first day: only the 24 h reminder is still to come.
    assert done.lead.booking.reminders_sent == 1
    assert engine.next_reminder_at(done.lead, POLICY) == slot.start - timedelta(hours=24)


# -- the artist moves or cancels a booking ------------------------------------------------------


def test_the_artist_moves_a_booking_and_the_old_one_comes_out_once_the_new_one_is_in() -> None:
    lead = booked_on("8")
    old_slot, old_events, old_hold = (
        lead.booking.slot,
        list(lead.booking.event_ids),
        lead.booking.booked_hold_id,
    )
    assert old_hold and old_events
    assert artist.actions_for(lead) == ["offer_times", "cancel_booking"]
    workflow = Workflow()
    moving = workflow.decide(lead, "offer_times", at(2))
    assert moving.lead.status == "BOOKING_PENDING" and moving.lead.booking.moving
    assert keys(moving, "client") == ["booking.offer.reschedule"]
    # Until the new time is booked, the old booking stands: nothing is taken out.
    assert workflow.taken_out == [] and moving.lead.booking.slot == old_slot

    done = workflow.say(moving.lead, "1", at(2.1))
    assert done.lead.status == "BOOKED" and done.lead.booking.slot != old_slot
    assert keys(done, "client") == ["booking.confirmed"]
    assert workflow.taken_out == [Appointment(old_hold, old_events)]
    assert done.lead.booking.cancel == [] and not done.lead.booking.moving
    assert workflow.checkouts == 0  # paid already: no second deposit
    new_ids = done.lead.booking.event_ids
    assert new_ids and new_ids[0] != old_events[0]  # a fresh id: Google keeps deleted ones


def test_a_move_settled_by_hand_keeps_the_booking_as_it_was() -> None:
    lead = booked_on("8")
    moving = artist.decide(lead, "offer_times", at(2), POLICY).lead
    kept = artist.decide(moving, "mark_booked", at(3), POLICY).lead
    assert kept.status == "BOOKED" and not kept.booking.moving
    assert kept.booking.slot == lead.booking.slot and kept.booking.cancel == []


def test_the_artist_cancels_a_booking_the_client_is_told_and_the_calendar_freed() -> None:
    lead = booked_on("8")
    workflow = Workflow()
    turn = workflow.decide(lead, "cancel_booking", at(2))
    assert turn.lead.status == "CANCELLED"
    cancelled = the(turn, "booking.cancelled")
    assert "Tue 13 May" in cancelled.text and cancelled.template is not None
    assert cancelled.template.name == "appointment_cancelled"
    assert workflow.taken_out == [Appointment(lead.booking.booked_hold_id, lead.booking.event_ids)]
    assert keys(turn, "artist") == ["artist.ack.cancel_booking"]
    assert engine.finished(turn.lead, POLICY)  # the run ends; no appointment reminders


def test_a_calendar_that_will_not_let_go_is_left_to_the_artist() -> None:
    lead = artist.decide(booked_on("8"), "cancel_booking", at(2), POLICY).lead
    need = booking.next_need(lead, at(2), POLICY)
    assert isinstance(need, booking.CancelBooking)
    turn = booking.taken_out(lead, need.appointment.hold_id, at(2), POLICY, error="403 forbidden")
    assert turn.lead.booking.cancel == [] and booking.next_need(turn.lead, at(2), POLICY) is None
    assert keys(turn, "artist") == ["artist.take_out_failed"]
    assert [e.level for e in turn.events if e.type == "booking.take_out_failed"] == ["ERROR"]


def test_only_a_booked_lead_can_be_cancelled() -> None:
    assert artist.why_not(offered(), "cancel_booking") == (
        "This lead is not booked: it is waiting for the deposit."
    )


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


@pytest.mark.parametrize(
    "text", ["can I talk to the artist?", "I'd like a refund", "please delete my data"]
)
def test_a_booked_client_asking_for_the_artist_a_refund_or_deletion_reaches_the_artist(
    text: str,
) -> None:
    lead = booked_on("8")
    turn = client(lead, text, 5)
    assert turn.lead.status == "BOOKED"  # still booked
    assert keys(turn, "client") == ["booking.change.client"]
    assert keys(turn, "artist") == ["artist.booked_client_asks"]
    assert text in texts(turn, "artist")


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


def released_all(lead: Lead) -> Lead:
    while isinstance(need := booking.next_need(lead, at(0.2), POLICY), booking.ReleaseHold):
        lead = booking.released(lead, need.hold.hold_id, at(0.2), POLICY).lead
    return lead
