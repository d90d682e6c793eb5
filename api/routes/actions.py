"""The artist's one-tap links: GET shows what the action will do, POST does it as a workflow
update (with a validator), so the page tells the truth: done, already done, no longer possible
(and why) or expired. A token is claimed atomically, so of two clicks at once exactly one acts."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy import update
from temporalio.service import RPCError

from api.deps import Edge, EdgeState, rate_limited
from api.lead_actions import run_action
from api.rendering import note, page, render
from api.words import ACTION_WORDS, SIZE_WORDS, in_words, status_words
from consultation.money import format_money
from models import ActionToken, LeadRecord
from stores.tokens import token_hash
from workflows.contracts import ActionRequest

log = logging.getLogger(__name__)
router = APIRouter(tags=["artist"], dependencies=[Depends(rate_limited("links"))])

# The link page's heading for each decision; what the decision does is said once, in
# `api.words.ACTION_WORDS`, for the link pages and the studio alike.
TITLES = {
    "approve": "Approve this lead",
    "approve_anyway": "Approve despite the low budget",
    "reject": "Decline this lead",
    "resume": "Hand the chat back to the bot",
    "send_deposit": "Send the deposit link again",
    "mark_booked": "Mark as booked",
    "offer_times": "Offer new times",
    "cancel_booking": "Cancel this booking",
}


def what(action: str) -> tuple[str, str]:
    """(heading, what happens) for a decision."""
    button, effect = ACTION_WORDS.get(action, (action, ""))
    return TITLES.get(action, button), effect


async def find(state: EdgeState, token: str) -> tuple[ActionToken | None, LeadRecord | None]:
    async with state.sessions() as session:
        row = await session.get(ActionToken, token_hash(token))
        lead = await session.get(LeadRecord, row.lead_id) if row else None
    return row, lead


def summary(lead: LeadRecord | None) -> Markup:
    if lead is None:
        return Markup()
    answers, parsed, estimate = lead.answers, lead.parsed, lead.estimate or {}
    budget = parsed.get("budget_pence")
    rows = [
        ("Idea", answers.get("idea")),
        ("Placement", answers.get("placement")),
        ("Size", answers.get("dimensions")),
        ("Budget", format_money(budget) if isinstance(budget, int) else None),
        ("Location", ", ".join(str(v) for v in (parsed.get("city"), parsed.get("country")) if v)),
        ("Estimate", SIZE_WORDS.get(estimate.get("category", ""), estimate.get("category"))),
        (
            "Deposit",
            format_money(estimate["deposit_pence"]) if estimate.get("deposit_pence") else None,
        ),
        ("Status", status_words(lead.status)),
    ]
    items = Markup().join(
        render("lead_summary_row.html", name=name, value=str(value)[:300])
        for name, value in rows
        if value
    )
    return render("lead_summary.html", rows=items)


def unusable(row: ActionToken | None, now: datetime) -> HTMLResponse | None:
    if row is None:
        return note("Link not valid", "This link is not valid.", 404)
    if row.used_at is not None:
        outcome = row.outcome or "It was used already."
        return note("Already used", f"This link was already used. {outcome}", 409)
    if row.expires_at <= now:
        return note(
            "Link expired", "This link has expired. Ask for a fresh one from the admin API.", 410
        )
    return None


@router.get("/a/{token}", response_class=HTMLResponse)
async def confirm(token: str, state: Edge) -> HTMLResponse:
    row, lead = await find(state, token)
    if problem := unusable(row, datetime.now(UTC)):
        return problem
    assert row is not None
    title, effect = what(row.action)
    return page(title, "confirm_action.html", summary=summary(lead), effect=effect, button=title)


@router.post("/a/{token}", response_class=HTMLResponse)
async def act(token: str, state: Edge) -> HTMLResponse:
    now = datetime.now(UTC)
    hashed = token_hash(token)
    async with state.sessions.begin() as session:
        claimed = await session.scalar(
            update(ActionToken)
            .where(
                ActionToken.token_hash == hashed,
                ActionToken.used_at.is_(None),
                ActionToken.expires_at > now,
            )
            .values(used_at=now)
            .returning(ActionToken)
        )
    if claimed is None:
        row, _ = await find(state, token)
        return unusable(row, now) or note("Not possible", "Try again.", 409)

    title, _ = what(claimed.action)
    request = ActionRequest(claimed.action, source="link", issued_status=claimed.issued_status)
    try:
        result = await run_action(state, claimed.workflow_id, request)
    except RPCError:
        log.exception("action link could not reach Temporal")
        async with state.sessions.begin() as session:  # give the link back: nothing happened
            await session.execute(
                update(ActionToken).where(ActionToken.token_hash == hashed).values(used_at=None)
            )
        return note(title, "We couldn't reach the system. Please try again.", 503)
    outcome = "Done." if result.done else f"Not done: {in_words(result.detail)}"
    async with state.sessions.begin() as session:
        await session.execute(
            update(ActionToken).where(ActionToken.token_hash == hashed).values(outcome=outcome)
        )
    if result.done:
        return note(title, f"Done. The lead is now {status_words(result.status).lower()}.")
    return note("No longer possible", in_words(result.detail), 409)
