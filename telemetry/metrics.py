"""The product's Prometheus metrics, one registry per process (the default one), exposed at the
API's `/metrics` and on the worker's metrics port. Labels are closed vocabularies (route
templates, outcomes, statuses, Graph error codes), never a raw path, id or phone number, so the
number of series stays bounded whatever clients send."""

from __future__ import annotations

import threading

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)

HTTP_REQUESTS = Counter(
    "inkflow_http_requests",
    "HTTP requests answered, by route template",
    ["method", "route", "status"],
)
HTTP_SECONDS = Histogram(
    "inkflow_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
# accepted, duplicate, ignored, refused, malformed, forged, unavailable
WEBHOOK_OUTCOMES = Counter(
    "inkflow_webhook_outcomes", "What became of webhook deliveries and their messages",
    ["provider", "outcome"],
)  # fmt: skip
MESSAGES_IN = Counter("inkflow_messages_in", "Client messages stored by the WhatsApp webhook")
MESSAGES_OUT = Counter(
    "inkflow_messages_out", "Outbound WhatsApp messages by how they ended", ["recipient", "status"]
)
SEND_FAILURES = Counter(
    "inkflow_send_failures", "WhatsApp sends Graph refused, by Graph error code", ["code"]
)
PAYMENTS = Counter("inkflow_payment_events", "Stripe payment events handed to leads", ["kind"])
LEADS = Gauge("inkflow_leads", "Leads in the read model by status (at scrape time)", ["status"])
# Timers fired are counted by LeadWorkflow through the Temporal SDK's metric meter, so they are
# exported with the SDK's own metrics on the worker's TEMPORAL_METRICS_PORT.

UNMATCHED = "unmatched"


def exposition() -> tuple[bytes, str]:
    """The current metrics in Prometheus' text format, with its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def sample(name: str, labels: dict[str, str] | None = None) -> float:
    """One series' current value (0 when it has not been touched): for tests and the CLI."""
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


_served: set[int] = set()
_lock = threading.Lock()


def serve(port: int, addr: str = "0.0.0.0") -> None:
    """Expose this process's metrics on `port` (the worker has no HTTP server of its own)."""
    with _lock:
        if port in _served:
            return
        start_http_server(port, addr=addr)
        _served.add(port)
