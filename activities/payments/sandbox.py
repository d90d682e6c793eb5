"""Checkout without Stripe, for the one-command demo: sessions are rows in
`checkout_sessions`, paid from the demo page at their `url`."""

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from activities.errors import ProviderError
from activities.payments.checkout import (
    KEY_REUSED,
    CheckoutRequest,
    CheckoutSession,
    ReusingCheckout,
    wall_clock,
)
from stores.checkout_sessions import CheckoutSessions


class SandboxCheckout(ReusingCheckout):
    """Checkout without Stripe, for the one-command demo: sessions are rows in
    `checkout_sessions`, paid from the demo page at their `url`."""

    def __init__(
        self,
        sessions: async_sessionmaker,
        public_base_url: str,
        clock: Callable[[], datetime] = wall_clock,
    ) -> None:
        self.rows = CheckoutSessions(sessions)
        self.public_base_url = public_base_url.rstrip("/")
        self.clock = clock

    async def find(self, session_id: str) -> CheckoutSession | None:
        row = await self.rows.get(session_id)
        return _from_row(row, self.clock()) if row is not None else None

    async def expire(self, session_id: str) -> None:
        await self.rows.expire(session_id)

    async def _open(self, req: CheckoutRequest, expires_at: datetime) -> CheckoutSession:
        session_id = f"cs_sandbox_{uuid.uuid4().hex}"
        row = {
            "id": session_id,
            "lead_id": req.lead_id,
            "workflow_id": req.workflow_id,
            "amount_pence": req.amount_pence,
            "currency": req.currency,
            "description": req.description,
            "status": "open",
            "url": f"{self.public_base_url}/demo/checkout/{session_id}",
            "idempotency_key": req.idempotency_key,
            "expires_at": expires_at,
        }
        stored = await self.rows.open(row)
        # Like Stripe, a key names one request; unlike Stripe, a re-clamped `expires_at` on a
        # retry is not held against it.
        if (stored.lead_id, stored.workflow_id, stored.amount_pence) != (
            req.lead_id,
            req.workflow_id,
            req.amount_pence,
        ):
            raise ProviderError(
                "Payment",
                f"key {req.idempotency_key!r} names another deposit",
                retryable=False,
                error_type=KEY_REUSED,
            )
        return _from_row(stored, self.clock())


def _from_row(row: Any, now: datetime) -> CheckoutSession:
    # Nothing flips a sandbox row at its expiry time, so an open row past it reads as expired.
    status = row.status
    if status == "open" and row.expires_at <= now:
        status = "expired"
    return CheckoutSession(row.id, row.url, row.expires_at, status)
