"""Liveness (no dependencies) and readiness (database and Temporal reachable)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import Edge
from consultation.templates import TEMPLATES

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(state: Edge) -> dict[str, object]:
    settings = state.settings
    return {
        "status": "ok",
        "env": settings.APP_ENV,
        "whatsapp": settings.WHATSAPP_MODE,
        "signature_required": bool(settings.WHATSAPP_APP_SECRET)
        or settings.APP_ENV == "production",
        "pilot_mode": settings.PILOT_MODE_ENABLED,
        "paused": settings.PAUSED,
        "demo": settings.DEMO_MODE,
        # What the bot may send outside the 24 h window, and what still needs Meta's approval.
        "templates": {
            name: {"params": list(params), "approved": name in settings.approved_templates}
            for name, params in TEMPLATES.items()
        },
    }


@router.get("/ready")
async def ready(state: Edge) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        async with state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - readiness reports, it does not raise
        checks["database"] = f"unavailable: {type(error).__name__}"
    try:
        client = await asyncio.wait_for(state.temporal(), timeout=3)
        await client.service_client.check_health(timeout=timedelta(seconds=3))
        checks["temporal"] = "ok"
    except Exception as error:  # noqa: BLE001
        checks["temporal"] = f"unavailable: {type(error).__name__}"
    ok = all(value == "ok" for value in checks.values())
    return JSONResponse({"ready": ok, **checks}, status_code=200 if ok else 503)
