"""Search attributes shown for a lead: only what changed is upserted, and the step is written
with a status change only (each upsert is a visibility write)."""

from __future__ import annotations

from consultation.lead import Lead
from workflows.visibility import attributes, changes, shown


def lead(status: str = "QUALIFYING", step: int = 0) -> Lead:
    return Lead(lead_id="lead-1", status=status, step=step)


def names(updates) -> list[str]:  # type: ignore[no-untyped-def]
    return [update.key.name for update in updates]


def test_a_new_lead_shows_its_step_and_status() -> None:
    now = shown({}, attributes(lead(step=0)))
    assert now["LeadStep"] == 0 and now["LeadStatus"] == "QUALIFYING"
    assert {"LeadStatus", "LeadStep"} <= set(names(changes({}, now)))


def test_answering_a_question_upserts_nothing() -> None:
    before = shown({}, attributes(lead(step=2)))
    now = shown(before, attributes(lead(step=3)))
    assert now["LeadStep"] == 2
    assert changes(before, now) == []


def test_a_status_change_writes_the_step_it_stopped_at() -> None:
    before = shown({}, attributes(lead(step=0)))
    now = shown(before, attributes(lead(status="ABANDONED", step=5)))
    assert now["LeadStep"] == 5
    assert sorted(names(changes(before, now))) == ["LeadStatus", "LeadStep"]
