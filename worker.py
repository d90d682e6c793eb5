"""The Temporal worker: runs LeadWorkflow, CampaignWorkflow and their activities.
`python worker.py`."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import uvloop
from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.artist_settings import SettingsActivities
from activities.calendar import Calendar, CalendarActivities
from activities.campaign_replies import CampaignReplyActivities
from activities.campaigns import CampaignActivities
from activities.digest import DigestActivities
from activities.erasure import ErasureActivities
from activities.errors import ProviderError
from activities.google_calendar import GoogleCalendar, calendar_credentials
from activities.lead_log import LeadLogActivities, SheetsLog, service_account_credentials
from activities.links import LinkActivities
from activities.media import (
    Downloader,
    GraphMedia,
    LocalStorage,
    MediaActivities,
    Storage,
    SupabaseStorage,
)
from activities.messaging import MessagingActivities, SandboxSender, Sender
from activities.payments import Checkout, PaymentActivities, SandboxCheckout, StripeCheckout
from activities.postgres_calendar import PostgresCalendar
from activities.records import RecordActivities
from activities.turns import TurnActivities
from activities.whatsapp_cloud import CloudApi
from consultation import places
from models.base import make_engine, make_sessions
from sealing import Keyring
from settings import Settings, get_settings
from stores.calendar_reads import CalendarReads
from stores.holds import Holds
from telemetry import metrics, tracing
from telemetry.activity_context import LogContext
from telemetry.logs import configure as configure_logs
from temporal_connection import connect, keyring, metrics_runtime
from workflows.alerts import ArtistAlertWorkflow
from workflows.campaign import CampaignWorkflow
from workflows.digest import DIGEST_ID, DigestInput, DigestWorkflow
from workflows.erasure import ErasureWorkflow
from workflows.lead import LeadWorkflow
from workflows.lead_log import LeadLogWorkflow
from workflows.retention import RETENTION_ID, RetentionInput, RetentionWorkflow


@dataclass(frozen=True)
class HttpClients:
    """The worker's HTTP clients, kept open while it runs: aiohttp for Graph's message sends (a
    reply's hottest call, activities/whatsapp_cloud.py), httpx for media and storage."""

    graph: aiohttp.ClientSession
    files: httpx.AsyncClient


@asynccontextmanager
async def http_clients() -> AsyncIterator[HttpClients]:
    async with aiohttp.ClientSession() as graph, httpx.AsyncClient(timeout=10) as files:
        yield HttpClients(graph, files)


def make_sender(settings: Settings, http: HttpClients) -> Sender:
    if settings.WHATSAPP_MODE == "sandbox":
        return SandboxSender()
    return CloudApi(
        base_url=settings.WHATSAPP_API_BASE_URL,
        api_version=settings.WHATSAPP_API_VERSION,
        phone_number_id=settings.WHATSAPP_PHONE_NUMBER_ID,
        access_token=settings.WHATSAPP_ACCESS_TOKEN,
        client=http.graph,
    )


# The sandbox still guards workflow code against non-determinism, but modules are imported once
# per process instead of once per workflow run: the per-lead start cost dominated the CPU.
WORKFLOW_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_all_modules()
)


def make_checkout(settings: Settings, sessions: async_sessionmaker) -> Checkout:
    if settings.STRIPE_MODE == "sandbox":
        return SandboxCheckout(sessions, settings.PUBLIC_BASE_URL)
    return StripeCheckout(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE_URL)


def make_lead_log(settings: Settings, sessions: async_sessionmaker) -> SheetsLog | None:
    if not settings.sheets_enabled:
        return None
    return SheetsLog(
        sessions,
        settings.GOOGLE_SHEETS_SPREADSHEET_ID,
        service_account_credentials(settings.GOOGLE_SHEETS_CREDENTIALS_JSON),
        endpoint=settings.GOOGLE_SHEETS_API_ENDPOINT,
        sheet_name=settings.GOOGLE_SHEETS_SHEET_NAME,
    )


def make_calendar(settings: Settings, sessions: async_sessionmaker) -> Calendar:
    if settings.CALENDAR_BACKEND == "google":
        return GoogleCalendar(
            settings.GOOGLE_CALENDAR_ID,
            calendar_credentials(settings.GOOGLE_CALENDAR_CREDENTIALS_JSON),
            endpoint=settings.GOOGLE_CALENDAR_API_ENDPOINT,
        )
    return PostgresCalendar(sessions, settings.ARTIST_ID)


class NoMediaSource:
    """The sandbox has no Graph API to download from: say so once, do not retry."""

    async def fetch(self, media_id: str) -> tuple[bytes, str]:
        raise ProviderError("Media", "no WhatsApp media source in sandbox mode", retryable=False)


def make_media(settings: Settings, sessions: async_sessionmaker, http: HttpClients):
    downloader: Downloader = (
        GraphMedia(
            base_url=settings.WHATSAPP_API_BASE_URL,
            api_version=settings.WHATSAPP_API_VERSION,
            access_token=settings.WHATSAPP_ACCESS_TOKEN,
            max_bytes=settings.MEDIA_MAX_BYTES,
            client=http.files,
        )
        if settings.WHATSAPP_MODE == "cloud"
        else NoMediaSource()
    )
    return MediaActivities(sessions, downloader, make_storage(settings, http))


def make_storage(settings: Settings, http: HttpClients) -> Storage:
    if settings.MEDIA_STORAGE == "supabase":
        return SupabaseStorage(
            settings.SUPABASE_URL,
            settings.SUPABASE_SERVICE_ROLE_KEY,
            settings.SUPABASE_STORAGE_BUCKET,
            client=http.files,
        )
    return LocalStorage(Path(settings.MEDIA_DIR), settings.PUBLIC_BASE_URL)


