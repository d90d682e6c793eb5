"""Signing in to the studio: with a password (either account), or with a one-time link sent to
the artist's WhatsApp; and signing out. Every form carries a CSRF token; attempts are limited."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from temporalio.service import RPCError

from api.deps import Edge, EdgeState
from api.studio import accounts, limits, web
from api.studio.accounts import Role
from models import StudioSignInLink
from stores import studio as store
from workflows.alerts import ArtistAlert, ArtistAlertWorkflow

log = logging.getLogger(__name__)
router = APIRouter(prefix="/studio", route_class=web.StudioRoute, include_in_schema=False)


def _signin_page(
    request: Request, state: EdgeState, status: int = 200, **context: object
) -> Response:
    token = web.signin_token(request)
    settings = state.settings
    response = web.page(
        request,
        "signin.html",
        {
            "title": "Sign in",
            "csrf": token,
            "link_offered": bool(settings.ARTIST_WHATSAPP_NUMBER),
            "passwords_offered": any(a.password_hash for a in accounts.accounts(settings)),
            "link_minutes": settings.STUDIO_SIGNIN_LINK_MINUTES,
            **context,
        },
        status,
    )
    return web.with_token(response, state, token)


async def _signed_in(state: EdgeState, role: Role) -> Response:
    token = await accounts.open_session(state, role)
    response = RedirectResponse("/studio/inbox", status_code=303)  # the landing page
    max_age = int(state.settings.STUDIO_SESSION_MAX_HOURS * 3600)
    web.set_cookie(response, state, web.SESSION_COOKIE, token, max_age)
    return response


@router.get("/signin")
async def signin_page(request: Request, state: Edge) -> Response:
    if await accounts.visitor(state, request.cookies.get(web.SESSION_COOKIE)):
        return RedirectResponse("/studio/inbox", status_code=303)
    return _signin_page(request, state)


@router.post("/signin", dependencies=[web.SignInForm])
async def signin_with_password(
    request: Request,
    state: Edge,
    login: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    address = limits.bucket("ip", web.client_address(request))
    account_bucket = limits.bucket("account", login.strip())
    await limits.check(state, address, account_bucket)
    await limits.count(state, address)
    account = accounts.check_password(state.settings, login.strip(), password)
    if account is None:
        await limits.count(state, account_bucket)
        return _signin_page(
            request, state, 401, error="That account name and password don't match.", login=login
        )
    return await _signed_in(state, account.role)


@router.post("/signin/link", dependencies=[web.SignInForm])
async def send_signin_link(request: Request, state: Edge) -> Response:
    settings = state.settings
    # Each link is a WhatsApp message to the artist: limited per address and in all.
    address = limits.bucket("ip", web.client_address(request))
    sent = limits.bucket("link", "artist")
    await limits.check(state, address, sent)
    await limits.count(state, address, sent)
    if not settings.ARTIST_WHATSAPP_NUMBER:
        return _signin_page(request, state, 404, error="Sign-in links are not set up here.")
    token = secrets.token_urlsafe(32)
    hashed = accounts.token_hash(token)
    minutes = settings.STUDIO_SIGNIN_LINK_MINUTES
    async with state.sessions.begin() as session:
        session.add(
            StudioSignInLink(
                token_hash=hashed,
                account="artist",
                expires_at=datetime.now(UTC) + timedelta(minutes=minutes),
            )
        )
    url = f"{settings.PUBLIC_BASE_URL}/studio/signin/link/{token}"
    text = (
        f"Your studio sign-in link (works once, for {minutes} minutes):\n{url}\n\n"
        "If you didn't ask for it, ignore this message."
    )
    try:
        client = await state.temporal()
        # Sent durably, like every message to the artist (the id never holds the token).
        await client.start_workflow(
            ArtistAlertWorkflow.run,
            ArtistAlert(lead_id="", text=text, key="studio.signin"),
            id=f"studio-signin-{hashed[:32]}",
            task_queue=settings.TEMPORAL_TASK_QUEUE,
        )
    except RPCError:
        log.exception("the sign-in link could not be handed to Temporal")
        return _signin_page(request, state, 503, error="We couldn't send the link. Try again.")
    return _signin_page(request, state, sent=True)


def _link_problem(request: Request, row: StudioSignInLink | None) -> Response | None:
    if row is None:
        text, status = "This sign-in link is not valid.", 404
    elif row.used_at is not None:
        text, status = "This sign-in link was already used. Ask for a new one.", 410
    elif row.expires_at <= datetime.now(UTC):
        text, status = "This sign-in link has expired. Ask for a new one.", 410
    else:
        return None
    context = {"title": "Link not valid", "text": text, "again": True}
    return web.page(request, "message.html", context, status)


@router.get("/signin/link/{token}")
async def signin_link_page(token: str, request: Request, state: Edge) -> Response:
    # GET never signs in: link previews and scanners open links too.
    async with state.sessions() as session:
        row = await session.get(StudioSignInLink, accounts.token_hash(token))
    if problem := _link_problem(request, row):
        return problem
    csrf = web.signin_token(request)
    response = web.page(request, "signin_link.html", {"title": "Sign in", "csrf": csrf})
    return web.with_token(response, state, csrf)


@router.post("/signin/link/{token}", dependencies=[web.SignInForm])
async def signin_with_link(token: str, request: Request, state: Edge) -> Response:
    address = limits.bucket("ip", web.client_address(request))
    await limits.check(state, address)
    hashed = accounts.token_hash(token)
    async with state.sessions.begin() as session:
        claimed = await store.claim_link(session, hashed)
    if claimed is None:
        await limits.count(state, address)
        async with state.sessions() as session:
            row = await session.get(StudioSignInLink, hashed)
        return _link_problem(request, row) or web.page(
            request, "message.html", {"title": "Link not valid", "text": "Try again."}, 409
        )
    return await _signed_in(state, "artist")


@router.post("/signout")
async def signout(visitor: web.SignedInForm, state: Edge) -> Response:
    await accounts.close_session(state, visitor.token_hash)
    response = RedirectResponse("/studio/signin", status_code=303)
    web.clear_cookie(response, state, web.SESSION_COOKIE)
    return response
