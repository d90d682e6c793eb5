"""Campaign benchmark: one campaign to N consenting recipients at a configured rate.

Starts embedded PostgreSQL, the Temporal dev server and one worker process (WhatsApp pointed at
the fake Graph API in this process), writes N contacts with waitlisted leads and consent, and
runs a CampaignWorkflow with no messaging limit. Reports the measured send rate (first to last
send at the fake, against the target), duplicates (any outbound id or recipient sent twice) and
the CPU each part spent per recipient.

    .venv/bin/python bench/campaign.py                       # 10,000 at 80/s, printed
    .venv/bin/python bench/campaign.py --recipients 2000 --rate 40 --write
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from temporalio.client import Client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import devstack  # noqa: E402
from bench.load import cpu_by_process  # noqa: E402
from campaigns import SegmentFilter  # noqa: E402
from tests.fakes.graph_api import FakeGraphApi  # noqa: E402
from workflows.campaign import CampaignWorkflow  # noqa: E402
from workflows.campaign_contracts import CampaignInput  # noqa: E402

QUEUE = "bench-campaign"
PARAMS = json.dumps(["{name}", "Berlin", "May"])
AUDIENCE_SQL = """
INSERT INTO contacts (key, wa_id, profile_name)
SELECT CAST(:tag AS text) || lpad(i::text, 8, '0'), (440000000000 + i)::text, 'Client ' || i
FROM generate_series(1, :n) AS i;
INSERT INTO leads (lead_id, contact_key, workflow_id, run_id, status, answers, parsed, version)
SELECT 'l' || CAST(:tag AS text) || i, CAST(:tag AS text) || lpad(i::text, 8, '0'), 'lead-' || i,
       'run', 'WAITLISTED', '{}',
       jsonb_build_object('travel_city', CAST(:city AS text)), 1
FROM generate_series(1, :n) AS i;
INSERT INTO marketing_consents (contact_key, granted, changed_at, how)
SELECT CAST(:tag AS text) || lpad(i::text, 8, '0'), true, now(), 'bench'
FROM generate_series(1, :n) AS i;
INSERT INTO campaigns (id, name, template, language, params, filters, workflow_id)
VALUES (CAST(:tag AS text), 'bench', 'tour_announcement', 'en_GB', CAST(:params AS jsonb),
        CAST(:filters AS jsonb), 'campaign-' || CAST(:tag AS text));
"""


TABLE = "| date | recipients | target /s |"


def write_audience(database_url: str, tag: str, n: int) -> None:
    engine = create_engine(database_url)
    filters = json.dumps(SegmentFilter(statuses=("WAITLISTED",), tour_city=tag).to_json())
    with engine.begin() as connection:
        for statement in filter(str.strip, AUDIENCE_SQL.split(";")):
            values = {"tag": tag, "n": n, "city": tag, "filters": filters, "params": PARAMS}
            connection.execute(text(statement), values)
    engine.dispose()


async def run(temporal: str, tag: str, rate: float, graph: FakeGraphApi, n: int) -> dict:
    times: list[float] = []
    lock = threading.Lock()

    def heard(body: dict) -> None:  # on the fake server's thread
        with lock:
            times.append(time.perf_counter())

    graph.listeners.append(heard)
    client = await Client.connect(temporal)
    cpu_before = cpu_by_process()
    started = time.perf_counter()
    progress = await client.execute_workflow(
        CampaignWorkflow.run,
        CampaignInput(tag, rate=rate, messaging_limit=None),
        id=f"campaign-{tag}",
        task_queue=QUEUE,
    )
    elapsed = time.perf_counter() - started
    cpu_after = cpu_by_process()
    per_id = graph.sends_per_outbound_id()
    recipients = Counter(str(body.get("to")) for body in graph.sent)
    measured = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    return {
        "recipients": n,
        "sent": progress.sent,
        "target_per_s": rate,
        "measured_per_s": measured,
        "off_target_pct": 100 * (measured - rate) / rate,
        "campaign_s": elapsed,
        "duplicate_outbound_ids": sum(1 for count in per_id.values() if count > 1),
        "duplicate_recipients": sum(1 for count in recipients.values() if count > 1),
        **{
            f"cpu_ms_per_recipient_{name.removesuffix('.py')}": (
                (cpu_after[name] - cpu_before.get(name, 0.0)) / n * 1000
            )
            for name in cpu_after
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=80.0)
    parser.add_argument("--write", action="store_true", help="append the row to bench/RESULTS.md")
    args = parser.parse_args()
    tag = f"b{uuid.uuid4().hex[:10]}"

    with ExitStack() as stack, tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as scratch:
        graph = stack.enter_context(FakeGraphApi(access_token="bench-token"))
        database_url = stack.enter_context(devstack.postgres(Path(scratch) / "pg"))
        temporal = stack.enter_context(
            devstack.temporal_dev_server(None, devstack.free_port(), None)
        )
        devstack.migrate(database_url)
        write_audience(database_url, tag, args.recipients)
        env = devstack.env_with(
            APP_ENV="test",
            DATABASE_URL=database_url,
            TEMPORAL_ADDRESS=temporal,
            TEMPORAL_TASK_QUEUE=QUEUE,
            WHATSAPP_MODE="cloud",
            WHATSAPP_ACCESS_TOKEN="bench-token",
            WHATSAPP_PHONE_NUMBER_ID="BENCH",
            WHATSAPP_API_BASE_URL=graph.base_url,
            ARTIST_WHATSAPP_NUMBER="447700900999",
        )
        worker = subprocess.Popen(
            [sys.executable, "worker.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        stack.callback(worker.terminate)
        result = asyncio.run(run(temporal, tag, args.rate, graph, args.recipients))

    print(json.dumps({k: round(v, 2) for k, v in result.items()}, indent=2))
    cpu = ", ".join(
        f"{name.removeprefix('cpu_ms_per_recipient_')} {value:.2f}"
        for name, value in sorted(result.items())
        if name.startswith("cpu_ms_per_recipient_")
    )
    row = (
        f"| {datetime.now(UTC):%Y-%m-%d} | {args.recipients} | {args.rate:g} "
        f"| {result['measured_per_s']:.1f} ({result['off_target_pct']:+.1f} %) "
        f"| {result['duplicate_outbound_ids']} / {result['duplicate_recipients']} | {cpu} "
        f"| {os.cpu_count()} cores, Python {platform.python_version()} |"
    )
    print(row)
    if args.write:
        add_row(ROOT / "bench" / "RESULTS.md", row)


def add_row(results: Path, row: str) -> None:
    """Put `row` at the end of the campaign table in `results` (the first table whose header
    starts with TABLE), not at the end of the file, where it would stand alone."""
    lines = results.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(TABLE))
    while at < len(lines) and lines[at].startswith("|"):
        at += 1
    lines.insert(at, row + "\n")
    results.write_text("".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
