"""The pacing maths: batches under the rate, the rolling 24 h window, the plan over days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaigns import MESSAGING_LIMITS, Window, batch_size, daily_limit, plan

T0 = datetime(2026, 5, 1, 12, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("rate", "seconds", "size"),
    [(80, 5, 400), (80, 1, 80), (2, 1, 2), (0.5, 1, 1), (1000, 5, 1000)],
)
def test_a_batch_is_its_share_of_the_rate_at_least_one_at_most_the_cap(rate, seconds, size):
    assert batch_size(rate, seconds) == size


def test_the_tiers_are_metas():
    assert [daily_limit(t) for t in MESSAGING_LIMITS] == [250, 2_000, 10_000, 100_000, None]
    with pytest.raises(ValueError):
        daily_limit("500")


def test_the_window_frees_a_send_24_hours_after_the_end_of_its_minute():
    window = Window()
    window.record(T0, 200)
    window.record(T0 + timedelta(hours=1), 50)
    assert window.allowance(T0 + timedelta(hours=2), 250) == 0
    frees = window.frees_at(T0 + timedelta(hours=2), 250)
    assert frees == datetime(2026, 5, 2, 12, 1, tzinfo=UTC)  # never before T0 + 24 h
    assert frees >= T0 + timedelta(hours=24)
    assert window.allowance(frees, 250) == 200
    window.prune(frees)
    assert window.used(frees) == 50 and len(window.minutes) == 1


def test_no_limit_means_no_allowance_to_count():
    assert Window().allowance(T0, None) is None


@given(st.lists(st.tuples(st.integers(0, 3000), st.integers(0, 40)), max_size=30))
def test_the_window_never_forgets_a_send_within_24_hours(sends):
    window = Window()
    at = T0
    for minutes, count in sends:
        at += timedelta(minutes=minutes)
        window.record(at, count)
    recent = sum(c for m, c in sends_at(sends) if m + timedelta(hours=24) > at)
    assert window.used(at) >= recent  # counting late is allowed, early never


def sends_at(sends):
    at = T0
    for minutes, count in sends:
        at += timedelta(minutes=minutes)
        yield at, count


def test_the_plan_spreads_a_campaign_over_days_under_the_limit():
    spread = plan(600, rate=80, limit=250)
    assert spread.per_day == [250, 250, 100] and spread.days == 3
    assert spread.duration == timedelta(days=2, seconds=100 / 80)
    assert plan(600, rate=80, limit=250, used_now=200).per_day == [50, 250, 250, 50]
    assert plan(10_000, rate=80, limit=None).duration == timedelta(seconds=125)
    assert plan(0, rate=80, limit=250).days == 0


@given(st.integers(1, 500_000), st.sampled_from([250, 2_000, 10_000, 100_000]), st.integers(0, 300))
def test_the_plan_sends_everyone_and_no_day_over_the_limit(audience, limit, used):
    spread = plan(audience, rate=80, limit=limit, used_now=min(used, limit))
    assert sum(spread.per_day) == audience
    assert all(day <= limit for day in spread.per_day)
