"""The Kubernetes manifests in deploy/k8s: every resource valid against the Kubernetes API's
schemas (kubernetes-validate, strict: an unknown field is an error), and the shape the product
needs: probes on the api, a grace period longer than the worker's shutdown, the migration as a
Job, and settings that settings.py reads, with every production secret in the Secret."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from settings import PRODUCTION_REQUIRED, Settings

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
KUBERNETES = "1.30.0"  # the oldest minor version the manifests promise to work on


def resources() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        found += [(path.name, doc) for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


def by_kind(kind: str, name: str) -> dict[str, Any]:
    return next(
        doc for _, doc in resources() if doc["kind"] == kind and doc["metadata"]["name"] == name
    )


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    [only] = deployment["spec"]["template"]["spec"]["containers"]
    return only


@pytest.mark.parametrize("resource", resources(), ids=lambda r: f"{r[0]}:{r[1]['kind']}")
def test_every_resource_is_valid_kubernetes(resource: tuple[str, dict[str, Any]]) -> None:
    _, doc = resource
    kubernetes_validate.validate(doc, KUBERNETES, strict=True)


def test_the_validator_refuses_a_broken_manifest() -> None:
    broken = by_kind("Deployment", "inkflow-api")
    broken = {**broken, "spec": {**broken["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES, strict=True)


def test_the_parts_are_there() -> None:
    kinds = {(doc["kind"], doc["metadata"]["name"]) for _, doc in resources()}
    assert {("Deployment", "inkflow-api"), ("Deployment", "inkflow-worker"),
            ("Service", "inkflow-api"), ("Job", "inkflow-migrate"),
            ("ConfigMap", "inkflow-config"), ("Secret", "inkflow-secrets")} <= kinds  # fmt: skip


def test_the_api_is_probed_for_liveness_and_readiness() -> None:
    api = container(by_kind("Deployment", "inkflow-api"))
    assert api["livenessProbe"]["httpGet"]["path"] == "/health"
    assert api["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert {"name": "http", "containerPort": 8000} in api["ports"]


def test_the_worker_has_time_to_let_activities_finish() -> None:
    worker = by_kind("Deployment", "inkflow-worker")
    config = by_kind("ConfigMap", "inkflow-config")["data"]
    grace = worker["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace > float(config["WORKER_SHUTDOWN_SECONDS"])
    assert container(worker)["command"] == ["python", "worker.py"]
    probe = container(worker)["livenessProbe"]["httpGet"]
    assert probe["path"] == "/metrics" and worker["spec"]["replicas"] >= 2
    assert {"name": "metrics", "containerPort": int(config["WORKER_METRICS_PORT"])} in (
        container(worker)["ports"]
    )


def test_migrations_run_as_a_job() -> None:
    job = by_kind("Job", "inkflow-migrate")
    assert container(job)["command"] == ["alembic", "upgrade", "head"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_settings_come_from_the_configmap_and_secret() -> None:
    config = by_kind("ConfigMap", "inkflow-config")["data"]
    secret = by_kind("Secret", "inkflow-secrets")["stringData"]
    assert set(config) & set(secret) == set()
    assert (set(config) | set(secret)) - set(Settings.model_fields) == set()
    assert set(PRODUCTION_REQUIRED) <= set(config) | set(secret)
    # Secrets stay out of the ConfigMap.
    for name in ("CONTACT_KEY_SECRET", "ADMIN_API_KEY", "PAYLOAD_MASTER_KEYS", "DATABASE_URL"):
        assert name in secret
    for _, doc in resources():
        if doc["kind"] in ("Deployment", "Job"):
            sources = container(doc)["envFrom"]
            assert {"configMapRef": {"name": "inkflow-config"}} in sources
            assert {"secretRef": {"name": "inkflow-secrets"}} in sources
            assert doc["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
