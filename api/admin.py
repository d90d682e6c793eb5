"""Admin JSON API for the artist and ops, behind `X-Admin-API-Key`."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query
from sqlalchemy import select

from api.state import Edge
from models import LeadRecord, OutboundMessage, SystemEvent


def require_admin(state: Edge, x_admin_api_key: Annotated[str | None, Header()] = None) -> None:
    expected = state.settings.ADMIN_API_KEY
    if not expected:
        raise HTTPException(503, "Admin API disabled: set ADMIN_API_KEY")
    if not (x_admin_api_key and hmac.compare_digest(x_admin_api_key, expected)):
        raise HTTPException(401, "Missing or wrong X-Admin-API-Key")


router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(require_admin)])


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


@router.get("/leads")
async def list_leads(
    state: Edge,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    query = select(LeadRecord).order_by(LeadRecord.updated_at.desc()).limit(limit)
    if status:
        query = query.where(LeadRecord.status == status.upper())
    async with state.sessions() as session:
        rows = (await session.scalars(query)).all()
    return {"leads": [lead_summary(row) for row in rows], "count": len(rows)}


@router.get("/leads/{lead_id}")
async def lead_detail(lead_id: str, state: Edge) -> dict[str, Any]:
    async with state.sessions() as session:
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
    }


@router.get("/events")
async def list_events(
    state: Edge,
    lead_id: str | None = None,
    type: str | None = None,  # noqa: A002 - the query parameter's public name
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    query = select(SystemEvent).order_by(SystemEvent.id.desc()).limit(limit)
    if lead_id:
        query = query.where(SystemEvent.lead_id == lead_id)
    if type:
        query = query.where(SystemEvent.type == type)
    async with state.sessions() as session:
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
