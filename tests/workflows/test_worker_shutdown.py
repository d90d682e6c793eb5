"""A worker told to stop lets a running activity finish (up to WORKER_SHUTDOWN_SECONDS) instead
of cancelling it half-way through a call to a provider."""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import select
from temporalio.client import Client

from models import Contact, OutboundMessage
from settings import Settings
from tests.conftest import eventually
from tests.fakes.loopback import LoopbackServer
from worker import build_worker, http_clients
from workflows.alerts import ArtistAlert, ArtistAlertWorkflow

pytestmark = pytest.mark.asyncio(loop_scope="session")
QUEUE = "leads-shutdown"
SEND_SECONDS = 2.0
ARTIST = "447700900731"


class SlowGraph(LoopbackServer):
    """A Graph API that takes SEND_SECONDS to accept a message, and says when one arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Event()

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{version}/{phone_number_id}/messages")
        async def send() -> JSONResponse:
            self.arrived.set()
            await asyncio.sleep(SEND_SECONDS)
            return JSONResponse({"messages": [{"id": "wamid.slow-but-sent"}]})

        return app


async def test_stopping_worker_lets_a_send_in_flight_finish(temporal_address, sessions):
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        TEMPORAL_TASK_QUEUE=QUEUE,
        ARTIST_WHATSAPP_NUMBER=ARTIST,
        WHATSAPP_MODE="cloud",
        WHATSAPP_ACCESS_TOKEN="test-token",
        WHATSAPP_PHONE_NUMBER_ID="PNID",
        WORKER_SHUTDOWN_SECONDS=10,
    )
    client = await Client.connect(temporal_address)
    async with sessions.begin() as session:  # the artist's own window is open: a plain send
        session.add(Contact(key=uuid.uuid4().hex, wa_id=ARTIST, last_inbound_at=datetime.now(UTC)))
    alert_id = f"shutdown-{uuid.uuid4().hex}"
    with SlowGraph() as graph:
        settings.WHATSAPP_API_BASE_URL = graph.base_url
        async with http_clients() as http:
            worker = build_worker(client, settings, sessions, http)
            running = asyncio.create_task(worker.run())
            await client.start_workflow(
                ArtistAlertWorkflow.run,
                ArtistAlert(lead_id="lead-shutdown", text="Stopping mid-send", key="shutdown"),
                id=alert_id,
                task_queue=QUEUE,
            )
            await eventually(graph.arrived.is_set)
            await worker.shutdown()  # while the send is still waiting on the Graph API
            await running

    async with sessions() as session:
        sent = await session.scalar(
            select(OutboundMessage).where(OutboundMessage.id == f"alert:{alert_id}")
        )
    assert sent is not None, "the send was cancelled by the shutdown"
    assert sent.provider_message_id == "wamid.slow-but-sent"
    assert sent.recipient == "artist"
    await client.get_workflow_handle(alert_id).terminate("test done")
