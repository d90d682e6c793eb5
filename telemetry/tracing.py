"""OpenTelemetry tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. When on, one trace
follows a request from the API (FastAPI's instrumentation) through the Temporal client into the
workflow and its activities (the SDK's TracingInterceptor, carried in Temporal headers) and out
through httpx (to Graph, Stripe, Google). The worker and the API each call `configure` once."""

from __future__ import annotations

from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from temporalio.contrib.opentelemetry import TracingInterceptor

_enabled = False


def configure(endpoint: str, service: str, exporter: SpanExporter | None = None) -> bool:
    """Install this process's tracer provider; False (nothing installed) without an endpoint
    or exporter. `exporter` lets a test keep spans in memory."""
    global _enabled
    if exporter is None:
        if not endpoint:
            return False
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor().instrument()
    _enabled = True
    return True


def enabled() -> bool:
    return _enabled


def temporal_interceptors() -> list[Any]:
    """For Client.connect: client calls, and the workers built on that client, are traced."""
    return [TracingInterceptor()] if _enabled else []


def instrument_api(app: Any) -> None:
    if _enabled:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        # /metrics and probes would be most spans and tell nothing.
        FastAPIInstrumentor.instrument_app(app, excluded_urls="health,ready,metrics")


def disable() -> None:
    """Stop tracing new clients, apps and httpx calls (the installed provider stays: OpenTelemetry
    sets it once per process)."""
    global _enabled
    if _enabled:
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        HTTPXClientInstrumentor().uninstrument()
    _enabled = False
