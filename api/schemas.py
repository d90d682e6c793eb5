"""The admin API's JSON responses, so /docs describes them. Times are ISO 8601 strings with
their offset, as the routes have always sent them; fields are only ever added."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class LeadSummary(BaseModel):
    lead_id: str
    status: str
    step: int
    category: str | None
    region: str | None
    budget_pence: int | None
    handover_reason: str | None
    created_at: str | None
    updated_at: str | None


class LeadList(BaseModel):
    leads: list[LeadSummary]
    count: int


class SentMessage(BaseModel):
    to: str  # client | artist
    key: str
    status: str
    delivery: str | None
    at: str | None


class LeadHold(BaseModel):
    """A time held for the lead or booked for it (one per working day of a session)."""

    hold_id: str
    state: str
    start: str | None
    end: str | None
    expires_at: str | None


class LeadDetail(LeadSummary):
    answers: dict[str, Any]
    parsed: dict[str, Any]
    estimate: dict[str, Any] | None
    version: int
    workflow_id: str
    run_id: str
    temporal_ui: str
    messages_sent: list[SentMessage]
    holds: list[LeadHold]


class Event(BaseModel):
    id: int
    at: str | None
    level: str
    type: str
    lead_id: str | None
    detail: dict[str, Any]


class EventList(BaseModel):
    events: list[Event]


class ActionOutcome(BaseModel):
    """What an artist's decision did; answered with 409 when it was not done."""

    done: bool
    status: str
    detail: str


class Funnel(BaseModel):
    days: int
    total: int
    by_status: dict[str, int]
    reached: dict[str, int]
    rates: dict[str, float | None]


class Released(BaseModel):
    released: int


class BusyBlock(BaseModel):
    id: int
    start: str
    end: str
    note: str


class BusyRemoved(BaseModel):
    id: int
    removed: bool


class Appointment(BaseModel):
    event_id: str
    start: str
    end: str
    title: str
    lead_id: str | None
    workflow_id: str | None


class CalendarHoldView(BaseModel):
    hold_id: str
    lead_id: str
    start: str
    end: str
    state: str
    expires_at: str


class CalendarAgenda(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    busy: list[BusyBlock]
    events: list[Appointment]
    holds: list[CalendarHoldView]
