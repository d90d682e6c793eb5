"""Recorded LeadWorkflow histories must replay with the current code: a change that would break
leads already in flight fails here (use `workflow.patched` for such changes)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from consultation import booking, calendar_rules
from consultation.calendar_rules import parse_hours
from workflows.lead import LeadWorkflow

HISTORIES = sorted((Path(__file__).parent.parent / "data" / "histories").glob("*.json"))


def test_there_are_histories_to_replay():
    assert len(HISTORIES) >= 4


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_recorded_history_replays_with_current_workflow(path: Path):
    history = WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text(encoding="utf-8"))
    await Replayer(workflows=[LeadWorkflow]).replay_workflow(history)


# Histories with times offered, recorded since the calendar rules travel with the offer.
BOOKINGS = [
    path
    for path in HISTORIES
    if path.stem.endswith((".rules-in-history", ".count-what-was-sent")) and "book" in path.stem
]


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("path", BOOKINGS, ids=lambda p: p.stem)
async def test_a_booking_replays_the_same_after_the_artist_edits_the_calendar_rules(
    path: Path, monkeypatch: pytest.MonkeyPatch
):
    edited = replace(
        calendar_rules.RULES,
        working_hours={3: parse_hours(["07:00-09:00"])},  # Thursday mornings only
        minimum_notice_hours=100,
        max_suggestions=2,
    )
    monkeypatch.setattr(calendar_rules, "RULES", edited)
    monkeypatch.setattr(booking, "RULES", edited)
    history = WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text(encoding="utf-8"))
    await Replayer(workflows=[LeadWorkflow]).replay_workflow(history)


def test_there_are_bookings_recorded_with_their_rules():
    assert len(BOOKINGS) >= 2
