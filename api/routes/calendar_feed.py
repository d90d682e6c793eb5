"""The ICS files: the artist's feed at a secret URL (rotatable from the studio's calendar page)
and the single-event file of one booking that the client's confirmation links to. A wrong or
missing secret is a plain 404, the same as a URL that never existed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from api import ics
from api.artist_settings import in_force
from api.deps import Edge
from stores.calendar_feed import CalendarFeeds
from stores.holds import Holds

router = APIRouter(prefix="/calendar", include_in_schema=False)
# The feed shows what is coming and the recent past (calendar apps keep older events anyway).
FEED_HISTORY = timedelta(days=90)
ICS = "text/calendar; charset=utf-8"


@router.get("/feed/{secret}.ics")
async def feed(secret: str, state: Edge) -> Response:
    if not await CalendarFeeds(state.sessions, state.settings.ARTIST_ID).matches(secret):
        raise HTTPException(404)
    _, settings = await in_force(state)
    holds = Holds(state.sessions, state.settings.ARTIST_ID)
    days = await holds.booked_days(datetime.now(UTC) - FEED_HISTORY)
    body = ics.feed(days, settings.rules.zone, settings.artist_name, state.settings.PUBLIC_BASE_URL)
    return Response(body, media_type=ICS, headers={"Cache-Control": "no-store"})


@router.get("/event/{token}.ics")
async def event(token: str, state: Edge) -> Response:
    holds = Holds(state.sessions, state.settings.ARTIST_ID)
    days = await holds.booked_days(datetime.now(UTC) - FEED_HISTORY, calendar_token=token)
    if not token or not days:
        raise HTTPException(404)
    _, settings = await in_force(state)
    place = settings.studio_address or settings.studio_city
    body = ics.single(days, settings.rules.zone, settings.artist_name, place)
    return Response(
        body,
        media_type=ICS,
        headers={"Content-Disposition": 'attachment; filename="tattoo.ics"'},
    )
