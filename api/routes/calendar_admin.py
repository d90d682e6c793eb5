"""Admin API for the artist's PostgreSQL calendar: what is coming up (busy blocks,
appointments, holds and bookings) and the busy blocks the artist sets by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import AwareDatetime, BaseModel, Field, model_validator

from api.deps import Edge, rate_limited, require_admin
from api.schemas import BusyBlock, BusyRemoved, CalendarAgenda
from stores.calendar import CalendarStore
from stores.holds import Holds

router = APIRouter(
    prefix="/admin/calendar",
    tags=["admin"],
    dependencies=[Depends(rate_limited("admin")), Depends(require_admin)],
)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


class NewBusyBlock(BaseModel):
    # Aware times only: a naive "10:00" would silently mean the server's time zone.
    start: AwareDatetime
    end: AwareDatetime
    note: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def ends_after_start(self) -> NewBusyBlock:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


@router.get("", response_model=CalendarAgenda)
async def calendar(state: Edge, days: Annotated[int, Query(ge=1, le=365)] = 21) -> dict[str, Any]:
    start = datetime.now(UTC)
    end = start + timedelta(days=days)
    agenda = await CalendarStore(state.sessions, state.settings.ARTIST_ID).agenda(start, end)
    holds = await Holds(state.sessions, state.settings.ARTIST_ID).active(start, end)
    return {
        "from": _utc(start),
        "to": _utc(end),
        "busy": [
            {"id": b.id, "start": _utc(b.start), "end": _utc(b.end), "note": b.note}
            for b in agenda.busy
        ],
        "events": [
            {
                "event_id": e.event_id,
                "start": _utc(e.start),
                "end": _utc(e.end),
                "title": e.title,
                "lead_id": e.lead_id,
                "workflow_id": e.workflow_id,
            }
            for e in agenda.events
        ],
        "holds": [
            {
                "hold_id": h.hold_id,
                "lead_id": h.lead_id,
                "start": _utc(h.start),
                "end": _utc(h.end),
                "state": h.state,
                "expires_at": _utc(h.expires_at),
            }
            for h in holds
        ],
    }


@router.post("/busy", status_code=201, response_model=BusyBlock)
async def add_busy(block: NewBusyBlock, state: Edge) -> dict[str, Any]:
    block_id = await CalendarStore(state.sessions, state.settings.ARTIST_ID).add_busy(
        block.start, block.end, block.note
    )
    return {"id": block_id, "start": _utc(block.start), "end": _utc(block.end), "note": block.note}


@router.delete("/busy/{block_id}", response_model=BusyRemoved)
async def remove_busy(block_id: int, state: Edge) -> dict[str, Any]:
    if not await CalendarStore(state.sessions, state.settings.ARTIST_ID).remove_busy(block_id):
        raise HTTPException(404, "No such busy block")
    return {"id": block_id, "removed": True}
