"""How the worker, the API and the CLI reach Temporal beyond this box: plain locally; TLS with
a private CA and client certificates (PEM text or a file's path) for a self-hosted cluster; TLS
implied by a Temporal Cloud API key; and a production check that a certificate has its key."""

from __future__ import annotations

from pathlib import Path

from temporalio.client import TLSConfig

from settings import Settings
from temporal_connection import pem, tls_config

CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def test_a_local_connection_is_plain() -> None:
    assert tls_config(settings()) is False


def test_a_self_hosted_cluster_gets_its_ca_and_client_certificate(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text(CERT)
    config = tls_config(
        settings(
            TEMPORAL_TLS_SERVER_CA=str(ca),  # a path
            TEMPORAL_TLS_CLIENT_CERT=CERT,  # PEM text, as a secret arrives
            TEMPORAL_TLS_CLIENT_KEY=KEY,
            TEMPORAL_TLS_SERVER_NAME="temporal.internal",
        )
    )
    assert isinstance(config, TLSConfig)
    assert config.server_root_ca_cert == CERT.encode()
    assert config.client_cert == CERT.encode() and config.client_private_key == KEY.encode()
    assert config.domain == "temporal.internal"


def test_an_api_key_implies_tls_with_the_system_roots() -> None:
    config = tls_config(settings(TEMPORAL_API_KEY="cloud-key"))
    assert isinstance(config, TLSConfig) and config.server_root_ca_cert is None
    assert pem("") is None


def test_production_wants_a_certificate_and_its_key_together() -> None:
    half = settings(APP_ENV="production", TEMPORAL_TLS_CLIENT_CERT=CERT)
    assert "TEMPORAL_TLS_CLIENT_CERT and TEMPORAL_TLS_CLIENT_KEY go together" in (
        half.production_problems()
    )
