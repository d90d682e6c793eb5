"""The one way the worker, the API and the ops CLI connect to Temporal: the address and
namespace, TLS (a server CA, client certificates) or a Temporal Cloud API key, and the runtime
that exports the SDK's own metrics (worker only)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio.client import Client, TLSConfig
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from sealing import Keyring, MasterKeys, SealingCodec
from settings import Settings
from telemetry import tracing
from temporal_payloads import PayloadConverter


def pem(value: str) -> bytes | None:
    """A PEM setting: the PEM text itself (as secrets arrive in containers) or a file's path."""
    if not value:
        return None
    if value.lstrip().startswith("-----BEGIN"):
        return value.encode()
    return Path(value).read_bytes()


def tls_config(settings: Settings) -> TLSConfig | bool:
    """False for a plain local connection; otherwise what TLS needs. An API key (Temporal Cloud)
    always travels over TLS."""
    wanted = settings.TEMPORAL_TLS or settings.TEMPORAL_API_KEY or settings.TEMPORAL_TLS_CLIENT_CERT
    if not (wanted or settings.TEMPORAL_TLS_SERVER_CA):
        return False
    return TLSConfig(
        server_root_ca_cert=pem(settings.TEMPORAL_TLS_SERVER_CA),
        client_cert=pem(settings.TEMPORAL_TLS_CLIENT_CERT),
        client_private_key=pem(settings.TEMPORAL_TLS_CLIENT_KEY),
        domain=settings.TEMPORAL_TLS_SERVER_NAME or None,
    )


def metrics_runtime(port: int) -> Runtime | None:
    """A runtime whose SDK metrics (workflow and activity task latencies, schedule-to-start,
    sticky cache, polls) Prometheus scrapes on `port`; None (the default runtime) for 0."""
    if not port:
        return None
    return Runtime(
        telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=f"0.0.0.0:{port}"))
    )


def keyring(settings: Settings, sessions: async_sessionmaker) -> Keyring | None:
    if not settings.PAYLOAD_MASTER_KEYS:
        return None
    return Keyring(MasterKeys.parse(settings.PAYLOAD_MASTER_KEYS), sessions)


def data_converter(keys: Keyring | None) -> DataConverter:
    """Temporal's JSON payloads, decoded with dataclass field types resolved once
    (`temporal_payloads`); sealed, with failures whose message and stack trace are sealed too
    (they can quote what a client wrote), when there are keys."""
    plain = dataclasses.replace(DataConverter.default, payload_converter_class=PayloadConverter)
    if keys is None:
        return plain
    return dataclasses.replace(
        plain,
        payload_codec=SealingCodec(keys),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


async def connect(
    settings: Settings, runtime: Runtime | None = None, keys: Keyring | None = None
) -> Client:
    return await Client.connect(
        settings.TEMPORAL_ADDRESS,
        namespace=settings.TEMPORAL_NAMESPACE,
        api_key=settings.TEMPORAL_API_KEY or None,
        tls=tls_config(settings),
        runtime=runtime,
        data_converter=data_converter(keys),
        # Traced when tracing is on: this client's calls and every worker built on it.
        interceptors=tracing.temporal_interceptors(),
    )
