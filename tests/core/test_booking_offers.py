"""The booking core (consultation/booking.py), offering: free times from the calendar and the
artist's rules, London time across clock changes, tours, and a full calendar (the client's
preferred times).

Leads come from tests/core/booking_leads.py, which lists the default offer at START.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultation import artist, booking, engine, slot_choice
from consultation.calendar_rules import BEFORE_HISTORY
from consultation.calendar_rules import RULES as BUNDLED
from consultation.lead import Payment, TourStop
from consultation.messages import MAX_BODY, MAX_LIST_ROWS
from consultation.slots import free_slots

# Leads here were offered times with no rules recorded, so they are decided with the week
from tests.core.booking_leads import (
    BUFFER,
    LONDON,
    RULES,
    TOUR,
    TOUR_DAYS,
    local_starts,
    london,
    on_tour,
    only_day_free,
    pay_workflow,
    the,
)
from tests.core.chat import START
from tests.core.leads import (
    POLICY,
    Workflow,
    approved,
    at,
    awaiting_deposit,
    client,
    events,
    keys,
    offer,
    offered,
    pending_approval,
)

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
