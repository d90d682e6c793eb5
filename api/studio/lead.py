"""A lead's page: summary, answers and parsed values, estimate and deposit, images, the
timeline of events and messages, holds and bookings, and the decisions valid now, run as the
same workflow update the one-tap links use (with the same refusals)."""

from __future__ import annotations

import logging
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from temporalio.service import RPCError

from api import words
from api.deps import Edge, EdgeState
from api.lead_actions import run_action
from api.studio import web
from consultation.artist import ACTIONS, TAKEOVER, Action
from consultation.money import format_money as money
from consultation.questions import KEYS
from models import LeadRecord
from stores import studio as store
from stores.studio import Image
from workflows.contracts import ActionRequest

log = logging.getLogger(__name__)
router = APIRouter(prefix="/studio", route_class=web.StudioRoute, include_in_schema=False)

ANSWER_LABELS = {
    "idea": "Idea", "placement": "Placement", "dimensions": "Size", "style": "Style",
    "complexity": "Detail", "coverup": "Cover-up", "reference_images": "References",
    "budget": "Budget", "location_city": "City", "location_country": "Country",
    "instagram_handle": "Instagram", "travel_city": "Travelling to", "timing": "Timing",
}  # fmt: skip


def image_links(state: EdgeState, images: list[Image]) -> list[str]:
    """Links to the stored reference images, when our own app serves them (local storage).
    Supabase's are signed by the worker (the edge never calls a provider), so for now the
    page only counts them."""
    if state.settings.MEDIA_STORAGE != "local":
        return []
    return [f"/media/{quote(image.object_key)}" for image in images]


def answers(raw: dict[str, str], parsed: dict[str, Any]) -> list[tuple[str, str]]:
    """Each answer as the client typed it, in question order; the budget with what it was
    read as ("2k (£2,000)")."""
    shown = []
    for key in KEYS:
        if key in raw:
            text = raw[key]
            budget = parsed.get("budget_pence")
            if key == "budget" and isinstance(budget, int):
                text = f"{text} ({money(budget)})"
            shown.append((ANSWER_LABELS.get(key, key), text))
    return shown


def valid_actions(lead: LeadRecord) -> list[str]:
    mine = [action for action, statuses in ACTIONS.items() if lead.status in statuses]
    # While the artist answers the client in person (`consultation.takeover`).
    return mine + ([Action.HAND_BACK.value] if lead.taken_over else [])


async def lead_page(
    request: Request,
    state: EdgeState,
    visitor: web.Visitor,
    lead_id: str,
    *,
    outcome: str = "",
    refused: str = "",
    status: int = 200,
) -> Response:
    async with state.sessions() as session:
        view = await store.lead_view(session, lead_id)
    if view is None:
        raise web.NotFound()
    lead, settings = view.lead, state.settings
    context = {
        "title": f"Lead {lead.lead_id[:8]}",
        "visitor": visitor,
        "view": view,
        "lead": lead,
        "estimate": lead.estimate or {},
        "answers": answers(lead.answers, lead.parsed),
        "parsed": sorted(lead.parsed.items()),
        "images": image_links(state, view.images),
        "image_count": len(view.images),
        "actions": [(a, *words.ACTION_WORDS[a]) for a in valid_actions(lead)],
        "temporal_url": f"{settings.TEMPORAL_UI_URL}/namespaces/{settings.TEMPORAL_NAMESPACE}"
        f"/workflows/{lead.workflow_id}/{lead.run_id}/history",
        "sizes": words.SIZE_WORDS,
        "outcome": outcome,
        "refused": refused,
    }
    return web.page(request, "lead.html", context, status)


@router.get("/leads/{lead_id}")
async def show(lead_id: str, request: Request, visitor: web.SignedIn, state: Edge) -> Response:
    done = request.query_params.get("done", "")
    outcome = f"{words.ACTION_WORDS[done][0]}: done." if done in words.ACTION_WORDS else ""
    return await lead_page(request, state, visitor, lead_id[:64], outcome=outcome)


@router.post("/leads/{lead_id}/decide")
async def decide(
    lead_id: str,
    request: Request,
    visitor: web.SignedInForm,
    state: Edge,
    action: Annotated[str, Form(max_length=32)] = "",
    status: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Run the decision on the lead's workflow, valid only in the status the page showed."""
    if action not in ACTIONS and action not in TAKEOVER:
        raise web.NotFound()
    async with state.sessions() as session:
        view = await store.lead_view(session, lead_id[:64])
    if view is None:
        raise web.NotFound()
    request_ = ActionRequest(action, source="studio", issued_status=status or None)
    try:
        result = await run_action(state, view.lead.workflow_id, request_)
    except RPCError:
        log.exception("a studio decision could not reach Temporal")
        return await lead_page(
            request, state, visitor, lead_id, refused="We couldn't reach the system. Try again.",
            status=503,
        )  # fmt: skip
    async with state.sessions.begin() as session:
        await store.record_event(
            session, "studio.decision", view.lead.lead_id, account=visitor.role, action=action,
            done=str(result.done), detail=result.detail[:300],
        )  # fmt: skip
    if result.done:
        return RedirectResponse(f"/studio/leads/{quote(view.lead.lead_id)}?done={action}", 303)
    async with state.sessions() as session:
        now = await store.lead_view(session, view.lead.lead_id)
    current = now.lead.status if now else ""
    if status and current and current != status:
        reason = f"Not done: this lead has moved on. It is now {words.status_words(current)}."
    else:
        reason = f"Not done: {words.in_words(result.detail)}"
    return await lead_page(request, state, visitor, lead_id, refused=reason, status=409)
