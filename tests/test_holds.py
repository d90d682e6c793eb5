"""Holds and bookings against a real PostgreSQL: the exclusion constraint decides races, an
expired hold never blocks, and every step (place, release, confirm) is safe to retry. Each
test has its own artist, so tests never see each other's rows."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from psycopg import errors
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from models import CalendarHold
from stores.holds import Holds
from stores.spans import Span

DAY = datetime(2031, 3, 3, 10, tzinfo=UTC)  # a Monday, 10:00


def at(hours: float, day: int = 0) -> datetime:
    return DAY + timedelta(days=day, hours=hours)


def span(start: float, end: float, day: int = 0) -> Span:
    return Span(at(start, day), at(end, day))


def later() -> datetime:
    return datetime.now(UTC) + timedelta(hours=1)


def earlier() -> datetime:
    return datetime.now(UTC) - timedelta(minutes=1)


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def holds(sessions) -> Holds:
    return Holds(sessions, artist_id=new_id("artist"))


async def states(holds: Holds, hold_id: str) -> list[str]:
    async with holds.sessions() as session:
        rows = await session.scalars(
            select(CalendarHold.state)
            .where(CalendarHold.artist_id == holds.artist_id, CalendarHold.hold_id == hold_id)
            .order_by(CalendarHold.during)
        )
        return list(rows)


async def test_an_overlapping_hold_for_the_same_artist_is_refused(holds: Holds, sessions):
    assert await holds.place("h-anna", "anna", [span(0, 4)], later())
    assert not await holds.place("h-ben", "ben", [span(2, 6)], later())
    assert not await holds.place("h-cara", "cara", [span(1, 2)], later())  # inside it
    assert await states(holds, "h-ben") == []


async def test_twenty_five_clients_racing_for_one_slot_exactly_one_wins(holds: Holds, sessions):
    leads = [new_id("lead") for _ in range(25)]
    results = await asyncio.gather(
        *(holds.place(f"hold-{lead}", lead, [span(0, 4)], later()) for lead in leads)
    )
    assert results.count(True) == 1
    winner = leads[results.index(True)]
    async with sessions() as session:
        rows = (
            await session.scalars(
                select(CalendarHold).where(CalendarHold.artist_id == holds.artist_id)
            )
        ).all()
    assert [(row.lead_id, row.state) for row in rows] == [(winner, "held")]


async def test_touching_spans_are_both_held(holds: Holds):
    assert await holds.place("h-morning", "anna", [span(0, 4)], later())
    assert await holds.place("h-afternoon", "ben", [span(4, 8)], later())
    assert await holds.place("h-early", "cara", [span(-2, 0)], later())


async def test_different_artists_never_clash(sessions):
    sam, alex = Holds(sessions, new_id("sam")), Holds(sessions, new_id("alex"))
    assert await sam.place("h-sam", "anna", [span(0, 4)], later())
    assert await alex.place("h-alex", "ben", [span(0, 4)], later())


async def test_an_expired_hold_does_not_block_and_is_marked_lapsed(holds: Holds, sessions):
    assert await holds.place("h-gone", "anna", [span(0, 4)], earlier())
    assert await holds.busy_between(at(-1), at(5), "ben") == []
    assert await holds.place("h-ben", "ben", [span(2, 6)], later())
    assert await states(holds, "h-gone") == ["lapsed"]
    assert not await holds.confirm("h-gone")  # anna paid too late: ben has the slot
    assert await states(holds, "h-ben") == ["held"]


async def test_placing_the_same_hold_again_is_a_retry_not_a_clash(holds: Holds, sessions):
    spans = [span(0, 8, day=0), span(0, 8, day=1)]
    assert await holds.place("h-anna", "anna", spans, later())
    assert await holds.place("h-anna", "anna", spans, later())
    assert await states(holds, "h-anna") == ["held", "held"]


async def test_two_attempts_of_one_hold_at_once_both_succeed_with_one_set_of_rows(
    holds: Holds, sessions
):
    spans = [span(0, 8, day=0), span(0, 8, day=1)]
    results = await asyncio.gather(
        *(holds.place("h-anna", "anna", spans, later()) for _ in range(5))
    )
    assert results == [True] * 5
    assert await states(holds, "h-anna") == ["held", "held"]


async def test_a_multi_day_hold_is_all_or_nothing(holds: Holds, sessions):
    assert await holds.place("h-ben", "ben", [span(0, 8, day=1)], later())
    three_days = [span(0, 8, day=0), span(0, 8, day=1), span(0, 8, day=2)]
    assert not await holds.place("h-anna", "anna", three_days, later())
    assert await states(holds, "h-anna") == []
    # Nothing of anna's attempt was left behind: days 0 and 2 are free for anyone.
    assert await holds.place("h-cara", "cara", [span(0, 8, day=0), span(0, 8, day=2)], later())


async def test_a_multi_day_hold_takes_all_its_days(holds: Holds, sessions):
    assert await holds.place("h-anna", "anna", [span(0, 8, day=2), span(0, 8, day=0)], later())
    assert not await holds.place("h-ben", "ben", [span(6, 7, day=2)], later())
    assert not await holds.place("h-cara", "cara", [span(0, 1, day=0)], later())
    assert await holds.place("h-dan", "dan", [span(0, 8, day=1)], later())


async def test_a_released_slot_can_be_held_by_another_lead(holds: Holds, sessions):
    assert await holds.place("h-anna", "anna", [span(0, 4)], later())
    await holds.release("h-anna")
    await holds.release("h-anna")  # idempotent
    await holds.release("h-nobody")
    assert await holds.place("h-ben", "ben", [span(0, 4)], later())
    assert await states(holds, "h-anna") == ["released"]
    assert not await holds.confirm("h-anna")


async def test_confirm_books_every_day_of_the_hold_and_is_idempotent(holds: Holds, sessions):
    assert await holds.place("h-anna", "anna", [span(0, 8, day=0), span(0, 8, day=1)], later())
    assert await holds.confirm("h-anna")
    assert await holds.confirm("h-anna")
    assert await states(holds, "h-anna") == ["booked", "booked"]
    await holds.release("h-anna")  # a late release never unbooks
    assert await states(holds, "h-anna") == ["booked", "booked"]
    assert not await holds.place("h-ben", "ben", [span(2, 3, day=1)], later())
    assert await holds.place("h-anna", "anna", [span(0, 8, day=0), span(0, 8, day=1)], later())


async def test_a_cancelled_booking_frees_its_days_and_cancelling_twice_is_harmless(
    holds: Holds, sessions
):
    assert await holds.place("h-anna", "anna", [span(0, 8, day=0), span(0, 8, day=1)], later())
    assert await holds.confirm("h-anna")
    await holds.cancel("h-anna")
    await holds.cancel("h-anna")
    assert await states(holds, "h-anna") == ["released", "released"]
    assert await holds.place("h-ben", "ben", [span(2, 3, day=1)], later())
    assert not await holds.confirm("h-anna")  # a cancelled booking is not booked again


async def test_an_expired_hold_nobody_took_can_still_be_confirmed(holds: Holds, sessions):
    # The client paid after the hold's TTL, but no one else has claimed the slot.
    assert await holds.place("h-anna", "anna", [span(0, 4)], earlier())
    assert await holds.confirm("h-anna")
    assert await states(holds, "h-anna") == ["booked"]
    assert not await holds.place("h-ben", "ben", [span(0, 4)], later())


async def test_a_late_payment_and_a_new_hold_racing_have_one_winner(holds: Holds, sessions):
    for round_ in range(10):
        anna, ben = f"h-anna-{round_}", f"h-ben-{round_}"
        assert await holds.place(anna, "anna", [span(0, 4, day=round_)], earlier())
        confirmed, placed = await asyncio.gather(
            holds.confirm(anna), holds.place(ben, "ben", [span(0, 4, day=round_)], later())
        )
        assert confirmed != placed
        assert await states(holds, anna) == (["booked"] if confirmed else ["lapsed"])


async def test_confirm_of_an_unknown_or_partly_lapsed_hold_fails(holds: Holds, sessions):
    assert not await holds.confirm("h-nobody")
    assert await holds.place("h-anna", "anna", [span(0, 8, day=0), span(0, 8, day=1)], earlier())
    assert await holds.place("h-ben", "ben", [span(0, 8, day=1)], later())  # lapses day 1
    assert await states(holds, "h-anna") == ["held", "lapsed"]
    assert not await holds.confirm("h-anna")
    assert await states(holds, "h-anna") == ["held", "lapsed"]


async def test_busy_is_other_leads_bookings_and_live_holds(holds: Holds):
    assert await holds.place("h-anna", "anna", [span(0, 1)], later())  # held
    assert await holds.place("h-ben", "ben", [span(2, 3)], earlier())  # expired hold
    assert await holds.place("h-ben", "ben", [span(2, 3)], earlier())
    assert await holds.place("h-cara", "cara", [span(4, 5)], earlier())
    assert await holds.confirm("h-cara")  # booked, though it was past its TTL
    assert await holds.place("h-dan", "dan", [span(6, 7)], later())
    await holds.release("h-dan")  # released
    assert await holds.place("h-eve", "eve", [span(20, 21)], later())  # outside the window

    assert await holds.busy_between(at(0), at(8), "zoe") == [span(0, 1), span(4, 5)]
    assert await holds.busy_between(at(0), at(8), "anna") == [span(4, 5)]  # not its own hold
    assert await holds.busy_between(at(1), at(4), "zoe") == []  # touching is not overlapping
    assert all(s.start.tzinfo == UTC for s in await holds.busy_between(at(0), at(8), "zoe"))


async def test_the_database_itself_refuses_overlapping_active_rows(holds: Holds, sessions):
    assert await holds.place("h-anna", "anna", [span(0, 4)], later())
    insert = text(
        "INSERT INTO calendar_holds (hold_id, lead_id, artist_id, during, state, expires_at)"
        " VALUES (:hold_id, 'ben', :artist, tstzrange(:start, :end), :state, now())"
    )
    values = {"artist": holds.artist_id, "start": at(3), "end": at(5)}
    with pytest.raises(IntegrityError) as refused:
        async with sessions.begin() as session:
            await session.execute(insert, {**values, "hold_id": "raw-1", "state": "booked"})
    assert isinstance(refused.value.orig, errors.ExclusionViolation)
    assert "calendar_holds_no_overlap" in str(refused.value.orig)
    # Rows that no longer hold anything may overlap freely.
    async with sessions.begin() as session:
        await session.execute(insert, {**values, "hold_id": "raw-2", "state": "released"})
        await session.execute(insert, {**values, "hold_id": "raw-3", "state": "lapsed"})


async def test_racing_writers_that_bypass_holds_still_cannot_both_commit(holds: Holds, sessions):
    # `Holds` makes one artist's writers take turns; the constraint does not rely on that.
    async def insert(lead: str) -> str:
        try:
            async with sessions.begin() as session:
                await session.execute(
                    text(
                        "INSERT INTO calendar_holds"
                        " (hold_id, lead_id, artist_id, during, state, expires_at)"
                        " VALUES (:lead, :lead, :artist, tstzrange(:start, :end), 'held', now())"
                    ),
                    {"lead": lead, "artist": holds.artist_id, "start": at(0), "end": at(4)},
                )
                await session.execute(text("SELECT pg_sleep(0.05)"))  # keep the race open
        except DBAPIError as error:
            return type(error.orig).__name__
        return "committed"

    outcomes = await asyncio.gather(*(insert(f"lead-{n}") for n in range(10)))
    assert outcomes.count("committed") == 1
    assert set(outcomes) <= {"committed", "ExclusionViolation", "DeadlockDetected"}


@pytest.mark.parametrize(
    "during",
    [
        "tstzrange(:start, :start)",  # empty
        "tstzrange(:start, NULL)",  # unbounded
        "tstzrange(:start, :end, '[]')",  # closed: would overlap the next session
    ],
)
async def test_the_database_refuses_spans_that_are_not_bounded_half_open(
    holds: Holds, sessions, during: str
):
    statement = text(
        "INSERT INTO calendar_holds (hold_id, lead_id, artist_id, during, state, expires_at)"
        f" VALUES ('raw', 'ben', :artist, {during}, 'held', now())"
    )
    with pytest.raises(IntegrityError) as refused:
        async with sessions.begin() as session:
            await session.execute(
                statement, {"artist": holds.artist_id, "start": at(0), "end": at(4)}
            )
    assert isinstance(refused.value.orig, errors.CheckViolation)


async def test_naive_times_are_refused(holds: Holds):
    with pytest.raises(ValueError, match="tz-aware"):
        await holds.place("h", "anna", [Span(datetime(2031, 1, 1, 10), datetime(2031, 1, 1, 12))],
                          later())  # fmt: skip
