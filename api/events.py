"""The edge's system events: what happened at the webhooks, for ops and the admin API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from models import SystemEvent

if TYPE_CHECKING:
    from api.deps import EdgeState


async def record_event(
    state: EdgeState, level: str, type_: str, lead_id: str | None = None, **detail: Any
) -> None:
    """A system event from the edge. Details never carry phone numbers or secrets."""
    async with state.sessions.begin() as session:
        session.add(SystemEvent(level=level, type=type_, lead_id=lead_id, detail=detail))
