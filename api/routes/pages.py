"""Pages a client lands on after Stripe Checkout. The webhook, not these pages, records payment."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.actions import page

router = APIRouter(tags=["client"])


@router.get("/payment/success", response_class=HTMLResponse)
async def success() -> HTMLResponse:
    return page(
        "Thank you!",
        "<p>Your deposit is being confirmed. You'll get a WhatsApp message as soon as it is.</p>",
    )


@router.get("/payment/cancelled", response_class=HTMLResponse)
async def cancelled() -> HTMLResponse:
    return page(
        "Payment not completed",
        "<p>No payment was taken. Your link still works until it expires; "
        "reply on WhatsApp if you need a new one.</p>",
    )
