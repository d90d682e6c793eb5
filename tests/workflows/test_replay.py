"""Recorded LeadWorkflow histories must replay with the current code: a change that would break
leads already in flight fails here (use `workflow.patched` for such changes, README "Changing
workflows"). The last tests prove the check has teeth: a renamed activity, or two commands in
the other order, fail the replay."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from temporalio import activity, workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from activities.calendar import CalendarActivities
from activities.links import IssueLinks
from activities.payments import PaymentActivities
from consultation import booking, calendar_rules, places
from consultation.booking import needs
from consultation.calendar_rules import parse_hours
from consultation.lead import Lead, Policy, Turn
from worker import WORKFLOW_RUNNER
from workflows import calls, lead_booking, lead_publish
from workflows.lead import LeadWorkflow

HISTORIES = sorted((Path(__file__).parent.parent / "data" / "histories").glob("*.json"))


@pytest.fixture(autouse=True, scope="module")
def _place_data_loaded() -> None:
    # As the worker does at start-up: loading in a replayed workflow task is slow enough under a
    # busy machine to trip the deadlock detector.
    places.load()


def test_there_are_histories_to_replay():
    assert len(HISTORIES) >= 4


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_recorded_history_replays_with_current_workflow(path: Path):
    history = WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text(encoding="utf-8"))
    await Replayer(workflows=[LeadWorkflow]).replay_workflow(history)


# Histories with times offered (the calendar rules travel with the offer).
BOOKINGS = [path for path in HISTORIES if "book" in path.stem]


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
    monkeypatch.setattr(needs, "RULES", edited)
    history = WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text(encoding="utf-8"))
    await Replayer(workflows=[LeadWorkflow]).replay_workflow(history)


def test_there_are_bookings_recorded_with_their_rules():
    assert len(BOOKINGS) >= 2


def _history(name: str) -> WorkflowHistory:
    path = Path(__file__).parent.parent / "data" / "histories" / f"{name}.json"
    return WorkflowHistory.from_json(f"replay-{name}", path.read_text(encoding="utf-8"))


async def _replay_altered(name: str) -> None:
    # The worker's runner shares modules with the test, so the alteration below reaches the
    # workflow's code.
    replayer = Replayer(workflows=[LeadWorkflow], workflow_runner=WORKFLOW_RUNNER)
    await replayer.replay_workflow(_history(name))


class RenamedLinks:
    @activity.defn(name="make_links")  # was "issue_links"
    async def issue_links(self, request: IssueLinks) -> dict[str, str]:
        raise NotImplementedError  # never run: replay takes results from the history


@pytest.mark.asyncio(loop_scope="session")
async def test_replay_fails_when_an_activity_is_renamed(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(lead_publish, "LinkActivities", RenamedLinks)
    with pytest.raises(workflow.NondeterminismError, match="'issue_links'.*'make_links'"):
        await _replay_altered("consultation_to_pending_approval")


async def _expire_then_release(lead: Lead, need: booking.ReleaseHold, policy: Policy) -> Turn:
    """`lead_booking.release_hold` with its two activities in the other order."""
    assert need.hold.session_id
    await workflow.execute_activity_method(
        PaymentActivities.expire_checkout, need.hold.session_id, **calls.CHECKOUT
    )
    await workflow.execute_activity_method(
        CalendarActivities.release_hold, need.hold.hold_id, **calls.DB_LONG
    )
    return booking.released(lead, need.hold.hold_id, workflow.now(), policy)


@pytest.mark.asyncio(loop_scope="session")
async def test_replay_fails_when_two_commands_change_order(monkeypatch: pytest.MonkeyPatch):
    # The history releases the lapsed hold, then expires its checkout.
    monkeypatch.setattr(lead_booking, "release_hold", _expire_then_release)
    with pytest.raises(workflow.NondeterminismError, match="'release_hold'.*'expire_checkout'"):
        await _replay_altered("booked_with_a_lapsed_hold")


@pytest.mark.asyncio(loop_scope="session")
async def test_the_altering_runner_replays_the_unaltered_workflow():
    """The two tests above fail for their alteration, not for the runner they replay with."""
    await _replay_altered("consultation_to_pending_approval")
    await _replay_altered("booked_with_a_lapsed_hold")
