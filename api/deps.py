"""What the routers share, as FastAPI dependencies: the edge's state (settings, database,
a lazily connected Temporal client), database sessions, admin authentication and the webhooks'
signature checks."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.client import Client

from api.events import record_event
from api.meta_payload import verify_signature
from api.rate_limits import Limit, SlidingWindow
from api.stripe_events import BadStripeSignature, verify
from models.base import autocommit
from sealing import Keyring
from settings import Settings
from telemetry.metrics import WEBHOOK_OUTCOMES
from temporal_connection import connect


@dataclass
class EdgeState:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker
    _client: Client | None = None
    # The keys that seal workflow payloads (None when sealing is off): the client seals what it
    # sends, the codec endpoint opens payloads for the Temporal UI, erasure deletes a key.
    keys: Keyring | None = None
    # This process's request counts for the per-client limits (api/rate_limits.py).
    limiter: SlidingWindow = field(default_factory=SlidingWindow)
    # Set when this process has stored a message: wakes its relay (api/relay.py).
    stored: asyncio.Event = field(default_factory=asyncio.Event)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @cached_property
    def autocommit(self) -> AsyncEngine:
        """The engine with each statement its own transaction, for one-statement writes."""
        return autocommit(self.sessions)

    async def temporal(self) -> Client:
        # Connected on first use, so the API starts (and /health answers) while Temporal boots.
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    self._client = await connect(self.settings, keys=self.keys)
        return self._client


# Dependencies are coroutines, even the trivial ones: FastAPI runs a plain function on its thread
# pool, a hop per request that a webhook's ack waited on under load (bench/RESULTS.md, issue 14).
async def edge(request: Request) -> EdgeState:
    return request.app.state.edge


Edge = Annotated[EdgeState, Depends(edge)]


async def session(state: Edge) -> AsyncIterator[AsyncSession]:
    """A session for reading; routes that write open their own transaction."""
    async with state.sessions() as db:
        yield db


Session = Annotated[AsyncSession, Depends(session)]


async def require_admin(
    state: Edge, x_admin_api_key: Annotated[str | None, Header()] = None
) -> None:
    expected = state.settings.ADMIN_API_KEY
    if not expected:
        raise HTTPException(503, "Admin API disabled: set ADMIN_API_KEY")
    if not (x_admin_api_key and hmac.compare_digest(x_admin_api_key, expected)):
        raise HTTPException(401, "Missing or wrong X-Admin-API-Key")


class Refused(Exception):
    """A webhook delivery refused before intake; answered with `body` as JSON (the shape each
    provider's webhook has always answered with), not FastAPI's `{"detail": …}`."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body


async def answer_refused(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Refused)
    return JSONResponse(error.body, status_code=error.status)


async def verified_whatsapp(state: EdgeState, raw: bytes, signature: str | None) -> bytes:
    """`raw`, if Meta provably sent it (X-Hub-Signature-256). A signature is required when a
    secret is set, and always in production. Also used by /demo, which signs its own."""
    settings = state.settings
    secret = settings.WHATSAPP_APP_SECRET
    signed = secret and verify_signature(raw, signature, secret)
    if (secret or settings.APP_ENV == "production") and not signed:
        WEBHOOK_OUTCOMES.labels("whatsapp", "forged").inc()
        await record_event(state, "WARN", "whatsapp.signature_invalid", has_header=bool(signature))
        raise Refused(403, {"received": False, "error": "Invalid webhook signature"})
    return raw


async def verified_stripe(state: EdgeState, raw: bytes, signature: str | None) -> dict[str, Any]:
    """The event in `raw`, if Stripe provably signed it (Stripe-Signature). Also used by the
    demo's sandbox checkout, which signs its own."""
    try:
        return verify(raw, signature, state.settings.STRIPE_WEBHOOK_SECRET)
    except BadStripeSignature as error:
        WEBHOOK_OUTCOMES.labels("stripe", "forged").inc()
        await record_event(state, "WARN", "stripe.signature_invalid", reason=str(error)[:200])
        raise Refused(400, {"received": False, "error": "Invalid Stripe signature"}) from error


async def whatsapp_delivery(request: Request, state: Edge) -> bytes:
    raw = await request.body()
    return await verified_whatsapp(state, raw, request.headers.get("X-Hub-Signature-256"))


async def stripe_event(request: Request, state: Edge) -> dict[str, Any]:
    raw = await request.body()
    return await verified_stripe(state, raw, request.headers.get("Stripe-Signature"))


WhatsAppDelivery = Annotated[bytes, Depends(whatsapp_delivery)]
StripeEvent = Annotated[dict[str, Any], Depends(stripe_event)]


def client_address(request: Request) -> str:
    # The proxy's X-Forwarded-For is honoured by uvicorn --proxy-headers for the addresses in
    # FORWARDED_ALLOW_IPS, so this is the client's own address behind a trusted proxy.
    return request.client.host if request.client else "unknown"


def rate_limited(kind: str) -> Callable[[Request, EdgeState], Awaitable[None]]:
    """A dependency limiting requests per client address under the setting RATE_LIMIT_<KIND>."""
    setting = f"RATE_LIMIT_{kind.upper()}"

    async def check(request: Request, state: Edge) -> None:
        limit = Limit.parse(getattr(state.settings, setting))
        if limit is not None:
            state.limiter.hit(f"{kind}:{client_address(request)}", limit)

    return check
