"""The inbox, the studio's landing page: leads needing the artist first (why, and how long the
client has waited), then the rest; a lead's conversation with a reply box and "Hand back to the
bot". A reply is queued with the client's messages and goes through the lead's workflow, exactly
as a reply from the artist's WhatsApp does; the page polls for new messages (`studio.js`)."""

from __future__ import annotations

import logging
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from temporalio.service import RPCError

from api import words
from api.deps import Edge, EdgeState
from api.lead_actions import is_running, run_action
from api.studio import web
from consultation.messages import MAX_TEXT, Inbound
from models import LeadRecord
from stores import takeover
from stores.studio import inbox as store
from stores.studio.lead_page import record_event
from workflows.contracts import ActionRequest

log = logging.getLogger(__name__)
router = APIRouter(prefix="/studio", route_class=web.StudioRoute, include_in_schema=False)

SCRIPT = Path(__file__).parent.parent / "static" / "studio.js"


@router.get("/studio.js")
async def script() -> Response:
    return FileResponse(
        SCRIPT, media_type="text/javascript", headers={"Cache-Control": "max-age=300"}
    )


def waited(since: datetime | None) -> str:
    """How long the client has waited, in the largest whole unit ("3 h", "2 days")."""
    if since is None:
        return ""
    minutes = int((datetime.now(UTC) - since).total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


async def inbox_page(
    request: Request,
    state: EdgeState,
    visitor: web.Visitor,
    lead_id: str = "",
    *,
    note: str = "",
    refused: str = "",
    status: int = 200,
) -> Response:
    async with state.sessions.begin() as session:
        needing, rest = await store.inbox(session)
        lead = await session.get(LeadRecord, lead_id) if lead_id else None
        if lead_id and lead is None:
            raise web.NotFound()
        bubbles = await store.conversation(session, lead) if lead else []
        name = next((row.name for row in [*needing, *rest] if row.lead_id == lead_id), "")
        await store.mark_seen(session, visitor.role)
    context = {
        "title": "Inbox",
        "visitor": visitor,
        "needing": needing,
        "rest": rest,
        "waited": waited,
        "lead": lead,
        "name": name,
        "bubbles": bubbles,
        "media_url": media_url(state),
        "nonce": secrets.token_urlsafe(16),
        "note": note,
        "refused": refused,
        "max_text": MAX_TEXT,
    }
    return web.page(request, "inbox.html", context, status)


def media_url(state: EdgeState) -> str:
    """Where stored images are served from, when our own app serves them (local storage)."""
    return "/media/" if state.settings.MEDIA_STORAGE == "local" else ""


@router.get("/inbox")
async def show_inbox(request: Request, visitor: web.SignedIn, state: Edge) -> Response:
    return await inbox_page(request, state, visitor)


@router.get("/inbox/{lead_id}")
async def show_lead(lead_id: str, request: Request, visitor: web.SignedIn, state: Edge) -> Response:
    done = request.query_params.get("done", "")
    note = {"sent": "Sent to the client.", "hand_back": "Handed back to the bot."}.get(done, "")
    return await inbox_page(request, state, visitor, lead_id[:64], note=note)


@router.get("/inbox/{lead_id}/messages")
async def messages(lead_id: str, request: Request, visitor: web.SignedIn, state: Edge) -> Response:
    """The conversation alone, for the page's poll: new messages without a reload."""
    async with state.sessions() as session:
        lead = await session.get(LeadRecord, lead_id[:64])
        if lead is None:
            raise web.NotFound()
        bubbles = await store.conversation(session, lead)
    context = {"bubbles": bubbles, "media_url": media_url(state), "lead": lead}
    return web.page(request, "conversation.html", context)


@router.get("/badges")
async def badges(visitor: web.SignedIn, state: Edge) -> Response:
    async with state.sessions() as session:
        found = await store.badges(session, visitor.role)
    body = {
        "new_leads": found.new_leads,
        "handovers": found.handovers,
        "payments": found.payments,
        "total": found.total,
    }
    return JSONResponse(body)


@router.post("/inbox/{lead_id}/reply")
async def reply(
    lead_id: str,
    request: Request,
    visitor: web.SignedInForm,
    state: Edge,
    text: Annotated[str, Form(max_length=MAX_TEXT)] = "",
    nonce: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Queue the reply with the client's messages; the lead's workflow sends it (once: the
    form's nonce is the message's id, so a second submit of the same form is not a second
    message) or tells the artist why it could not."""
    text = text.strip()
    async with state.sessions() as session:
        target = await takeover.lead_by_id(session, lead_id[:64])
    if target is None:
        raise web.NotFound()
    if not text or not nonce:
        return await inbox_page(
            request, state, visitor, target.lead_id, refused="Write a message first.", status=400
        )
    try:
        running = await is_running(state, target.workflow_id)
    except RPCError:
        log.exception("a studio reply could not reach Temporal")
        refused = "We couldn't reach the system. Try again."
        return await inbox_page(
            request, state, visitor, target.lead_id, refused=refused, status=503
        )
    if not running:
        refused = "Not sent: this enquiry has ended."
        return await inbox_page(
            request, state, visitor, target.lead_id, refused=refused, status=409
        )
    message = Inbound(
        message_id=f"studio.{nonce}",
        sent_at=int(time.time()),
        text=text,
        from_artist=True,
    )
    async with state.sessions.begin() as session:
        await takeover.queue(
            session, target.contact_key, message, state.settings.TEMPORAL_TASK_QUEUE, handled=False
        )
        await record_event(session, "studio.reply", target.lead_id, account=visitor.role)
    state.stored.set()  # the relay hands it to the lead
    return RedirectResponse(f"/studio/inbox/{quote(target.lead_id)}?done=sent", 303)


@router.post("/inbox/{lead_id}/hand-back")
async def hand_back(
    lead_id: str, request: Request, visitor: web.SignedInForm, state: Edge
) -> Response:
    async with state.sessions() as session:
        lead = await session.get(LeadRecord, lead_id[:64])
    if lead is None:
        raise web.NotFound()
    action = "hand_back"  # also resumes a lead handed over that the artist hasn't answered
    try:
        result = await run_action(state, lead.workflow_id, ActionRequest(action, "studio"))
    except RPCError:
        log.exception("a studio hand-back could not reach Temporal")
        refused = "We couldn't reach the system. Try again."
        return await inbox_page(request, state, visitor, lead.lead_id, refused=refused, status=503)
    async with state.sessions.begin() as session:
        await record_event(
            session, "studio.decision", lead.lead_id, account=visitor.role, action=action,
            done=str(result.done), detail=result.detail[:300],
        )  # fmt: skip
    if result.done:
        return RedirectResponse(f"/studio/inbox/{quote(lead.lead_id)}?done=hand_back", 303)
    refused = f"Not done: {words.in_words(result.detail)}"
    return await inbox_page(request, state, visitor, lead.lead_id, refused=refused, status=409)
