"""Prometheus' scrape endpoint. Leads by status are counted from the read model at scrape time,
so every API replica reports the same totals (sum them with `max`, not `sum`)."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Response
from sqlalchemy import func, select

from api.deps import Edge, Session
from models import LeadRecord
from telemetry.metrics import LEADS, exposition

router = APIRouter(tags=["operations"])


@router.get("/metrics", include_in_schema=False)
async def metrics(
    state: Edge, session: Session, authorization: Annotated[str | None, Header()] = None
) -> Response:
    token = state.settings.METRICS_TOKEN
    if token and not hmac.compare_digest(authorization or "", f"Bearer {token}"):
        raise HTTPException(401, "Missing or wrong bearer token for /metrics")
    counts = await session.execute(
        select(LeadRecord.status, func.count()).group_by(LeadRecord.status)
    )
    LEADS.clear()
    for status, count in counts:
        LEADS.labels(status).set(count)
    body, content_type = exposition()
    return Response(body, media_type=content_type)
