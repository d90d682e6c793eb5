"""Admin JSON API for the artist and ops, behind `X-Admin-API-Key`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func, select

from api import lead_csv
from api.deps import Edge, Session, rate_limited, require_admin
from api.lead_actions import run_action
from api.schemas import ActionOutcome, EventList, Funnel, LeadDetail, LeadList, Released
from models import CalendarHold, LeadRecord, OutboundMessage, SystemEvent
from stores import inbound_queue
from workflows.contracts import ActionRequest

# Limited before the key is checked: guessing keys is limited too.
router = APIRouter(
    prefix="/admin",
    tags=["admin"],
    dependencies=[Depends(rate_limited("admin")), Depends(require_admin)],
)


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def lead_summary(row: LeadRecord) -> dict[str, Any]:
    return {
        "lead_id": row.lead_id,
        "status": row.status,
        "step": row.step,
        "category": (row.estimate or {}).get("category"),
        "region": (row.estimate or {}).get("region") or row.parsed.get("region"),
        "budget_pence": row.parsed.get("budget_pence"),
        "handover_reason": row.handover_reason,
        "created_at": _time(row.created_at),
        "updated_at": _time(row.updated_at),
    }


@router.get("/leads", response_model=LeadList)
async def list_leads(
    session: Session,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    query = select(LeadRecord).order_by(LeadRecord.updated_at.desc()).limit(limit)
    if status:
        query = query.where(LeadRecord.status == status.upper())
    rows = (await session.scalars(query)).all()
    return {"leads": [lead_summary(row) for row in rows], "count": len(rows)}


@router.get("/leads/{lead_id}", response_model=LeadDetail)
async def lead_detail(lead_id: str, state: Edge, session: Session) -> dict[str, Any]:
    row = await session.get(LeadRecord, lead_id)
    if row is None:
        raise HTTPException(404, "No such lead")
    messages = (
        await session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.lead_id == lead_id)
            .order_by(OutboundMessage.seq)
        )
    ).all()
    holds = (
        await session.scalars(
            select(CalendarHold).where(CalendarHold.lead_id == lead_id).order_by(CalendarHold.id)
        )
    ).all()
    settings = state.settings
    return {
        **lead_summary(row),
        "answers": row.answers,
        "parsed": row.parsed,
        "estimate": row.estimate,
        "version": row.version,
        "workflow_id": row.workflow_id,
        "run_id": row.run_id,
        "temporal_ui": f"{settings.TEMPORAL_UI_URL}/namespaces/{settings.TEMPORAL_NAMESPACE}"
        f"/workflows/{row.workflow_id}/{row.run_id}/history",
        "messages_sent": [
            {
                "to": m.recipient,
                "key": m.key,
                "status": m.status,
                "delivery": m.delivery,
                "at": _time(m.created_at),
            }
            for m in messages
        ],
        # Times held for this lead and its booking (one row per working day of a session).
        "holds": [
            {
                "hold_id": h.hold_id,
                "state": h.state,
                "start": _time(h.during.lower),
                "end": _time(h.during.upper),
                "expires_at": _time(h.expires_at),
            }
            for h in holds
        ],
    }


@router.get("/events", response_model=EventList)
async def list_events(
    session: Session,
    lead_id: str | None = None,
    type: str | None = None,  # noqa: A002 - the query parameter's public name
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    query = select(SystemEvent).order_by(SystemEvent.id.desc()).limit(limit)
    if lead_id:
        query = query.where(SystemEvent.lead_id == lead_id)
    if type:
        query = query.where(SystemEvent.type == type)
    rows = (await session.scalars(query)).all()
    return {
        "events": [
            {
                "id": e.id,
                "at": _time(e.created_at),
                "level": e.level,
                "type": e.type,
                "lead_id": e.lead_id,
                "detail": e.detail,
            }
            for e in rows
        ]
    }


ACTIONS = {
    "approve": "approve",
    "approve-anyway": "approve_anyway",
    "reject": "reject",
    "resume": "resume",
    "send-deposit": "send_deposit",
    "mark-booked": "mark_booked",
    "offer-times": "offer_times",
    "cancel-booking": "cancel_booking",
}


@router.post(
    "/leads/{lead_id}/{action}",
    response_model=ActionOutcome,
    responses={409: {"model": ActionOutcome, "description": "Not done, and why"}},
)
async def lead_action(lead_id: str, action: str, state: Edge) -> JSONResponse:
    if action not in ACTIONS:
        raise HTTPException(404, f"Unknown action; one of: {', '.join(ACTIONS)}")
    async with state.sessions() as session:
        row = await session.get(LeadRecord, lead_id)
    if row is None:
        raise HTTPException(404, "No such lead")
    result = await run_action(state, row.workflow_id, ActionRequest(ACTIONS[action]))
    body = {"done": result.done, "status": result.status, "detail": result.detail}
    return JSONResponse(body, status_code=200 if result.done else 409)


# Statuses a lead passes through on the way to a booking, in order, for conversion rates.
FUNNEL = ["QUALIFYING", "PENDING_APPROVAL", "AWAITING_DEPOSIT", "BOOKING_PENDING", "BOOKED"]
REACHED = {
    "QUALIFYING": set(FUNNEL) | {"NEEDS_FOLLOW_UP", "NEEDS_ARTIST_REPLY", "DEPOSIT_PAID",
                                 "DEPOSIT_EXPIRED", "REJECTED", "TOUR_CONVERSION_OFFERED",
                                 "WAITLISTED", "ABANDONED"},
    "PENDING_APPROVAL": {"PENDING_APPROVAL", "AWAITING_DEPOSIT", "DEPOSIT_PAID", "DEPOSIT_EXPIRED",
                         "BOOKING_PENDING", "BOOKED"},
    "AWAITING_DEPOSIT": {"AWAITING_DEPOSIT", "DEPOSIT_PAID", "DEPOSIT_EXPIRED",
                         "BOOKING_PENDING", "BOOKED"},
    "BOOKING_PENDING": {"DEPOSIT_PAID", "BOOKING_PENDING", "BOOKED"},
    "BOOKED": {"BOOKED"},
}  # fmt: skip


@router.get("/funnel", response_model=Funnel)
async def funnel(session: Session, days: Annotated[int, Query(ge=1, le=365)] = 7) -> dict[str, Any]:
    since = datetime.now(UTC) - timedelta(days=days)
    rows = await session.execute(
        select(LeadRecord.status, func.count())
        .where(LeadRecord.created_at >= since)
        .group_by(LeadRecord.status)
    )
    counts = {status: count for status, count in rows}
    total = sum(counts.values())
    reached = {stage: sum(counts.get(s, 0) for s in REACHED[stage]) for stage in FUNNEL}
    rates = {
        f"{a.lower()}_to_{b.lower()}": round(reached[b] / reached[a], 3) if reached[a] else None
        for a, b in zip(FUNNEL, FUNNEL[1:], strict=False)
    }
    return {"days": days, "total": total, "by_status": counts, "reached": reached, "rates": rates}


@router.get("/leads.csv")
async def leads_csv(session: Session) -> Response:
    """The lead log when Google Sheets is not configured: one row per lead."""
    rows = (await session.scalars(select(LeadRecord).order_by(LeadRecord.created_at))).all()
    return Response(lead_csv.leads_csv(rows), media_type="text/csv")


@router.post("/paused/release", response_model=Released)
async def release_paused(state: Edge) -> dict[str, Any]:
    """Give the messages kept while paused back to the relay, which hands them to their
    workflows in the order each client sent them; one it cannot hand over is refused and
    recorded (`relay.refused`) without holding up the rest. Refused while automation is paused:
    releasing then would only keep them again."""
    if state.settings.PAUSED:
        raise HTTPException(409, "Automation is paused; unpause it before releasing kept messages")
    async with state.sessions.begin() as session:
        released = await inbound_queue.release_paused(session)
    return {"released": released}
