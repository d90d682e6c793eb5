"""Deposits: a Checkout Session per deposit, created idempotently, reused when the client asks
for the link again, expired when a hold lapses. What both backends (Stripe, the sandbox) share.

Failures are `ProviderError`s of provider "Payment": `retryable` for an outage, a rate limit or
concurrent use of the key; refused otherwise (bad params, bad key), and `KEY_REUSED` when the
idempotency key was first used with other parameters, so the workflow needs a new key.
"""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

# Stripe refuses `expires_at` outside [creation + 30 min, creation + 24 h] (platform_facts C1).
# Its clock and the request's flight time are not ours, so stay a little inside both bounds.
MIN_LIFETIME = timedelta(minutes=30)
MAX_LIFETIME = timedelta(hours=24)
CLOCK_MARGIN = timedelta(minutes=2)
# A link with less left than this is not worth sending again: a new one is made instead.
REUSE_MIN_LEFT = timedelta(minutes=30)
CURRENCY = "gbp"  # runs from before the artist chose a currency
PRODUCT_NAME = "Tattoo deposit"
KEY_REUSED = "PaymentKeyReused"  # the failure's type: a new idempotency key is needed


@dataclass
class CheckoutRequest:
    lead_id: str
    workflow_id: str
    amount_pence: int
    description: str
    # Derived in the workflow (lead + attempt), so a retried activity never makes a second link.
    idempotency_key: str
    expires_at: datetime  # clamped into Stripe's bounds, see `clamp_expiry`
    success_url: str
    cancel_url: str
    reuse_session_id: str | None = None  # the link sent before, when the client asks again
    currency: str = CURRENCY  # the lead's (ISO 4217, lower case as Stripe writes it)


@dataclass
class CheckoutSession:
    session_id: str
    url: str
    expires_at: datetime
    status: str  # open | complete | expired


class Checkout(Protocol):
    async def create(self, req: CheckoutRequest) -> CheckoutSession: ...

    async def expire(self, session_id: str) -> None: ...


def clamp_expiry(wanted: datetime, now: datetime) -> datetime:
    """`wanted` moved inside the window Stripe accepts, in whole seconds (Stripe's unit). A
    naive time is taken as UTC.

    The workflow should ask for a time well inside the window: a clamped value depends on when
    the activity runs, and Stripe rejects a retry whose parameters differ from the first use of
    its idempotency key (`key_reused`)."""
    if wanted.tzinfo is None:
        wanted = wanted.replace(tzinfo=UTC)
    earliest = now + MIN_LIFETIME + CLOCK_MARGIN
    latest = now + MAX_LIFETIME - CLOCK_MARGIN
    return min(max(wanted, earliest), latest).replace(microsecond=0)


def worth_reusing(session: CheckoutSession, now: datetime) -> bool:
    """A paid session is the answer as it is (its webhook may just be late); an open one only
    while it has long enough left to be paid."""
    if session.status == "complete":
        return True
    return session.status == "open" and session.expires_at - now > REUSE_MIN_LEFT


def wall_clock() -> datetime:
    return datetime.now(UTC)


class ReusingCheckout(ABC):
    """The create flow both backends share: reuse the previous link when it is still good,
    otherwise close it and open a new session."""

    # What "now" is when judging a session; tests on a time-skipping server swap it.
    clock: Callable[[], datetime] = staticmethod(wall_clock)  # type: ignore[assignment]

    async def create(self, req: CheckoutRequest) -> CheckoutSession:
        now = self.clock()
        if req.reuse_session_id:
            previous = await self.find(req.reuse_session_id)
            if previous is not None and worth_reusing(previous, now):
                return previous
            if previous is not None and previous.status == "open":
                # About to lapse: close it, so the client never holds two payable links.
                await self.expire(previous.session_id)
        return await self._open(req, clamp_expiry(req.expires_at, now))

    @abstractmethod
    async def find(self, session_id: str) -> CheckoutSession | None:
        """The session as it is now; None for an unknown id."""

    @abstractmethod
    async def expire(self, session_id: str) -> None:
        """Close an open session; one already expired or paid is left as it is."""

    @abstractmethod
    async def _open(self, req: CheckoutRequest, expires_at: datetime) -> CheckoutSession:
        """A new session for `req` (the same one again for the same idempotency key)."""
