"""The artist's one-tap links: GET shows what the action will do, POST does it as a workflow
update (with a validator), so the page tells the truth: done, already done, no longer possible
(and why) or expired. A token is claimed atomically, so of two clicks at once exactly one acts."""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy import update
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from api.state import Edge, EdgeState
from models import ActionToken, LeadRecord
from stores.tokens import token_hash
from workflows.contracts import ActionRequest, ActionResult
from workflows.lead import LeadWorkflow

log = logging.getLogger(__name__)
router = APIRouter(tags=["artist"])

WHAT = {
    "approve": ("Approve this lead", "The client gets a deposit link straight away."),
    "approve_anyway": (
        "Approve despite the low budget",
        "The client gets a deposit link even though the budget is under your minimum.",
    ),
    "reject": ("Decline this lead", "The client is told kindly that you can't take it on."),
    "resume": ("Hand the chat back to the bot", "The bot carries on where it stopped."),
    "send_deposit": ("Send the deposit link again", "The client gets a working deposit link."),
    "mark_booked": ("Mark as booked", "The client gets a booking confirmation."),
}


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;
color:#1f2328}}h1{{font-size:1.4rem}}
dl{{display:grid;grid-template-columns:auto 1fr;gap:.3rem 1rem}}
dt{{color:#57606a}}button{{font-size:1.1rem;padding:.7rem 1.4rem;border:0;border-radius:.5rem;
background:#1a7f37;color:#fff;cursor:pointer}}button:focus{{outline:3px solid #0969da}}
.note{{padding:.8rem 1rem;border-radius:.5rem;background:#f6f8fa}}</style></head>
<body><h1>{html.escape(title)}</h1>{body}</body></html>""",
        status_code=status,
    )


async def find(state: EdgeState, token: str) -> tuple[ActionToken | None, LeadRecord | None]:
    async with state.sessions() as session:
        row = await session.get(ActionToken, token_hash(token))
        lead = await session.get(LeadRecord, row.lead_id) if row else None
    return row, lead


def summary(lead: LeadRecord | None) -> str:
    if lead is None:
        return ""
    answers, parsed, estimate = lead.answers, lead.parsed, lead.estimate or {}
    budget = parsed.get("budget_pence")
    rows = [
        ("Idea", answers.get("idea")),
        ("Placement", answers.get("placement")),
        ("Size", answers.get("dimensions")),
        ("Budget", f"£{budget / 100:,.0f}" if isinstance(budget, int) else None),
        ("Location", ", ".join(str(v) for v in (parsed.get("city"), parsed.get("country")) if v)),
        ("Estimate", estimate.get("category")),
        (
            "Deposit",
            f"£{estimate['deposit_pence'] / 100:,.2f}" if estimate.get("deposit_pence") else None,
        ),
        ("Status", lead.status),
    ]
    items = "".join(
        f"<dt>{name}</dt><dd>{html.escape(str(value)[:300])}</dd>" for name, value in rows if value
    )
    return f"<dl>{items}</dl>"


def unusable(row: ActionToken | None, now: datetime) -> HTMLResponse | None:
    if row is None:
        return page("Link not valid", "<p class=note>This link is not valid.</p>", 404)
    if row.used_at is not None:
        outcome = html.escape(row.outcome or "It was used already.")
        return page("Already used", f"<p class=note>This link was already used. {outcome}</p>", 409)
    if row.expires_at <= now:
        return page(
            "Link expired",
            "<p class=note>This link has expired. Ask for a fresh one from the admin API.</p>",
            410,
        )
    return None


@router.get("/a/{token}", response_class=HTMLResponse)
async def confirm(token: str, state: Edge) -> HTMLResponse:
    row, lead = await find(state, token)
    if problem := unusable(row, datetime.now(UTC)):
        return problem
    assert row is not None
    title, effect = WHAT.get(row.action, (row.action, ""))
    return page(
        title,
        f"{summary(lead)}<p>{html.escape(effect)}</p>"
        f'<form method="post"><button type="submit">{html.escape(title)}</button></form>',
    )


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
        return unusable(row, now) or page("Not possible", "<p class=note>Try again.</p>", 409)

    title, _ = WHAT.get(claimed.action, (claimed.action, ""))
    request = ActionRequest(claimed.action, source="link", issued_status=claimed.issued_status)
    try:
        result = await run_action(state, claimed.workflow_id, request)
    except RPCError:
        log.exception("action link could not reach Temporal")
        async with state.sessions.begin() as session:  # give the link back: nothing happened
            await session.execute(
                update(ActionToken).where(ActionToken.token_hash == hashed).values(used_at=None)
            )
        return page(title, "<p class=note>We couldn't reach the system. Please try again.</p>", 503)
    outcome = "Done." if result.done else f"Not done: {result.detail}"
    async with state.sessions.begin() as session:
        await session.execute(
            update(ActionToken).where(ActionToken.token_hash == hashed).values(outcome=outcome)
        )
    if result.done:
        return page(title, f"<p class=note>Done. The lead is now {html.escape(result.status)}.</p>")
    return page("No longer possible", f"<p class=note>{html.escape(result.detail)}</p>", 409)


async def run_action(state: EdgeState, workflow_id: str, request: ActionRequest) -> ActionResult:
    """Execute an artist decision on the lead's workflow; a refusal is a result, not an error."""
    client = await state.temporal()
    handle = client.get_workflow_handle(workflow_id)
    try:
        return await handle.execute_update(LeadWorkflow.act, request)
    except WorkflowUpdateFailedError as error:
        reason = str(error.cause.message if error.cause else error)  # type: ignore[attr-defined]
        return ActionResult(False, "", reason)
    except RPCError as error:
        if "not found" in str(error).lower() or "completed" in str(error).lower():
            return ActionResult(False, "", "This enquiry has ended.")
        raise
