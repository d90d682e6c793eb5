"""The Grafana dashboard in deploy/ only charts metrics the product exports, so a renamed
metric cannot leave a panel silently empty."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client import REGISTRY

import telemetry.metrics  # noqa: F401 - registers the product's metrics
from workflows.lead import TIMERS_FIRED

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana-dashboard.json"


def exported() -> set[str]:
    names = {TIMERS_FIRED}
    for family in REGISTRY.collect():
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
        if family.type == "counter":
            names.add(family.name + "_total")
        if family.type == "histogram":
            names.update(family.name + suffix for suffix in ("_bucket", "_count", "_sum"))
    return names


def test_every_panel_charts_an_exported_metric() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    charted = {name for expr in exprs for name in re.findall(r"\binkflow_\w+", expr)}
    assert len(charted) >= 8
    assert charted - exported() == set()
    # The Temporal SDK's own metrics are charted too (workflow task latency, activity failures).
    assert any("temporal_" in expr for expr in exprs)
