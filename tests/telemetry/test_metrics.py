"""Prometheus metrics move with what happens: a webhook through the real API (outcomes, messages
in, HTTP by route template), replies sent by the real worker (messages out), Graph's refusals
(send failures by error code), leads by status at scrape time, the worker's own metrics port and
the Temporal SDK's metrics through its runtime."""

from __future__ import annotations

import json
import re
import uuid

import httpx
import pytest
from sqlalchemy import func, select
from temporalio.client import Client
from temporalio.testing import ActivityEnvironment

import devstack
from activities.contracts import SendRequest
from consultation import outbound
from models import Contact, LeadRecord
from telemetry import metrics
from temporal_connection import metrics_runtime
from tests.conftest import eventually
from tests.fakes.graph_api import inbound_delivery, sign, text_message
from tests.whatsapp_client import clock, new_phone, post, sent_to

pytestmark = pytest.mark.asyncio(loop_scope="session")


def value(text: str, name: str, **labels: str) -> float:
    """One series' value in a Prometheus text exposition (0 when absent)."""
    wanted = ",".join(f'{key}="{val}"' for key, val in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if match and match[1] == name and ",".join(sorted((match[2] or "").split(","))) == wanted:
            return float(match[3])
    return 0.0


async def scrape(stack) -> str:
    response = await stack.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_counters_move_with_a_webhook(stack) -> None:
    before = await scrape(stack)
    phone = new_phone()
    answered = await post(
        stack, inbound_delivery([text_message(phone, "Hi, a tattoo please", timestamp=next(clock))])
    )
    assert answered.status_code == 200
    forged = json.dumps(inbound_delivery([text_message(new_phone(), "hi")])).encode()
    refused = await stack.http.post(
        "/webhooks/whatsapp", content=forged, headers={"X-Hub-Signature-256": sign(forged, "x")}
    )
    assert refused.status_code == 403
    malformed = b'{"entry": 5}'
    bad = await stack.http.post(
        "/webhooks/whatsapp",
        content=malformed,
        headers={"X-Hub-Signature-256": sign(malformed, stack.settings.WHATSAPP_APP_SECRET)},
    )
    assert bad.status_code == 400
    # The reply goes out through the worker (same process, same registry).
    await eventually(lambda: sent_to(stack, phone), timeout=20)
    after = await eventually(lambda: _sent_more(stack, before), timeout=10)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("inkflow_webhook_outcomes_total", provider="whatsapp", outcome="accepted") == 1
    assert moved("inkflow_webhook_outcomes_total", provider="whatsapp", outcome="forged") == 1
    assert moved("inkflow_webhook_outcomes_total", provider="whatsapp", outcome="malformed") == 1
    assert moved("inkflow_messages_in_total") == 1
    assert moved("inkflow_messages_out_total", recipient="client", status="sent") >= 1
    route = {"method": "POST", "route": "/webhooks/whatsapp"}
    assert moved("inkflow_http_requests_total", **route, status="200") == 1
    assert moved("inkflow_http_requests_total", **route, status="403") == 1
    assert moved("inkflow_http_request_duration_seconds_count", **route) == 3


async def _sent_more(stack, before: str) -> str | None:
    text = await scrape(stack)
    name, labels = "inkflow_messages_out_total", {"recipient": "client", "status": "sent"}
    return text if value(text, name, **labels) > value(before, name, **labels) else None


async def test_routes_are_labelled_by_template_never_by_raw_path(stack) -> None:
    token = uuid.uuid4().hex
    await stack.http.get(f"/a/{token}")
    await stack.http.get(f"/no-such-page/{token}")
    text = await scrape(stack)
    assert token not in text
    assert 'route="/a/{token}"' in text
    assert 'route="unmatched"' in text


async def test_leads_by_status_count_the_read_model(stack, sessions) -> None:
    text = await scrape(stack)

    async with sessions() as session:
        counts = dict((await session.execute(
            select(LeadRecord.status, func.count()).group_by(LeadRecord.status)
        )).all())  # fmt: skip
    assert counts, "the stack's tests have made leads"
    for status, count in counts.items():
        assert value(text, "inkflow_leads", status=status) == count


async def test_metrics_need_the_bearer_token_when_one_is_set(stack) -> None:
    stack.settings.METRICS_TOKEN = "scrape-secret"
    try:
        assert (await stack.http.get("/metrics")).status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert (await stack.http.get("/metrics", headers=wrong)).status_code == 401
        right = {"Authorization": "Bearer scrape-secret"}
        assert (await stack.http.get("/metrics", headers=right)).status_code == 200
    finally:
        stack.settings.METRICS_TOKEN = ""


async def test_send_failures_are_counted_by_graph_error_code(sender, graph, sessions) -> None:
    key = uuid.uuid4().hex[:32]
    async with sessions.begin() as session:
        session.add(Contact(key=key, wa_id=f"4477{uuid.uuid4().int % 10**8:08d}"))
    before = metrics.sample("inkflow_send_failures_total", {"code": "131026"})
    graph.fail_next(131026)  # the recipient cannot receive this message
    message = outbound.text("client", "What is your budget?", key="question.budget")
    request = SendRequest(f"lead-m:{uuid.uuid4()}", key, "lead-m", message, True)
    result = await ActivityEnvironment().run(sender.send_message, request)
    assert result.status == "FAILED"
    assert metrics.sample("inkflow_send_failures_total", {"code": "131026"}) == before + 1


async def test_the_worker_serves_its_metrics_on_its_port() -> None:

    port = devstack.free_port()
    metrics.serve(port, addr="127.0.0.1")
    metrics.MESSAGES_OUT.labels("artist", "sent").inc()
    expected = metrics.sample(
        "inkflow_messages_out_total", {"recipient": "artist", "status": "sent"}
    )
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
    assert value(text, "inkflow_messages_out_total", recipient="artist", status="sent") == expected


async def test_temporal_sdk_metrics_are_exported_by_the_runtime(temporal_address) -> None:

    port = devstack.free_port()
    runtime = metrics_runtime(port)
    assert runtime is not None and metrics_runtime(0) is None
    client = await Client.connect(temporal_address, runtime=runtime)
    [w async for w in client.list_workflows("WorkflowType = 'LeadWorkflow'", limit=1)]
    async with httpx.AsyncClient() as http:

        async def exported() -> str | None:
            text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
            return text if "temporal_request" in text else None

        assert "temporal_request" in await eventually(exported, timeout=10, interval=0.2)
