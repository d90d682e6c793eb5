"""Deposits through Checkout Sessions: what both backends share (`checkout`), Stripe
(`stripe_checkout`), the demo's sandbox in PostgreSQL (`sandbox`), and the activities."""

from activities.payments.activity import PaymentActivities
from activities.payments.checkout import (
    Checkout,
    CheckoutRequest,
    CheckoutSession,
    clamp_expiry,
    worth_reusing,
)
from activities.payments.sandbox import SandboxCheckout
from activities.payments.stripe_checkout import StripeCheckout

__all__ = [
    "Checkout",
    "CheckoutRequest",
    "CheckoutSession",
    "PaymentActivities",
    "SandboxCheckout",
    "StripeCheckout",
    "clamp_expiry",
    "worth_reusing",
]
