"""Checkout Sessions on Stripe (or anything speaking its API), through the official SDK."""

from datetime import UTC, datetime

import stripe
from stripe.params.checkout import SessionCreateParams

from activities.errors import ProviderError
from activities.payments.checkout import (
    KEY_REUSED,
    PRODUCT_NAME,
    CheckoutRequest,
    CheckoutSession,
    ReusingCheckout,
)


class StripeCheckout(ReusingCheckout):
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
                        "currency": req.currency,
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


def classify(error: stripe.StripeError) -> ProviderError:
    """The `ProviderError` for an error the Stripe SDK raised."""
    status = error.http_status
    detail = f"{type(error).__name__} ({status}): {error.user_message or error}"[:300]
    if isinstance(error, stripe.IdempotencyError):
        return ProviderError("Payment", detail, retryable=False, error_type=KEY_REUSED)
    # A connection error or timeout has no status. 409 is a concurrent request holding the
    # same idempotency key: Stripe saved no result for this one, so trying later is safe.
    if status is None or status >= 500 or status in (409, 429):
        return ProviderError("Payment", detail, retryable=True, code=status)
    return ProviderError("Payment", detail, retryable=False, code=status)


def _from_stripe(session: stripe.checkout.Session) -> CheckoutSession:
    return CheckoutSession(
        session_id=session.id,
        url=session.url or "",
        expires_at=datetime.fromtimestamp(session.expires_at, UTC),
        status=session.status or "open",
    )
