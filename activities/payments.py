"""Deposits: a Stripe Checkout Session per deposit (or a sandbox one in PostgreSQL for the demo),
created idempotently, reused when the client asks for the link again, expired when a hold lapses.
"""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

import stripe
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from stripe.params.checkout import SessionCreateParams
from temporalio import activity
from temporalio.exceptions import ApplicationError

from models import CheckoutSessionRow

# Stripe refuses `expires_at` outside [creation + 30 min, creation + 24 h] (platform_facts C1).
# Its clock and the request's flight time are not ours, so stay a little inside both bounds.
MIN_LIFETIME = timedelta(minutes=30)
MAX_LIFETIME = timedelta(hours=24)
CLOCK_MARGIN = timedelta(minutes=2)
# A link with less left than this is not worth sending again: a new one is made instead.
REUSE_MIN_LEFT = timedelta(minutes=30)
CURRENCY = "gbp"
PRODUCT_NAME = "Tattoo deposit"

PaymentErrorKind = Literal["retry", "rejected", "key_reused"]


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


@dataclass
class CheckoutSession:
    session_id: str
    url: str
    expires_at: datetime
    status: str  # open | complete | expired


class PaymentError(Exception):
    """A checkout call that did not happen. `retry`: an outage, rate limit or concurrent use
    of the key; `rejected`: Stripe refused the request (bad params, bad key); `key_reused`: the
    idempotency key was first used with other parameters, so the workflow needs a new key."""

    def __init__(self, kind: PaymentErrorKind, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind: PaymentErrorKind = kind
        self.detail = detail

    @property
    def retryable(self) -> bool:
        return self.kind == "retry"


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


class _ReusingCheckout(ABC):
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


class StripeCheckout(_ReusingCheckout):
    """Checkout Sessions on Stripe (or anything speaking its API at `api_base_url`)."""

    def __init__(
        self,
        api_key: str,
        api_base_url: str = "https://api.stripe.com",
        *,
        timeout: float = 20.0,
        http_client: stripe.HTTPClient | None = None,
    ) -> None:
        self._owns_http = http_client is None
        self._http = http_client or stripe.HTTPXClient(timeout=timeout)
        # No SDK-level retries: Temporal retries the activity with the same idempotency key,
        # and an SDK retry loop would only eat into the activity's timeout.
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base_url.rstrip("/")},
            http_client=self._http,
            max_network_retries=0,
        )

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.close_async()

    async def find(self, session_id: str) -> CheckoutSession | None:
        try:
            session = await self._client.v1.checkout.sessions.retrieve_async(session_id)
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
                return None
            raise classify(error) from error
        except stripe.StripeError as error:
            raise classify(error) from error
        return _from_stripe(session)

    async def expire(self, session_id: str) -> None:
        try:
            await self._client.v1.checkout.sessions.expire_async(session_id)
        except stripe.InvalidRequestError as error:
            # Stripe answers 400 for a session that is not open; its text is not a contract,
            # so look at the session instead (a payment may have just landed).
            if error.http_status == 400:
                current = await self.find(session_id)
                if current is not None and current.status != "open":
                    return
            raise classify(error) from error
        except stripe.StripeError as error:
            raise classify(error) from error

    async def _open(self, req: CheckoutRequest, expires_at: datetime) -> CheckoutSession:
        ids = {"lead_id": req.lead_id, "workflow_id": req.workflow_id}
        params: SessionCreateParams = {
            "mode": "payment",
            "line_items": [
                {
                    "price_data": {
                        "currency": CURRENCY,
                        "unit_amount": req.amount_pence,
                        "product_data": {"name": PRODUCT_NAME, "description": req.description},
                    },
                    "quantity": 1,
                }
            ],
            "client_reference_id": req.lead_id,
            # Session metadata stays on the Session. The PaymentIntent copy is what charge and
            # refund events carry, so refunds are traced without looking the Session up.
            "metadata": ids,
            "payment_intent_data": {"metadata": ids},
            "expires_at": int(expires_at.timestamp()),
            "success_url": req.success_url,
            "cancel_url": req.cancel_url,
        }
        try:
            session = await self._client.v1.checkout.sessions.create_async(
                params,
                options={"idempotency_key": req.idempotency_key},
            )
        except stripe.StripeError as error:
            raise classify(error) from error
        return _from_stripe(session)


def classify(error: stripe.StripeError) -> PaymentError:
    """The `PaymentError` for an error the Stripe SDK raised."""
    status = error.http_status
    detail = f"{type(error).__name__} ({status}): {error.user_message or error}"[:300]
    if isinstance(error, stripe.IdempotencyError):
        return PaymentError("key_reused", detail)
    # A connection error or timeout has no status. 409 is a concurrent request holding the
    # same idempotency key: Stripe saved no result for this one, so trying later is safe.
    if status is None or status >= 500 or status in (409, 429):
        return PaymentError("retry", detail)
    return PaymentError("rejected", detail)


def _from_stripe(session: stripe.checkout.Session) -> CheckoutSession:
    return CheckoutSession(
        session_id=session.id,
        url=session.url or "",
        expires_at=datetime.fromtimestamp(session.expires_at, UTC),
        status=session.status or "open",
    )


_SESSION_COLUMNS = (
    CheckoutSessionRow.id,
    CheckoutSessionRow.url,
    CheckoutSessionRow.expires_at,
    CheckoutSessionRow.status,
)


class SandboxCheckout(_ReusingCheckout):
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
            raise PaymentError("key_reused", f"key {req.idempotency_key!r} names another deposit")
        return _from_row(stored, self.clock())


def _from_row(row: Any, now: datetime) -> CheckoutSession:
    # Nothing flips a sandbox row at its expiry time, so an open row past it reads as expired.
    status = row.status
    if status == "open" and row.expires_at <= now:
        status = "expired"
    return CheckoutSession(row.id, row.url, row.expires_at, status)


class PaymentActivities:
    def __init__(self, checkout: Checkout) -> None:
        self.checkout = checkout

    @activity.defn(name="create_checkout")
    async def create_checkout(self, req: CheckoutRequest) -> CheckoutSession:
        try:
            return await self.checkout.create(req)
        except PaymentError as error:
            raise _application_error(error) from error

    @activity.defn(name="expire_checkout")
    async def expire_checkout(self, session_id: str) -> None:
        try:
            await self.checkout.expire(session_id)
        except PaymentError as error:
            raise _application_error(error) from error


ERROR_TYPES: dict[PaymentErrorKind, str] = {
    "retry": "PaymentRetry",
    "rejected": "PaymentRejected",
    "key_reused": "PaymentKeyReused",
}


def _application_error(error: PaymentError) -> ApplicationError:
    """Outages are retried by Temporal; refusals fail the activity at once, with a type the
    workflow can match on."""
    return ApplicationError(
        str(error), type=ERROR_TYPES[error.kind], non_retryable=not error.retryable
    )
