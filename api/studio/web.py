"""What every studio page shares: the templates, who is signed in, CSRF checks on every form,
and the refusals (sign in first, 403, 429) answered as pages with security headers."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from api import words
from api.deps import Edge, EdgeState
from api.studio import accounts, limits
from api.studio.accounts import Visitor
from consultation.calendar_rules import RULES
from consultation.money import format_money as money

SESSION_COOKIE = "studio_session"
SIGNIN_COOKIE = "studio_signin"  # the signed-out forms' CSRF token (double submit)
TEMPLATES = Path(__file__).parent.parent / "templates" / "studio"
ZONE = ZoneInfo(RULES.timezone)  # the artist's time zone, as the calendar uses

templates = Jinja2Templates(directory=TEMPLATES)  # autoescapes .html
templates.env.filters["status_words"] = words.status_words
templates.env.filters["money"] = lambda minor, currency=None: (
    money(int(minor), currency or "GBP") if minor is not None else ""
)
templates.env.filters["ref"] = lambda lead_id: lead_id[:8]
templates.env.filters["tone"] = words.tone
templates.env.globals["event_words"] = words.event_words


def when(value: datetime | None, fmt: str = "%a %-d %b %Y, %H:%M") -> str:
    return value.astimezone(ZONE).strftime(fmt) if value else ""


templates.env.filters["when"] = when

# Every studio response: no framing, no caching of what a signed-in artist sees, no scripts or
# styles but our own files.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' https: data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class Refusal(Exception):
    def response(self, request: Request) -> Response:
        raise NotImplementedError


class SignInFirst(Refusal):
    def response(self, request: Request) -> Response:
        return RedirectResponse("/studio/signin", status_code=303)


class Forbidden(Refusal):
    def response(self, request: Request) -> Response:
        return page(
            request,
            "message.html",
            {"title": "Form expired", "text": "This form has expired. Go back, reload the page "
             "and try again."},
            status=403,
        )  # fmt: skip


class NotFound(Refusal):
    def response(self, request: Request) -> Response:
        context = {"title": "Not found", "text": "There is nothing here.", "home": True}
        return page(request, "message.html", context, status=404)


class TooManyAttempts(Refusal):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after

    def response(self, request: Request) -> Response:
        minutes = max(1, round(self.retry_after / 60))
        response = page(
            request,
            "message.html",
            {"title": "Too many attempts", "text": f"Too many sign-in attempts. "
             f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."},
            status=429,
        )  # fmt: skip
        response.headers["Retry-After"] = str(self.retry_after)
        return response


class StudioRoute(APIRoute):
    """Answers a Refusal raised anywhere in a route or its dependencies as a page, and puts the
    security headers on every studio response."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                response = await handler(request)
            except limits.TooMany as too_many:
                response = TooManyAttempts(too_many.retry_after).response(request)
            except Refusal as refusal:
                response = refusal.response(request)
            for name, value in HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return guarded


def page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return templates.TemplateResponse(request, template, context, status_code=status)


def set_cookie(response: Response, state: EdgeState, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/studio",
        httponly=True,
        secure=state.settings.studio_cookies_secure,
        samesite="lax",  # sent when the artist follows a link from WhatsApp to a lead
    )


def clear_cookie(response: Response, state: EdgeState, name: str) -> None:
    response.delete_cookie(
        name,
        path="/studio",
        httponly=True,
        secure=state.settings.studio_cookies_secure,
        samesite="lax",
    )


async def current(request: Request, state: Edge) -> Visitor:
    """The signed-in visitor; anyone else is sent to the sign-in page."""
    found = await accounts.visitor(state, request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise SignInFirst()
    return found


SignedIn = Annotated[Visitor, Depends(current)]


async def checked(visitor: SignedIn, csrf: Annotated[str, Form()] = "") -> Visitor:
    """The signed-in visitor posting a form of their own session (CSRF)."""
    if not (csrf and hmac.compare_digest(csrf, visitor.csrf)):
        raise Forbidden()
    return visitor


SignedInForm = Annotated[Visitor, Depends(checked)]


def signin_token(request: Request) -> str:
    """The signed-out forms' CSRF token: the cookie's, or a fresh one (set by `with_token`)."""
    return request.cookies.get(SIGNIN_COOKIE) or secrets.token_urlsafe(32)


def with_token(response: Response, state: EdgeState, token: str) -> Response:
    set_cookie(response, state, SIGNIN_COOKIE, token, max_age=24 * 3600)
    return response


async def signin_checked(request: Request, csrf: Annotated[str, Form()] = "") -> None:
    """A signed-out form (sign-in) posted from our own page: its field matches its cookie."""
    cookie = request.cookies.get(SIGNIN_COOKIE, "")
    if not (csrf and cookie and hmac.compare_digest(csrf, cookie)):
        raise Forbidden()


SignInForm = Depends(signin_checked)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
