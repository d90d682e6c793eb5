"""Checkout without Stripe, for the one-command demo: sessions are rows in
`checkout_sessions`, paid from the demo page at their `url`."""

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker

from activities.errors import ProviderError
from activities.payments.checkout import (
    CURRENCY,
    KEY_REUSED,
    CheckoutRequest,
    CheckoutSession,
    ReusingCheckout,
    wall_clock,
)
from models import CheckoutSessionRow

_SESSION_COLUMNS = (
    CheckoutSessionRow.id,
    CheckoutSessionRow.url,
    CheckoutSessionRow.expires_at,
    CheckoutSessionRow.status,
)


class SandboxCheckout(ReusingCheckout):
    """Checkout without Stripe, for the one-command demo: sessions are rows in
    `checkout_sessions`, paid from the demo page at their `url`."""

    def __init__(
        self,
        sessions: async_sessionmaker,
        public_base_url: str,
        clock: Callable[[], datetime] = wall_clock,
    ) -> None:
        self.sessions = sessions
        self.public_base_url = public_base_url.rstrip("/")
        self.clock = clock

    async def find(self, session_id: str) -> CheckoutSession | None:
        async with self.sessions() as session:
            row = (
                await session.execute(
                    select(*_SESSION_COLUMNS).where(CheckoutSessionRow.id == session_id)
                )
            ).first()
        return _from_row(row, self.clock()) if row is not None else None

    async def expire(self, session_id: str) -> None:
        async with self.sessions.begin() as session:
            await session.execute(
                update(CheckoutSessionRow)
                .where(CheckoutSessionRow.id == session_id, CheckoutSessionRow.status == "open")
                .values(status="expired")
            )

    async def _open(self, req: CheckoutRequest, expires_at: datetime) -> CheckoutSession:
        session_id = f"cs_sandbox_{uuid.uuid4().hex}"
        row = {
            "id": session_id,
            "lead_id": req.lead_id,
            "workflow_id": req.workflow_id,
            "amount_pence": req.amount_pence,
            "currency": CURRENCY,
            "status": "open",
            "url": f"{self.public_base_url}/demo/checkout/{session_id}",
            "idempotency_key": req.idempotency_key,
            "expires_at": expires_at,
        }
        key = CheckoutSessionRow.idempotency_key
        async with self.sessions.begin() as session:
            # A concurrent insert with the same key waits on the unique index, then does
            # nothing; the select after it sees the winner's committed row.
            await session.execute(
                insert(CheckoutSessionRow)
                .values(**row)
                .on_conflict_do_nothing(index_elements=["idempotency_key"])
            )
            stored = (
                await session.execute(
                    select(
                        *_SESSION_COLUMNS,
                        CheckoutSessionRow.lead_id,
                        CheckoutSessionRow.workflow_id,
                        CheckoutSessionRow.amount_pence,
                    ).where(key == req.idempotency_key)
                )
            ).one()
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
