"""The FastAPI application: `uvicorn api.app:app`."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from api.deps import EdgeState, Refused, answer_refused
from api.rate_limits import TooMany, answer_too_many
from api.relay import Relay
from api.routes import (
    actions,
    admin,
    calendar_admin,
    calendar_feed,
    codec,
    demo,
    health,
    metrics,
    pages,
    privacy,
    webhooks,
)
from api.studio import router as studio_router
from models.base import make_engine, make_sessions
from settings import Settings, get_settings
from telemetry import tracing
from telemetry.http import HttpTelemetry
from telemetry.logs import configure as configure_logs
from temporal_connection import keyring


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # In production, refuse to start without every required secret (named all at once).
    settings.check_production()
    # The demo serves the artist's links to anyone: refused unless everything is a sandbox.
    settings.check_demo()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.DATABASE_URL)
        sessions = make_sessions(engine)
        app.state.edge = state = EdgeState(
            settings, engine, sessions, keys=keyring(settings, sessions)
        )
        # Hands what the webhook stored to the workflows, after the webhook has answered.
        relay = asyncio.create_task(Relay(state).run())
        yield
        relay.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relay
        await engine.dispose()

    title = "Tattoo consultation assistant"
    if settings.docs_enabled:
        # Swagger UI's script and styles served from a package, so /docs works offline.
        app = FastAPIOffline(title=title, lifespan=lifespan, redoc_url=None)
    else:
        app = FastAPI(
            title=title, lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
        )
    tracing.instrument_api(app)
    app.add_exception_handler(Refused, answer_refused)
    app.add_exception_handler(TooMany, answer_too_many)
    app.add_middleware(HttpTelemetry)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(codec.router)
    app.include_router(privacy.router)
    app.include_router(webhooks.router)
    app.include_router(actions.router)
    app.include_router(pages.router)
    app.include_router(admin.router)
    app.include_router(calendar_admin.router)
    app.include_router(calendar_feed.router)
    app.include_router(studio_router)
    if settings.DEMO_MODE:
        app.include_router(demo.router)
    if settings.MEDIA_STORAGE == "local":
        # Reference images stored by the worker, linked from the artist's summary.
        media_dir = Path(settings.MEDIA_DIR)
        media_dir.mkdir(parents=True, exist_ok=True)
        app.mount("/media", StaticFiles(directory=media_dir), name="media")
    return app


def app() -> FastAPI:
    """Factory for `uvicorn --factory api.app:app`."""
    settings = get_settings()
    configure_logs("api", settings.LOG_FORMAT)
    tracing.configure(settings.OTEL_EXPORTER_OTLP_ENDPOINT, f"{settings.OTEL_SERVICE_NAME}-api")
    application = create_app(settings)
    # What start-up imported and built lives as long as the process: out of the collector's
    # sight, a full collection takes ~15 ms instead of 80–145, during which no webhook is
    # answered (bench/RESULTS.md, issue 14).
    gc.freeze()
    return application
