"""The studio under test: the real API (with studio accounts configured) on loopback, beside
the shared stack's worker, database and Temporal; leads made through the real webhook or written
through the projection's own activity; clients that sign in from their own loopback address
(so each test has its own sign-in rate-limit bucket)."""

from __future__ import annotations

import itertools
import random
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import update

import devstack
from activities.contracts import LeadSnapshot
from activities.records import RecordActivities
from api.app import create_app
from api.studio.accounts import hash_password
from consultation.lead import Estimate, Lead
from models import Contact, LeadRecord
from settings import Settings
from tests.conftest import Stack
from tests.fakes.loopback import LoopbackServer

ARTIST_PASSWORD = "lavender-swallow-42"
MANAGER_PASSWORD = "front-desk-ledger-7"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_addresses = itertools.count(2)


@dataclass
class Studio:
    settings: Settings
    base_url: str


def studio_settings(stack: Stack, base_url: str, **changes: object) -> Settings:
    return stack.settings.model_copy(
        update={
            "PUBLIC_BASE_URL": base_url,
            "STUDIO_ARTIST_PASSWORD_HASH": _hashes()[0],
            "STUDIO_MANAGER_PASSWORD_HASH": _hashes()[1],
            "STUDIO_SIGNIN_ATTEMPTS": 1000,
            **changes,
        }
    )


_hashed: list[str] = []


def _hashes() -> list[str]:
    if not _hashed:
        _hashed.extend([hash_password(ARTIST_PASSWORD), hash_password(MANAGER_PASSWORD)])
    return _hashed


@asynccontextmanager
async def serve(stack: Stack, **changes: object) -> AsyncIterator[Studio]:
    """An API with the studio configured, on the stack's database, Temporal and task queue."""
    port = devstack.free_port()
    base_url = f"http://127.0.0.1:{port}"
    settings = studio_settings(stack, base_url, **changes)
    with LoopbackServer(create_app(settings), port):
        yield Studio(settings, base_url)


@pytest.fixture(scope="session")
async def studio(stack: Stack) -> AsyncIterator[Studio]:
    async with serve(stack) as running:
        yield running


def browser_like(base_url: str) -> httpx.AsyncClient:
    """A client of its own loopback address (127.0.0.N), keeping cookies, not following
    redirects."""
    n = next(_addresses)
    address = f"127.{(n >> 16) & 255}.{(n >> 8) & 255}.{max(n & 255, 2)}"
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return httpx.AsyncClient(base_url=base_url, transport=transport, timeout=20)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


async def sign_in(http: httpx.AsyncClient, login: str = "artist", password: str = ARTIST_PASSWORD):
    page = await http.get("/studio/signin")
    response = await http.post(
        "/studio/signin",
        data={"csrf": csrf_of(page.text), "login": login, "password": password},
    )
    assert response.status_code == 303, response.text
    return response


# -- leads written through the projection ------------------------------------------------------

IDEAS = [
    "A fine line swallow with a sprig of lavender",
    "Koi fish swimming up the forearm, Japanese style",
    "Small moth on the sternum, dotwork",
    "Botanical half sleeve: ferns and foxgloves",
    "Portrait of my late dog, realism",
    "Minimal wave on the ankle",
    "Snake wrapped around a dagger, traditional",
    "Constellation behind the ear",
]
NAMES = ["Amara Okafor", "Jonas Weber", "Priya Shah", "Liam O'Connor", "Sofia Rossi",
         "Mei Chen", "Tomás García", "Hannah Becker"]  # fmt: skip
CATEGORIES = {"SMALL": 5_000, "MEDIUM": 10_000, "LARGE": 15_000, "XL": 25_000}


async def project(
    sessions,
    *,
    status: str = "PENDING_APPROVAL",
    tour_city: str = "",
    region: str = "UK",
    category: str = "MEDIUM",
    budget_pence: int = 150_000,
    idea: str = "",
    name: str = "",
    created_at: datetime | None = None,
) -> str:
    """A lead written by the projection's own activity (as a workflow would), with its contact;
    returns the lead id."""
    lead_id = str(uuid.uuid4())
    contact_key = uuid.uuid4().hex
    parsed: dict[str, str | int | float | bool | None] = {
        "budget_pence": budget_pence,
        "city": "Leeds" if region == "UK" else "Berlin",
        "country": "United Kingdom" if region == "UK" else "Germany",
        "region": region,
    }
    if tour_city:
        parsed["tour_city"] = tour_city
    lead = Lead(
        lead_id=lead_id,
        status=status,
        step=13,
        answers={"idea": idea or random.choice(IDEAS), "placement": "Forearm", "budget": "£1.5k"},
        parsed=parsed,
        estimate=Estimate(category, CATEGORIES[category], None, 40_000, 90_000, 30_000, region),
        version=1,
    )
    async with sessions.begin() as session:
        session.add(Contact(key=contact_key, profile_name=name or random.choice(NAMES)))
    await RecordActivities(sessions).save_lead(
        LeadSnapshot(contact_key, f"lead-{contact_key}", f"run-{lead_id}", lead)
    )
    if created_at is not None:
        async with sessions.begin() as session:
            await session.execute(
                update(LeadRecord)
                .where(LeadRecord.lead_id == lead_id)
                .values(created_at=created_at)
            )
    return lead_id


def minutes_ago(n: int) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=n)
