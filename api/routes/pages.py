"""Pages a client lands on after Stripe Checkout. The webhook, not these pages, records payment."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.rendering import page

router = APIRouter(tags=["client"])


@router.get("/payment/success", response_class=HTMLResponse)
async def success() -> HTMLResponse:
    return page("Thank you!", "payment_success.html")


@router.get("/payment/cancelled", response_class=HTMLResponse)
async def cancelled() -> HTMLResponse:
    return page("Payment not completed", "payment_cancelled.html")
