"""The artist's settings in the studio: prices, hours and booking rules (one form), tour stops
(added, edited, removed one at a time), and the versions with what each save changed. Every save
is a new version: leads already running keep the one they took."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.artist_settings import in_force
from api.campaigns import suggest_for_tour_stop
from api.deps import Edge, EdgeState
from api.studio import settings_form, web
from api.studio.accounts import Visitor
from consultation.artist_settings import ArtistSettings, SettingsInvalid, changes
from consultation.lead import TourStop
from consultation.money import CURRENCIES
from consultation.tour import dates_text
from stores.artist_settings import SettingsStore, StaleVersion

router = APIRouter(prefix="/studio", route_class=web.StudioRoute, include_in_schema=False)
STALE = "Someone saved the settings while you were editing. Here they are as saved now."


async def _save(
    state: EdgeState, visitor: Visitor, mapping: dict[str, Any], based_on: int
) -> tuple[int | None, dict[str, str]]:
    """(the new version, no errors) or (None, what is wrong)."""
    try:
        settings = ArtistSettings.from_mapping(mapping)
    except SettingsInvalid as invalid:
        return None, invalid.errors
    store = SettingsStore(state.sessions, state.settings.ARTIST_ID)
    try:
        return await store.save(settings.to_mapping(), visitor.login, based_on), {}
    except StaleVersion:
        return None, {"version": STALE}


# -- prices, hours and booking rules -------------------------------------------------------


@router.get("/settings")
async def settings_page(request: Request, visitor: web.SignedIn, state: Edge) -> Response:
    saved, settings = await in_force(state)
    return _settings_page(request, visitor, saved.version, settings_form.form_values(settings))


def _settings_page(
    request: Request,
    visitor: Visitor,
    version: int,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    saved: bool = False,
) -> Response:
    context = {
        "title": "Settings",
        "visitor": visitor,
        "version": version,
        "values": values,
        "errors": errors or {},
        "saved": saved,
        "currencies": list(CURRENCIES),
        "labels": settings_form.LABELS,
        "deposit_sizes": settings_form.DEPOSIT_SIZES,
    }
    return web.page(request, "settings.html", context, status=400 if errors else 200)


@router.post("/settings")
async def save_settings(
    request: Request,
    visitor: web.SignedInForm,
    state: Edge,
    based_on: Annotated[int, Form()],
) -> Response:
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    saved, current = await in_force(state)
    version, errors = await _save(
        state, visitor, settings_form.mapping_from(form, current), based_on
    )
    if version is None:
        if "version" in errors:
            values = settings_form.form_values(current)
            return _settings_page(request, visitor, saved.version, values, errors)
        return _settings_page(request, visitor, based_on, form, errors)
    return RedirectResponse("/studio/settings?saved=1", status_code=303)


# -- tours ---------------------------------------------------------------------------------


@router.get("/tours")
async def tours_page(request: Request, visitor: web.SignedIn, state: Edge) -> Response:
    saved, settings = await in_force(state)
    return _tours_page(request, visitor, saved.version, settings)


def _tours_page(
    request: Request,
    visitor: Visitor,
    version: int,
    settings: ArtistSettings,
    error: str = "",
    typed: dict[str, str] | None = None,
) -> Response:
    context = {
        "title": "Tours",
        "visitor": visitor,
        "version": version,
        "stops": [(index, stop, dates_text(stop)) for index, stop in enumerate(settings.tour)],
        "error": error,
        "typed": typed or {},
    }
    return web.page(request, "tours.html", context, status=400 if error else 200)


@router.post("/tours")
async def change_tour(
    request: Request,
    visitor: web.SignedInForm,
    state: Edge,
    based_on: Annotated[int, Form()],
    change: Annotated[str, Form()],  # add | save | remove
    index: Annotated[int, Form()] = -1,
    city: Annotated[str, Form()] = "",
    country: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
    timezone: Annotated[str, Form()] = "",
) -> Response:
    saved, current = await in_force(state)
    stops = list(current.tour)
    stop = TourStop(city.strip(), country.strip(), start.strip(), end.strip(), timezone.strip())
    if change == "add":
        stops.append(stop)
    elif change in ("save", "remove") and 0 <= index < len(stops) and based_on == saved.version:
        stops[index : index + 1] = [stop] if change == "save" else []
    mapping = current.to_mapping() | {"tour": [asdict(stop) for stop in stops]}
    version, errors = await _save(state, visitor, mapping, based_on)
    if version is None:
        error = errors.get("tour") or errors.get("version") or "; ".join(errors.values())
        typed = {"city": city, "country": country, "start": start, "end": end,
                 "timezone": timezone} if change == "add" else {}  # fmt: skip
        return _tours_page(request, visitor, saved.version, current, error, typed)
    if change != "add":
        return RedirectResponse("/studio/tours?saved=1", status_code=303)
    # A new stop: its waitlisted and interested clients, saved as a segment ready to compose.
    segment_id, people = await suggest_for_tour_stop(state, stop)
    query = urlencode({"saved": 1, "city": stop.city, "segment": segment_id, "people": people})
    return RedirectResponse(f"/studio/tours?{query}", status_code=303)


# -- versions --------------------------------------------------------------------------------


@router.get("/settings/versions")
async def versions_page(request: Request, visitor: web.SignedIn, state: Edge) -> Response:
    await in_force(state)  # a fresh install shows its defaults as version 1
    history = await SettingsStore(state.sessions, state.settings.ARTIST_ID).history()
    parsed = [ArtistSettings.from_mapping(saved.settings) for saved in history]
    rows = []
    for index, (saved, settings) in enumerate(zip(history, parsed, strict=True)):
        if index + 1 < len(parsed):
            rows.append((saved, changes(parsed[index + 1], settings)))
        elif saved.version == 1:
            rows.append((saved, changes(None, settings)))
        else:  # the one before it is past the page's limit
            rows.append((saved, ["Earlier versions are not listed."]))
    context = {"title": "Settings versions", "visitor": visitor, "rows": rows}
    return web.page(request, "versions.html", context)
