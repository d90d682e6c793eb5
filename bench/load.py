"""Load benchmark: N concurrent clients run the consultation over the real webhook.

Starts the real stack as separate processes (embedded PostgreSQL, Temporal dev server, the
worker, the API under uvicorn) with WhatsApp pointed at the fake Graph API in this process, then
drives clients that each send a message, wait for the bot's reply, and send the next one.

    make bench                                  # 50 clients, results printed
    .venv/bin/python bench/load.py --clients 50 --write   # also rewrite bench/RESULTS.md

Reports webhook-ack latency (POST → 200), reply latency (POST → reply received by the Graph
API) as p50/p95/p99, and inbound / outbound messages per second. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import devstack  # noqa: E402
from tests.e2e.journeys import ANSWERS  # noqa: E402
from tests.fakes.graph_api import FakeGraphApi, inbound_delivery, sign, text_message  # noqa: E402

SECRET = "bench-secret"
SCRIPT = ["Hi, I'd like a tattoo", *ANSWERS, "confirm"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else 0.0


class Replies:
    """Wakes the client waiting for a reply to its number when the fake Graph API gets one."""

    def __init__(self, graph: FakeGraphApi, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.counts: dict[str, int] = {}
        self.waiters: dict[str, tuple[int, asyncio.Future[float]]] = {}
        graph.listeners.append(self.heard)

    def heard(self, message: dict) -> None:  # on the fake server's thread
        self.loop.call_soon_threadsafe(self._arrived, message.get("to", ""), time.perf_counter())

    def _arrived(self, to: str, at: float) -> None:
        self.counts[to] = self.counts.get(to, 0) + 1
        waiting = self.waiters.get(to)
        if waiting and self.counts[to] > waiting[0] and not waiting[1].done():
            waiting[1].set_result(at)

    def expect(self, phone: str) -> asyncio.Future[float]:
        future: asyncio.Future[float] = self.loop.create_future()
        self.waiters[phone] = (self.counts.get(phone, 0), future)
        return future


async def client(
    number: int, http: httpx.AsyncClient, replies: Replies, acks: list[float], waits: list[float]
) -> None:
    phone = f"4477{number:08d}"
    for text in SCRIPT:
        raw = json.dumps(
            inbound_delivery([text_message(phone, text, timestamp=int(time.time()))])
        ).encode()
        reply = replies.expect(phone)
        started = time.perf_counter()
        response = await http.post(
            "/webhooks/whatsapp", content=raw, headers={"X-Hub-Signature-256": sign(raw, SECRET)}
        )
        acked = time.perf_counter()
        response.raise_for_status()
        acks.append(acked - started)
        waits.append(await asyncio.wait_for(reply, timeout=60) - started)


async def drive(base_url: str, graph: FakeGraphApi, clients: int) -> dict[str, float]:
    replies = Replies(graph, asyncio.get_running_loop())
    acks: list[float] = []
    waits: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as http:
        # Warm-up: one client end to end, so start-up costs are not measured.
        await client(99_000_000, http, replies, [], [])
        sent_before = len(graph.sent)
        cpu_before = cpu_by_process()
        started = time.perf_counter()
        await asyncio.gather(*(client(n, http, replies, acks, waits) for n in range(clients)))
        elapsed = time.perf_counter() - started
        cpu_after = cpu_by_process()
    graph.listeners.clear()
    outbound = len(graph.sent) - sent_before
    return {
        "clients": clients,
        "inbound": len(acks),
        "outbound": outbound,
        "seconds": elapsed,
        "inbound_per_s": len(acks) / elapsed,
        "messages_per_s": (len(acks) + outbound) / elapsed,
        "ack_p50_ms": percentile(acks, 50) * 1000,
        "ack_p95_ms": percentile(acks, 95) * 1000,
        "ack_p99_ms": percentile(acks, 99) * 1000,
        "reply_p50_ms": percentile(waits, 50) * 1000,
        "reply_p95_ms": percentile(waits, 95) * 1000,
        "reply_p99_ms": percentile(waits, 99) * 1000,
        "reply_mean_ms": statistics.fmean(waits) * 1000,
        # Where the machine's CPU went during the measured run, per inbound message.
        **{
            f"cpu_ms_per_message_{name.removesuffix('.py')}": (
                (cpu_after[name] - cpu_before.get(name, 0.0)) / len(acks) * 1000
            )
            for name in cpu_after
        },
    }


def cpu_by_process() -> dict[str, float]:
    """CPU seconds so far by part of the stack: this process and its children, and PostgreSQL
    (which runs as its own user, so it is found by name)."""
    import psutil

    me = psutil.Process()
    processes = {p.pid: p for p in [me, *me.children(recursive=True)]}
    for process in psutil.process_iter(["name"]):
        if process.info["name"] == "postgres":
            processes.setdefault(process.pid, process)
    totals: dict[str, float] = {}
    for process in processes.values():
        try:
            cmd = " ".join(process.cmdline())
            times = process.cpu_times()
        except psutil.Error:
            continue
        name = next(
            (n for n in ("worker.py", "uvicorn", "temporal", "postgres", "load.py") if n in cmd),
            process.name(),
        )
        totals[name] = totals.get(name, 0.0) + times.user + times.system
    return totals


def report(result: dict[str, float]) -> str:
    return (
        f"| {datetime.now(UTC):%Y-%m-%d} | {int(result['clients'])} | {int(result['inbound'])} "
        f"| {result['ack_p50_ms']:.1f} / {result['ack_p95_ms']:.1f} / {result['ack_p99_ms']:.1f} "
        f"| {result['reply_p50_ms']:.0f} / {result['reply_p95_ms']:.0f} / "
        f"{result['reply_p99_ms']:.0f} | {result['inbound_per_s']:.1f} "
        f"| {result['messages_per_s']:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--write", action="store_true", help="append the row to bench/RESULTS.md")
    args = parser.parse_args()

    with ExitStack() as stack, tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as scratch:
        graph = stack.enter_context(FakeGraphApi(access_token="bench-token"))
        database_url = stack.enter_context(devstack.postgres(Path(scratch) / "pg"))
        temporal = stack.enter_context(
            devstack.temporal_dev_server(None, devstack.free_port(), None)
        )
        devstack.migrate(database_url)
        port = devstack.free_port()
        env = devstack.env_with(
            APP_ENV="test",
            DATABASE_URL=database_url,
            TEMPORAL_ADDRESS=temporal,
            TEMPORAL_TASK_QUEUE="bench",
            WHATSAPP_MODE="cloud",
            WHATSAPP_APP_SECRET=SECRET,
            WHATSAPP_ACCESS_TOKEN="bench-token",
            WHATSAPP_PHONE_NUMBER_ID="BENCH",
            WHATSAPP_API_BASE_URL=graph.base_url,
            ARTIST_WHATSAPP_NUMBER="447700900999",
        )
        quiet = {
            "stdout": subprocess.DEVNULL,
            "stderr": subprocess.DEVNULL,
            "cwd": ROOT,
            "env": env,
        }
        processes = [
            subprocess.Popen([sys.executable, "worker.py"], **quiet),  # type: ignore[call-overload]
            subprocess.Popen(  # type: ignore[call-overload]
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--factory",
                    "api.app:app",
                    "--port",
                    str(port),
                    "--host",
                    "127.0.0.1",
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                **quiet,
            ),
        ]
        stack.callback(lambda: [p.terminate() for p in processes])
        devstack.wait_for_port(port)
        result = asyncio.run(drive(f"http://127.0.0.1:{port}", graph, args.clients))

    print(json.dumps({k: round(v, 2) for k, v in result.items()}, indent=2))
    row = report(result)
    print(row)
    if args.write:
        path = ROOT / "bench" / "RESULTS.md"
        machine = f"{os.cpu_count()} cores, Python {platform.python_version()}"
        with path.open("a", encoding="utf-8") as out:
            out.write(row + f" {machine} |\n")


if __name__ == "__main__":
    main()
