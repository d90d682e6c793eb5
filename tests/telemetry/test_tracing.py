"""Tracing, with an in-memory exporter: one trace follows an admin request through the API
(FastAPI instrumentation) into Temporal (the client's TracingInterceptor), the workflow it
starts and the activity that workflow runs, each span a child of the one before."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import devstack
from activities.whatsapp_cloud import CloudApi
from api.app import create_app
from consultation import outbound
from models import Contact, LeadRecord
from telemetry import tracing
from temporal_connection import connect
from tests.conftest import ACCESS_TOKEN, ADMIN_KEY, stack_settings
from tests.fakes.loopback import LoopbackServer
from worker import build_worker, http_clients

pytestmark = pytest.mark.asyncio(loop_scope="session")

SPANS = InMemorySpanExporter()


@pytest.fixture(scope="module")
async def traced(database_url, temporal_address, graph, sessions) -> AsyncIterator[str]:
    assert tracing.configure("", "inkflow-test", exporter=SPANS)
    port = devstack.free_port()
    settings = stack_settings(database_url, temporal_address, graph,
                              TEMPORAL_TASK_QUEUE="leads-traced")  # fmt: skip
    try:
        client = await connect(settings)
        async with (
            http_clients() as outbound,
            build_worker(client, settings, sessions, outbound),
        ):
            with LoopbackServer(create_app(settings), port):
                yield f"http://127.0.0.1:{port}"
    finally:
        tracing.disable()


async def test_one_trace_spans_api_workflow_and_activity(traced: str, sessions) -> None:
    key, lead_id = uuid.uuid4().hex[:32], uuid.uuid4().hex
    async with sessions.begin() as session:
        session.add(Contact(key=key, wa_id=f"4477{uuid.uuid4().int % 10**8:08d}"))
        session.add(LeadRecord(lead_id=lead_id, contact_key=key, workflow_id=f"lead-{key}",
                               run_id="r", status="ABANDONED"))  # fmt: skip
    async with httpx.AsyncClient(base_url=traced, timeout=30) as http:
        answer = await http.post(
            "/admin/contacts/erase", json={"lead_id": lead_id},
            headers={"X-Admin-API-Key": ADMIN_KEY},
        )  # fmt: skip
    assert answer.status_code == 200, answer.text
    trace.get_tracer_provider().force_flush()  # type: ignore[attr-defined]
    spans = SPANS.get_finished_spans()
    by_name = {span.name: span for span in spans}
    request = by_name["POST /admin/contacts/erase"]  # the server span (FastAPI)
    start = by_name["StartWorkflow:ErasureWorkflow"]
    run = by_name["RunWorkflow:ErasureWorkflow"]
    schedule = by_name["StartActivity:erase_contact"]
    activity = by_name["RunActivity:erase_contact"]
    chain = [request, start, run, schedule, activity]
    assert {span.context.trace_id for span in chain} == {request.context.trace_id}
    ids = {span.context.span_id: span for span in spans}

    def descends(child, parent) -> bool:
        ancestor = child.parent
        while ancestor is not None and ancestor.span_id != parent.context.span_id:
            ancestor = ids[ancestor.span_id].parent if ancestor.span_id in ids else None
        return ancestor is not None

    # The workflow's spans hang off the client's StartWorkflow (carried in Temporal headers),
    # the activity's run off the workflow's scheduling of it.
    assert descends(start, request)
    assert descends(run, start) and descends(schedule, start)
    assert descends(activity, schedule)


def test_tracing_is_off_without_an_endpoint() -> None:
    assert tracing.configure("", "inkflow-test") is False


async def test_a_message_sent_to_graph_is_a_client_span(traced: str, graph) -> None:
    """Graph's sends go over aiohttp, which this OpenTelemetry release does not instrument: the
    adapter makes the span itself, so a reply still shows in its trace."""
    SPANS.clear()
    async with CloudApi(base_url=graph.base_url, phone_number_id="PNID",
                        access_token=ACCESS_TOKEN) as api:  # fmt: skip
        with trace.get_tracer("test").start_as_current_span("turn") as turn:
            await api.send("447700900555", outbound.text("client", "Hello!", key="test.hello"))
    trace.get_tracer_provider().force_flush()  # type: ignore[attr-defined]
    (send,) = [span for span in SPANS.get_finished_spans() if span.name == "POST"]
    assert send.kind == trace.SpanKind.CLIENT
    assert send.parent is not None and send.parent.span_id == turn.get_span_context().span_id
    assert send.attributes is not None
    assert send.attributes["http.response.status_code"] == 200
    assert "447700900555" not in str(dict(send.attributes))  # the recipient is not recorded
