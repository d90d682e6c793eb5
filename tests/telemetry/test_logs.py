"""Structured logs: JSON lines carrying the request id (from the caller or made up), the route
template and what an activity is working for (workflow id, lead id); plain lines for `make run`;
phone-shaped digits masked whatever logged them. Formats are checked in a child process, so this
suite's own logging is left as it is."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from structlog.contextvars import get_contextvars
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

from telemetry.activity_context import LogContext, lead_id_of
from worker import WORKFLOW_RUNNER

ROOT = Path(__file__).resolve().parents[2]
NUMBER = "447700900123"

pytestmark = pytest.mark.asyncio(loop_scope="session")


def run_child(script: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", textwrap.dedent(script)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stderr.splitlines()


SERVE_ONE_REQUEST = """
    import logging
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    from telemetry.http import HttpTelemetry
    from telemetry.logs import configure

    configure("api", "{fmt}")
    app = FastAPI()
    app.add_middleware(HttpTelemetry)

    @app.get("/items/{{item_id}}")
    def item(item_id: str) -> dict:
        logging.getLogger("inkflow.test").info("looked up for +{number}")
        return {{}}

    with TestClient(app) as client:
        answer = client.get("/items/secret-token", headers={{"X-Request-ID": "req-1"}})
        assert answer.headers["x-request-id"] == "req-1"
        made_up = client.get("/items/x").headers["x-request-id"]
        assert len(made_up) == 32, made_up
"""


def test_json_lines_carry_the_request_id_and_the_route_template() -> None:
    lines = run_child(SERVE_ONE_REQUEST.format(fmt="json", number=NUMBER))
    records = [json.loads(line) for line in lines]
    inside = next(r for r in records if r["logger"] == "inkflow.test")
    assert inside["request_id"] == "req-1"
    assert inside["process"] == "api" and inside["level"] == "info" and "timestamp" in inside
    assert NUMBER not in inside["event"] and "[number]" in inside["event"]
    request = next(r for r in records if r["logger"] == "inkflow.http")
    assert request["request_id"] == "req-1"
    assert request["route"] == "/items/{item_id}" and request["status"] == 200
    assert "secret-token" not in "\n".join(lines)  # raw paths are never logged


def test_plain_lines_for_make_run_are_readable_text() -> None:
    lines = run_child(SERVE_ONE_REQUEST.format(fmt="plain", number=NUMBER))
    inside = next(line for line in lines if "looked up for" in line)
    assert not inside.startswith("{")
    assert "request_id=req-1" in inside and NUMBER not in inside


def test_activity_inputs_name_their_lead() -> None:
    @dataclass
    class Lead:
        lead_id: str

    @dataclass
    class Snapshot:
        lead: Lead

    @dataclass
    class Delivery:
        snapshot: Snapshot

    assert lead_id_of([Delivery(Snapshot(Lead("L1")))]) == "L1"
    assert lead_id_of([Lead("L2")]) == "L2"
    assert lead_id_of(["text", 3]) is None


SEEN: list[dict] = []


@dataclass
class Job:
    lead_id: str


@activity.defn(name="log_context_probe")
async def probe(job: Job) -> None:
    SEEN.append(dict(get_contextvars()))


@workflow.defn(name="LogContextProbe")
class ProbeWorkflow:
    @workflow.run
    async def run(self, job: Job) -> None:
        await workflow.execute_activity(probe, job, start_to_close_timeout=timedelta(seconds=10))


async def test_an_activity_logs_with_its_workflow_and_lead(temporal_address: str) -> None:
    client = await Client.connect(temporal_address)
    queue, workflow_id = f"log-context-{uuid.uuid4()}", f"probe-{uuid.uuid4()}"
    async with Worker(
        client,
        task_queue=queue,
        workflows=[ProbeWorkflow],
        activities=[probe],
        interceptors=[LogContext()],
        workflow_runner=WORKFLOW_RUNNER,
    ):
        await client.execute_workflow(
            ProbeWorkflow.run, Job("lead-42"), id=workflow_id, task_queue=queue
        )
    assert SEEN[-1] == {
        "workflow_id": workflow_id,
        "activity": "log_context_probe",
        "lead_id": "lead-42",
    }
    assert get_contextvars() == {}  # unbound once the activity is done
    logging.getLogger(__name__).info("context checked")


def test_phone_shaped_numbers_are_masked_but_ids_that_contain_digits_are_not() -> None:
    from telemetry.logs import mask_numbers

    event = {
        "event": "sent to +447700900123 and wa:447700900124, then 447700900125.",
        "request_id": "8666a677eedc37012345678f4f7bba1",
        "sent_at": "1796225332",
    }
    masked = mask_numbers(None, "info", dict(event))
    assert masked["event"] == "sent to [number] and wa:[number], then [number]."
    assert masked["request_id"] == event["request_id"]
    assert masked["sent_at"] == event["sent_at"]
