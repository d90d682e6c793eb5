"""Recorded LeadWorkflow histories must replay with the current code: a change that would break
leads already in flight fails here (use `workflow.patched` for such changes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from workflows.lead import LeadWorkflow

HISTORIES = sorted((Path(__file__).parent / "data" / "histories").glob("*.json"))


def test_there_are_histories_to_replay():
    assert len(HISTORIES) >= 4


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_recorded_history_replays_with_current_workflow(path: Path):
    history = WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text(encoding="utf-8"))
    await Replayer(workflows=[LeadWorkflow]).replay_workflow(history)
