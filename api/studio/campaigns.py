"""The studio's campaigns: segments (live count and a sample), compose (an approved marketing
template and its parameters, a segment, now or later, the plan, cost and messaging-limit budget),
progress (a live bar, pause/resume/cancel) and results (funnel, failures by reason, CSV)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api import campaigns as service
from api import words
from api.deps import Edge, EdgeState
from api.studio import web
from campaigns import MARKETING_TEMPLATES, SegmentFilter
from campaigns.segments import SUGGESTED_STATUSES
from consultation.statuses import Status
from stores.campaign_results import amounts
from stores.campaigns import CampaignStore

router = APIRouter(prefix="/studio/campaigns", route_class=web.StudioRoute, include_in_schema=False)
SEGMENT_FIELDS = ("region", "city", "country", "tour_city", "style", "min_budget", "max_budget",
                  "min_area_cm2", "max_area_cm2", "last_contact_days", "quiet_days")  # fmt: skip


def templates_offered(state: EdgeState) -> dict[str, tuple[str, ...]]:
    """The marketing templates this number may send: those approved at Meta when the setting
    lists them, all of them in the sandbox."""
    approved = {n.strip() for n in state.settings.WHATSAPP_APPROVED_TEMPLATES.split(",")}
    listed = any(approved)
    return {n: p for n, p in MARKETING_TEMPLATES.items() if not listed or n in approved}


def segment_of(request: Request) -> SegmentFilter:
    params = request.query_params
    form = {name: params.get(name, "") for name in SEGMENT_FIELDS}
    form["consenting_only"] = "on"
    return SegmentFilter.from_form(form, params.getlist("status"))


@router.get("")
async def index(request: Request, visitor: web.SignedIn, state: Edge) -> Response:
    store = CampaignStore(state.sessions)
    context = {
        "title": "Campaigns",
        "visitor": visitor,
        "campaigns": await store.campaigns(),
        "segments": [(s, SegmentFilter.from_json(s.filters)) for s in await store.segments()],
    }
    return web.page(request, "campaigns.html", context)


@router.get("/segment")
async def segment_page(request: Request, visitor: web.SignedIn, state: Edge) -> Response:
    segment = segment_of(request)
    store = CampaignStore(state.sessions)
    everyone = SegmentFilter(**{**segment.__dict__, "consenting_only": False})
    context = {
        "title": "Segment",
        "visitor": visitor,
        "segment": segment,
        "form": {name: request.query_params.get(name, "") for name in SEGMENT_FIELDS},
        "statuses": [(s.value, words.status_words(s.value)) for s in SUGGESTED_STATUSES]
        + [(s.value, words.status_words(s.value)) for s in Status if s not in SUGGESTED_STATUSES],
        "count": await store.count(segment),
        "without_consent": await store.count(everyone) - await store.count(segment),
        "sample": await store.sample(segment),
    }
    return web.page(request, "campaign_segment.html", context)


@router.post("/segment")
async def save_segment(
    request: Request, visitor: web.SignedInForm, state: Edge,
    name: Annotated[str, Form(max_length=120)] = "",
) -> Response:  # fmt: skip
    form = await request.form()
    values = {field: str(form.get(field) or "") for field in SEGMENT_FIELDS}
    segment = SegmentFilter.from_form(
        {**values, "consenting_only": "on"}, [str(s) for s in form.getlist("status")]
    )
    segment_id = await CampaignStore(state.sessions).save_segment(
        name.strip() or segment.describe()[:120], segment
    )
    return RedirectResponse(f"/studio/campaigns/new?segment={segment_id}", status_code=303)


@router.get("/new")
async def compose(request: Request, visitor: web.SignedIn, state: Edge) -> Response:
    return await compose_page(request, visitor, state)


async def compose_page(
    request: Request, visitor: web.Visitor, state: EdgeState, refused: str = "", status: int = 200
) -> Response:
    store = CampaignStore(state.sessions)
    segments = await store.segments()
    chosen = _int(request.query_params.get("segment")) or (segments[0].id if segments else None)
    selected = next((s for s in segments if s.id == chosen), None)
    segment = SegmentFilter.from_json(selected.filters) if selected else None
    audience = await store.count(segment) if segment else 0
    plan, cost = service.estimate(state, audience)
    hour = _hour(request.query_params.get("local_hour"))
    earliest = datetime.now(UTC)
    groups = (
        await service.local_groups(state, segment, hour, earliest)
        if segment and hour is not None
        else []
    )
    context = {
        "title": "New campaign",
        "visitor": visitor,
        "segments": segments,
        "selected": selected,
        "audience": audience,
        "plan": plan,
        "cost": cost,
        "limit": state.settings.WHATSAPP_MESSAGING_LIMIT,
        "rate": state.settings.CAMPAIGN_RATE_PER_SECOND,
        "templates": templates_offered(state),
        "refused": refused,
        "local_hour": hour,
        "hours": HOURS,
        "groups": groups,
    }
    return web.page(request, "campaign_compose.html", context, status)


@router.post("")
async def send(
    request: Request, visitor: web.SignedInForm, state: Edge,
    name: Annotated[str, Form(max_length=120)] = "",
    template: Annotated[str, Form(max_length=64)] = "",
    segment: Annotated[str, Form(max_length=20)] = "",
    timing: Annotated[str, Form(max_length=8)] = "now",  # now | at | local
    when: Annotated[str, Form(max_length=40)] = "",
    local_hour: Annotated[str, Form(max_length=4)] = "",
) -> Response:  # fmt: skip
    offered = templates_offered(state)
    form = await request.form()
    store = CampaignStore(state.sessions)
    chosen = await store.segment(_int(segment) or 0)
    names = offered.get(template)
    params = [str(form.get(f"param_{i}") or "").strip()[:200] for i in range(len(names or ()))]
    if timing == "now" and when:
        timing = "at"  # a time given is a time meant, whichever button was left on
    start_at = _when(when) if timing in ("at", "local") else None
    hour = _hour(local_hour) if timing == "local" else None
    refused = (
        "Choose an approved template." if names is None
        else "Choose a segment." if chosen is None
        else "Fill in every parameter." if not all(params)
        else "Pick a time in the future, or send now." if timing == "at" and start_at is None
        else "Pick the hour to send at." if timing == "local" and hour is None
        else "Pick a time in the future, or leave it empty." if hour is not None and when
        and start_at is None
        else ""
    )  # fmt: skip
    if refused or chosen is None:
        return await compose_page(request, visitor, state, refused, status=422)
    campaign_id = await service.launch(
        state, name=name.strip(), template=template, params=params,
        segment=SegmentFilter.from_json(chosen.filters), segment_id=chosen.id, start_at=start_at,
        local_hour=hour, tour_stop=chosen.tour_stop,
    )  # fmt: skip
    return RedirectResponse(f"/studio/campaigns/{campaign_id}", status_code=303)


@router.get("/{campaign_id}")
async def show(
    campaign_id: str, request: Request, visitor: web.SignedIn, state: Edge, done: str = ""
) -> Response:
    campaign = await CampaignStore(state.sessions).campaign(campaign_id[:64])
    if campaign is None:
        raise web.NotFound()
    progress = await service.progress(state, campaign.id)
    results = await service.results(state, campaign.id)
    funnel = results.funnel()
    widest = max((count for _, count in funnel), default=0) or 1
    settings = state.settings
    context = {
        "title": campaign.name,
        "visitor": visitor,
        "campaign": campaign,
        "segment": SegmentFilter.from_json(campaign.filters),
        "progress": progress,
        "live": progress is not None and not progress.status.finished,
        "results": results,
        "revenue": amounts(results.revenue),
        "funnel": [(label, count, round(100 * count / widest, 1)) for label, count in funnel],
        "done": done[:80],
        "temporal_url": f"{settings.TEMPORAL_UI_URL}/namespaces/{settings.TEMPORAL_NAMESPACE}"
        f"/workflows/{campaign.workflow_id}",
    }
    return web.page(request, "campaign.html", context)


@router.post("/{campaign_id}/control")
async def control(
    campaign_id: str, visitor: web.SignedInForm, state: Edge,
    action: Annotated[str, Form(max_length=16)] = "",
) -> Response:  # fmt: skip
    if action not in service.CONTROLS:
        raise web.NotFound()
    outcome = await service.control(state, campaign_id[:64], action)
    return RedirectResponse(
        f"/studio/campaigns/{campaign_id[:64]}?done={outcome[:80]}", status_code=303
    )


@router.get("/{campaign_id}/results.csv")
async def export(campaign_id: str, visitor: web.SignedIn, state: Edge) -> Response:
    body = await service.results_csv(state, campaign_id[:64])
    headers = {"Content-Disposition": f'attachment; filename="campaign-{campaign_id[:16]}.csv"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


HOURS = range(24)


def _hour(text: str | None) -> int | None:
    hour = _int(text)
    return hour if hour is not None and hour in HOURS else None


def _when(text: str) -> datetime | None:
    """A datetime-local value in the artist's time zone, if it is in the future."""
    try:
        at = datetime.fromisoformat(text).replace(tzinfo=web.ZONE) if text else None
    except ValueError:
        return None
    return at if at is not None and at > datetime.now(UTC) else None