def build_worker(
    client: Client,
    settings: Settings,
    sessions: async_sessionmaker,
    http: HttpClients,
    lead_log: SheetsLog | None = None,
    checkout: Checkout | None = None,
    calendar: Calendar | None = None,
    keys: Keyring | None = None,
) -> Worker:
    # The place data (cities, countries) loads once per process: here, not in a workflow task.
    places.load()
    sender = make_sender(settings, http)
    messaging = MessagingActivities(
        sessions,
        sender,
        settings.ARTIST_WHATSAPP_NUMBER,
        settings.approved_templates,
    )
    lead_log = lead_log or make_lead_log(settings, sessions)
    records = RecordActivities(sessions, settings.TEMPORAL_TASK_QUEUE if lead_log else None)
    links = LinkActivities(sessions, settings.PUBLIC_BASE_URL, settings.ACTION_TOKEN_TTL_DAYS)
    payments = PaymentActivities(checkout or make_checkout(settings, sessions))
    media = make_media(settings, sessions, http)
    erasure = ErasureActivities(sessions, make_storage(settings, http), lead_log, keys)
    campaigns = CampaignActivities(sessions, sender)
    booking = CalendarActivities(
        calendar or make_calendar(settings, sessions),
        Holds(sessions, settings.ARTIST_ID),
        CalendarReads(sessions, settings.ARTIST_ID),
    )
    return Worker(
        client,
        task_queue=settings.TEMPORAL_TASK_QUEUE,
        workflows=[
            LeadWorkflow,
            ArtistAlertWorkflow,
            LeadLogWorkflow,
            DigestWorkflow,
            ErasureWorkflow,
            RetentionWorkflow,
            CampaignWorkflow,
        ],
        workflow_runner=WORKFLOW_RUNNER,
        interceptors=[LogContext()],
        # On shutdown, running activities (a send half-way to Meta, a calendar write) get this
        # long to finish before they are cancelled and left to Temporal's retry elsewhere.
        graceful_shutdown_timeout=timedelta(seconds=settings.WORKER_SHUTDOWN_SECONDS),
        activities=[
            TurnActivities(records, messaging).deliver_turn,
            messaging.send_message,  # artist alerts and the digest
            records.set_opt_out,
            links.issue_links,
            payments.create_checkout,
            payments.expire_checkout,
            media.store_media,
            booking.calendar_view,
            booking.place_hold,
            booking.release_hold,
            booking.cancel_booking,
            booking.book_slot,
            DigestActivities(sessions).waiting_leads,
            SettingsActivities(
                sessions, settings.ARTIST_ID, settings.artist_defaults
            ).settings_in_force,
            erasure.erase_contact,
            erasure.expired_contacts,
            campaigns.freeze_audience,
            campaigns.send_batch,
            CampaignReplyActivities(sessions).waitlisted,
            *([LeadLogActivities(lead_log).write_lead_log] if lead_log else []),
        ],
    )


async def start_digest(client: Client, settings: Settings) -> WorkflowHandle[Any, None]:
    """The artist's daily digest: one run for the whole deployment, whatever the number of
    workers (a fixed id; a worker finding it running leaves it be)."""
    return await client.start_workflow(
        DigestWorkflow.run,
        DigestInput(hour_utc=settings.DIGEST_HOUR_UTC),
        id=DIGEST_ID,
        task_queue=settings.TEMPORAL_TASK_QUEUE,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )


async def start_retention(client: Client, settings: Settings) -> None:
    """Retention's daily sweep, when RETENTION_DAYS is set: one run for the deployment."""
    if settings.RETENTION_DAYS:
        await client.start_workflow(
            RetentionWorkflow.run,
            RetentionInput(days=settings.RETENTION_DAYS),
            id=RETENTION_ID,
            task_queue=settings.TEMPORAL_TASK_QUEUE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )


async def main() -> None:
    settings = get_settings()
    settings.check_production()
    configure_logs("worker", settings.LOG_FORMAT)
    os.nice(settings.WORKER_NICENESS)
    tracing.configure(settings.OTEL_EXPORTER_OTLP_ENDPOINT, f"{settings.OTEL_SERVICE_NAME}-worker")
    if settings.WORKER_METRICS_PORT:
        metrics.serve(settings.WORKER_METRICS_PORT)
    engine = make_engine(settings.DATABASE_URL)
    sessions = make_sessions(engine)
    keys = keyring(settings, sessions)
    client = await connect(settings, metrics_runtime(settings.TEMPORAL_METRICS_PORT), keys)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with http_clients() as http:
        worker = build_worker(client, settings, sessions, http, keys=keys)
        async with worker:
            await start_digest(client, settings)
            await start_retention(client, settings)
            logging.info("worker polling task queue %s", settings.TEMPORAL_TASK_QUEUE)
            # Start-up's objects (modules, the sandbox's, the pools) out of the collector's
            # sight: a full collection then stalls every activation for milliseconds, not a
            # tenth of a second (bench/RESULTS.md, issue 14).
            gc.freeze()
            await stop.wait()
    await engine.dispose()


if __name__ == "__main__":
    # The worker's own loop mostly moves bytes and wake-ups between sockets, the SDK's threads and
    # pipes: uvloop does that for less CPU than asyncio's (bench/RESULTS.md, issue 14). The API
    # runs on it too (uvicorn picks it when it is installed).
    uvloop.run(main())
