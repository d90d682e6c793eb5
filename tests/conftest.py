"""Shared fixtures: real PostgreSQL, real Temporal (dev server and time-skipping test server),
the real API served on loopback, and a fake Graph API speaking Meta's wire format."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import httpx
import pytest
from google.auth.credentials import AnonymousCredentials
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

import devstack
from activities.google_calendar import GoogleCalendar
from activities.lead_log import SheetsLog
from activities.messaging import MessagingActivities
from activities.whatsapp_cloud import CloudApi
from api.app import create_app
from models.base import make_engine, make_sessions
from settings import Settings
from temporal_connection import data_converter
from tests.fakes.google_calendar import FakeGoogleCalendar
from tests.fakes.google_sheets import FakeSheets
from tests.fakes.graph_api import FakeGraphApi, inbound_delivery, sign, text_message
from tests.fakes.loopback import LoopbackServer
from tests.fakes.stripe_api import FakeStripe
from tests.log_scan import LeakScan, ScanHandler, suite_secrets
from worker import build_worker, http_clients

APP_SECRET = "test-app-secret"
STRIPE_KEY = "sk_test_fake"
STRIPE_SECRET = "whsec_test_secret"
ACCESS_TOKEN = "test-token"
ADMIN_KEY = "test-admin-key"
ARTIST = "447700900001"

LEAKS = LeakScan(suite_secrets(APP_SECRET, STRIPE_KEY, STRIPE_SECRET, ACCESS_TOKEN, ADMIN_KEY))


def pytest_configure(config: pytest.Config) -> None:
    # Records at INFO and up, as the API and the worker log in production (basicConfig INFO).
    root = logging.getLogger()
    root.addHandler(ScanHandler(LEAKS))
    root.setLevel(logging.INFO)


def pytest_runtest_logstart(nodeid: str) -> None:
    LEAKS.current = nodeid


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # What the test's process wrote to stdout/stderr (fixtures starting the stack included).
    # A report repeats the earlier phases' sections: read only this phase's.
    for title, text in report.sections:
        if title.endswith(report.when) and ("stdout" in title or "stderr" in title):
            LEAKS.scan(text, title)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if LEAKS.leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter) -> None:
    if LEAKS.leaks:
        terminalreporter.section("phone numbers or secrets in the logs", red=True)
        for leak in LEAKS.leaks[:50]:
            terminalreporter.line(leak)
        terminalreporter.line(f"{len(LEAKS.leaks)} leaking lines in all")


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    # Not pytest's tmp_path: that is private to root (0700), and PostgreSQL runs as another
    # user when the suite runs as root.
    scratch = Path(tempfile.mkdtemp(prefix="inkflow-test-pg-"))
    scratch.chmod(0o755)
    try:
        with devstack.postgres(scratch / "data") as url:
            devstack.migrate(url)
            yield url
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture(scope="session")
def temporal_address() -> Iterator[str]:
    # Temporal suggests continue-as-new after a few dozen events here instead of thousands, so
    # every end-to-end journey also proves that leads survive continue-as-new mid-conversation.
    suggest_early = {"limit.historyCount.suggestContinueAsNew": "60"}
    with devstack.temporal_dev_server(
        None, devstack.free_port(), None, dynamic_config=suggest_early
    ) as address:
        yield address


# One time-skipping server per test module: a server wedged by one module's failure (it has
# happened under heavy load) cannot take the others down with it.
@pytest.fixture(scope="module")
async def time_skipping() -> AsyncIterator[WorkflowEnvironment]:
    env = await devstack.time_skipping_server()
    async with env:
        yield env


@pytest.fixture(scope="session")
def graph() -> Iterator[FakeGraphApi]:
    with FakeGraphApi(access_token=ACCESS_TOKEN) as fake:
        yield fake


@pytest.fixture(scope="session")
def stripe() -> Iterator[FakeStripe]:
    with FakeStripe(secret_key=STRIPE_KEY) as fake:
        yield fake


@pytest.fixture(scope="session")
def sheets() -> Iterator[FakeSheets]:
    with FakeSheets() as fake:
        yield fake


@pytest.fixture(scope="session")
def google_calendar() -> Iterator[FakeGoogleCalendar]:
    with FakeGoogleCalendar() as fake:
        yield fake


@pytest.fixture(scope="session")
def sessions(database_url: str):
    engine = make_engine(database_url, pool_size=5)
    yield make_sessions(engine)


@pytest.fixture
async def sender(graph: FakeGraphApi, sessions) -> AsyncIterator[MessagingActivities]:
    """The send_message activities over the real Cloud API client, against the fake Graph API."""
    graph.clear()
    async with aiohttp.ClientSession() as http:
        api = CloudApi(
            base_url=graph.base_url, phone_number_id="PNID", access_token=ACCESS_TOKEN, client=http
        )
        yield MessagingActivities(sessions, api, artist_number=ARTIST)


@dataclass
class Stack:
    settings: Settings
    base_url: str
    http: httpx.AsyncClient
    client: Client
    graph: FakeGraphApi
    stripe: FakeStripe
    sheets: FakeSheets
    calendar: FakeGoogleCalendar


def stack_settings(
    database_url: str, temporal_address: str, graph: FakeGraphApi, **extra
) -> Settings:
    values: dict[str, object] = dict(
        APP_ENV="test",
        DATABASE_URL=database_url,
        TEMPORAL_ADDRESS=temporal_address,
        TEMPORAL_TASK_QUEUE="leads-e2e",
        ADMIN_API_KEY=ADMIN_KEY,
        WHATSAPP_MODE="cloud",
        STRIPE_MODE="sandbox",
        WHATSAPP_APP_SECRET=APP_SECRET,
        WHATSAPP_VERIFY_TOKEN="verify-me",
        WHATSAPP_ACCESS_TOKEN=ACCESS_TOKEN,
        WHATSAPP_PHONE_NUMBER_ID="PNID",
        WHATSAPP_API_BASE_URL=graph.base_url,
        ARTIST_WHATSAPP_NUMBER=ARTIST,
        ARTIST_NAME="Sam",
        MEDIA_DIR=tempfile.mkdtemp(prefix="inkflow-test-media-"),
        # Tests poll from one address far faster than any client: limits have their own tests.
        RATE_LIMIT_LINKS="0",
        RATE_LIMIT_ADMIN="0",
        RATE_LIMIT_WEBHOOKS="0",
    )
    values.update(extra)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


@pytest.fixture(scope="session")
async def stack(
    database_url: str,
    temporal_address: str,
    graph: FakeGraphApi,
    stripe: FakeStripe,
    sheets: FakeSheets,
    google_calendar: FakeGoogleCalendar,
    sessions,
) -> AsyncIterator[Stack]:
    """Everything `make run` starts, wired to the fake Graph API: webhook → workflow → Graph."""
    port = devstack.free_port()
    settings = stack_settings(
        database_url,
        temporal_address,
        graph,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        STRIPE_MODE="stripe",
        STRIPE_SECRET_KEY=STRIPE_KEY,
        STRIPE_WEBHOOK_SECRET=STRIPE_SECRET,
        STRIPE_API_BASE_URL=stripe.base_url,
    )
    # The converter the worker and the API use (temporal_connection), unsealed.
    client = await Client.connect(temporal_address, data_converter=data_converter(None))
    # The real Sheets client against the fake (anonymous credentials: no token endpoint here).
    lead_log = SheetsLog(sessions, "S1", AnonymousCredentials(), endpoint=sheets.base_url)
    calendar = GoogleCalendar(
        google_calendar.calendar_id, AnonymousCredentials(), endpoint=google_calendar.endpoint
    )
    async with http_clients() as outbound_http:
        worker = build_worker(
            client, settings, sessions, outbound_http, lead_log, calendar=calendar
        )
        async with worker:
            with LoopbackServer(create_app(settings), port):
                async with httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{port}", timeout=10
                ) as http:
                    await artist_writes_in(http)
                    yield Stack(
                        settings,
                        f"http://127.0.0.1:{port}",
                        http,
                        client,
                        graph,
                        stripe,
                        sheets,
                        google_calendar,
                    )


@pytest.fixture(scope="session")
async def demo(stack: Stack, sessions) -> AsyncIterator[str]:
    """The demo as `make run` serves it: DEMO_MODE on, WhatsApp and Stripe in sandbox mode (the
    only way /demo is served). Its own API and worker on their own task queue, with the same
    database and Temporal as `stack` (whose artist has written in). Returns the API's URL."""
    port = devstack.free_port()
    base_url = f"http://127.0.0.1:{port}"
    settings = stack_settings(
        stack.settings.DATABASE_URL,
        stack.settings.TEMPORAL_ADDRESS,
        stack.graph,
        DEMO_MODE=True,
        WHATSAPP_MODE="sandbox",
        WHATSAPP_ACCESS_TOKEN="",
        STRIPE_MODE="sandbox",
        TEMPORAL_TASK_QUEUE="leads-demo",
        PUBLIC_BASE_URL=base_url,
    )
    async with (
        http_clients() as outbound_http,
        build_worker(stack.client, settings, sessions, outbound_http),
    ):
        with LoopbackServer(create_app(settings), port):
            yield base_url


async def artist_writes_in(http: httpx.AsyncClient) -> None:
    """The artist messages the business number, which opens their own 24 h window."""
    raw = json.dumps(inbound_delivery([text_message(ARTIST, "hi, it's me")])).encode()
    response = await http.post(
        "/webhooks/whatsapp", content=raw, headers={"X-Hub-Signature-256": sign(raw, APP_SECRET)}
    )
    assert response.json()["ignored"] == 1


async def eventually(check, timeout: float = 15.0, interval: float = 0.05):
    """Poll `check` (sync or async) until it returns a truthy value; the value is returned."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


def data_dir() -> Path:
    return Path(__file__).parent / "data"
