"""The pipeline: leads by status with counts, filters, search by name or reference, cursor
pagination and the CSV export of what the filters match."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from api import lead_csv, words
from api.deps import Edge
from api.studio import web
from stores import studio as store
from stores.studio import Cursor, Filters

router = APIRouter(prefix="/studio", route_class=web.StudioRoute, include_in_schema=False)
CSS = Path(__file__).parent.parent / "static" / "studio.css"
PAGE_SIZE = 25
# Search is by name or reference: a phone number is never looked up (it would sit in URLs).
# Digits alone, 9 to 15 of them once separators are gone (a reference is 8 characters).
PHONE_LIKE = re.compile(r"\+?\d{9,15}")
SEPARATORS = re.compile(r"[\s\-().]")


@dataclass
class Query:
    """The pipeline's query string as typed: kept as text to fill the form back in."""

    status: str = ""
    region: str = ""
    size: str = ""
    budget_min: str = ""
    budget_max: str = ""
    tour_city: str = ""
    created_from: str = ""
    created_to: str = ""
    q: str = ""

    @classmethod
    def of(cls, request: Request) -> Query:
        params = request.query_params
        return cls(
            **{name: params.get(name, "").strip()[:100] for name in cls.__dataclass_fields__}
        )

    def filters(self) -> Filters:
        return Filters(
            status=self.status if self.status in words.STATUS_WORDS else "",
            region=self.region if self.region in words.REGION_WORDS else "",
            size=self.size if self.size in words.SIZE_WORDS else "",
            budget_min_pence=_pence(self.budget_min),
            budget_max_pence=_pence(self.budget_max),
            tour_city=self.tour_city,
            created_from=_date(self.created_from),
            created_to=_date(self.created_to),
            q=self.q,
        )

    def url(self, path: str = "/studio", **changes: str) -> str:
        """This query (with `changes`) as a link: empty values left out."""
        values = {**asdict(self), **changes}
        query = urlencode({k: v for k, v in values.items() if v})
        return f"{path}?{query}" if query else path


def _pence(text: str) -> int | None:
    digits = text.replace(",", "").replace("£", "").strip()
    try:
        return round(float(digits) * 100) if digits else None
    except ValueError:
        return None


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/studio.css")
async def stylesheet() -> Response:
    return FileResponse(CSS, media_type="text/css", headers={"Cache-Control": "max-age=300"})


@router.get("")
async def pipeline(request: Request, visitor: web.SignedIn, state: Edge) -> Response:
    query = Query.of(request)
    if PHONE_LIKE.fullmatch(SEPARATORS.sub("", query.q)):
        return RedirectResponse(query.url(q="", hint="number"), status_code=303)
    filters = query.filters()
    after = Cursor.decode(request.query_params.get("after", ""))
    before = Cursor.decode(request.query_params.get("before", ""))
    async with state.sessions() as session:
        counts = await store.status_counts(session, filters)
        found = await store.page(session, filters, after=after, before=before, limit=PAGE_SIZE)
        cities = await store.tour_cities(session)
    cities = sorted({*cities, *(stop.city for stop in state.settings.TOUR_SCHEDULE)})
    tabs = [(status, counts[status]) for status in words.PIPELINE_ORDER if counts.get(status)]
    context = {
        "title": "Pipeline",
        "visitor": visitor,
        "query": query,
        "tabs": tabs,
        "total": sum(counts.values()),
        "rows": found.rows,
        "next_url": query.url(after=found.next.encode()) if found.next else None,
        "previous_url": query.url(before=found.previous.encode()) if found.previous else None,
        "csv_url": query.url("/studio/leads.csv"),
        "statuses": words.STATUS_WORDS,
        "regions": words.REGION_WORDS,
        "sizes": words.SIZE_WORDS,
        "cities": cities,
        "number_hint": request.query_params.get("hint") == "number",
        "filtered": sum(
            bool(getattr(query, name)) for name in query.__dataclass_fields__ if name != "q"
        )
        - bool(query.status),
    }
    return web.page(request, "pipeline.html", context)


@router.get("/leads.csv")
async def export(request: Request, visitor: web.SignedIn, state: Edge) -> Response:
    filters = Query.of(request).filters()
    async with state.sessions() as session:
        rows = await store.all_matching(session, filters)
    return Response(
        lead_csv.leads_csv(rows),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="leads.csv"'},
    )
