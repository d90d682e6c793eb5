"""The payment activities: a deposit's checkout link made (or reused) and expired."""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

from temporalio import activity

from activities.errors import provider_errors
from activities.payments.checkout import Checkout, CheckoutRequest, CheckoutSession


class PaymentActivities:
    def __init__(self, checkout: Checkout) -> None:
        self.checkout = checkout

    @activity.defn(name="create_checkout")
    @provider_errors
    async def create_checkout(self, req: CheckoutRequest) -> CheckoutSession:
        return await self.checkout.create(req)

    @activity.defn(name="expire_checkout")
    @provider_errors
    async def expire_checkout(self, session_id: str) -> None:
        await self.checkout.expire(session_id)
