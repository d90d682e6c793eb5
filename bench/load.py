"""Load benchmark: clients run the consultation over the real webhook, as on a flash day.

Starts the real stack as separate processes (embedded PostgreSQL, Temporal dev server, the
worker, the API under uvicorn) with WhatsApp pointed at the fake Graph API in this process, then
drives clients that each send a message, wait for the bot's reply, think, and send the next one.

    make bench                                   # the floor, then every scenario; a table
    .venv/bin/python bench/load.py --scenario capacity        # one scenario
    .venv/bin/python bench/load.py --clients 50 --think 8 --jitter 4 --ramp 10
    .venv/bin/python bench/load.py --suite --write            # also append to bench/RESULTS.md

Scenarios (issue 14): `capacity` (50 clients, no pause), `flash` (500 clients typing, 8 ± 4 s
between messages, all starting within 10 s), `overload-200` and `overload-500` (no pause).

Reports webhook-ack latency (POST → 200; also its p99 past each conversation's first message,
which without think time all arrive in one instant), reply latency (POST → first reply at the
Graph API) as p50/p99, the same for each conversation's first message (a new conversation must
not starve), inbound messages per second overall and its lowest and highest 10 s window, lost
replies, duplicated sends (one outbound id sent twice), workflow tasks that timed out (from the
runs' histories), and the CPU each part of the stack spent per inbound message. `--suite` runs
`bench/floor.py` first on the same machine and gives each scenario's CPU as a multiple of the
floor's. The settle window is 0 here (`MESSAGE_SETTLE_SECONDS`): a message timestamped the moment
it is sent would otherwise wait out the window, which no real delivery does. This process (the
clients and the fake Graph API, standing in for Meta) runs at a higher priority than the stack
when the system allows it (root), so it times what the stack does, not its own wait for a core.
The worker runs at its default `WORKER_NICENESS`. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import devstack  # noqa: E402
from tests.e2e.journeys import ANSWERS  # noqa: E402
from tests.fakes.graph_api import FakeGraphApi, inbound_delivery, sign, text_message  # noqa: E402

SECRET = "bench-secret"
SCRIPT = ["Hi, I'd like a tattoo", *ANSWERS, "confirm"]
REPLY_TIMEOUT = 120.0  # seconds a client waits for a reply before counting it lost
WINDOW = 10.0  # seconds per throughput window


@dataclass(frozen=True)
class Scenario:
    name: str
    clients: int
    think: float = 0.0  # mean seconds between a reply and the client's next message
    jitter: float = 0.0  # think time is uniform in think ± jitter
    ramp: float = 0.0  # clients start uniformly within this many seconds


SCENARIOS = {
    s.name: s
    for s in (
        Scenario("capacity", 50),
        Scenario("flash", 500, think=8, jitter=4, ramp=10),
        Scenario("overload-200", 200),
        Scenario("overload-500", 500),
    )
}


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


@dataclass
class Observed:
    acks: list[float] = field(default_factory=list)
    # Of every message but a conversation's first: without the opening burst, when every
    # client's first message arrives in the same instant.
    later_acks: list[float] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    first_waits: list[float] = field(default_factory=list)
    answered_at: list[float] = field(default_factory=list)  # each reply's perf_counter
    lost: int = 0
    completed: int = 0
    retried: int = 0  # deliveries posted again after a broken connection


async def post(http: aiohttp.ClientSession, raw: bytes, seen: Observed) -> int:
    """POST a delivery as Meta does: again, at once, when the connection broke (a kept-alive
    connection the server closed as it was reused); the webhook dedupes by message id. Returns
    the HTTP status once the whole answer has arrived.

    aiohttp, not httpx: with hundreds of conversations on one httpx pool, a burst of replies
    kept requests queued in the pool for up to 2 s before their first byte left this process
    (httpx's trace events; bench/RESULTS.md, session 7), which was timed as the webhook's ack."""
    headers = {"X-Hub-Signature-256": sign(raw, SECRET)}
    try:
        async with http.post("/webhooks/whatsapp", data=raw, headers=headers) as response:
            await response.read()
            return response.status
    except aiohttp.ClientConnectionError:
        seen.retried += 1
        async with http.post("/webhooks/whatsapp", data=raw, headers=headers) as response:
            await response.read()
            return response.status


async def client(
    number: int, scenario: Scenario, http: aiohttp.ClientSession, replies: Replies, seen: Observed
) -> None:
    chance = random.Random(number)  # the same think times in every run
    await asyncio.sleep(chance.uniform(0, scenario.ramp))
    phone = f"4477{number:08d}"
    for index, text in enumerate(SCRIPT):
        raw = json.dumps(
            inbound_delivery([text_message(phone, text, timestamp=int(time.time()))])
        ).encode()
        reply = replies.expect(phone)
        started = time.perf_counter()
        status = await post(http, raw, seen)
        seen.acks.append(time.perf_counter() - started)
        if index:
            seen.later_acks.append(seen.acks[-1])
        if status != 200:
            raise RuntimeError(f"the webhook answered {status}")
        try:
            answered = await asyncio.wait_for(reply, timeout=REPLY_TIMEOUT)
        except TimeoutError:
            seen.lost += 1
            return
        seen.waits.append(answered - started)
        seen.answered_at.append(answered)
        if index == 0:
            seen.first_waits.append(answered - started)
        if scenario.think:
            await asyncio.sleep(
                chance.uniform(scenario.think - scenario.jitter, scenario.think + scenario.jitter)
            )
    seen.completed += 1


def windows(times: list[float], started: float, ended: float) -> list[float]:
    """Replies per second in each whole WINDOW between the first and last reply."""
    counts = Counter(int((t - started) // WINDOW) for t in times)
    whole = int((ended - started) // WINDOW)
    return [counts.get(i, 0) / WINDOW for i in range(whole)]


async def drive(base_url: str, graph: FakeGraphApi, scenario: Scenario) -> dict[str, float]:
    replies = Replies(graph, asyncio.get_running_loop())
    seen = Observed()
    connections = aiohttp.TCPConnector(limit=scenario.clients)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(base_url, connector=connections, timeout=timeout) as http:
        # Warm-up: one client end to end, so start-up costs are not measured.
        await client(99_000_000, Scenario("warm-up", 1), http, replies, Observed())
        sent_before = len(graph.sent)
        cpu_before = cpu_by_process()
        started = time.perf_counter()
        await asyncio.gather(
            *(client(n, scenario, http, replies, seen) for n in range(scenario.clients))
        )
        elapsed = time.perf_counter() - started
        cpu_after = cpu_by_process()
    graph.listeners.clear()
    sends = graph.sends_per_outbound_id()
    steady = windows(seen.answered_at, started, max(seen.answered_at, default=started))
    inbound = len(seen.acks)
    return {
        "clients": scenario.clients,
        "inbound": inbound,
        "outbound": len(graph.sent) - sent_before,
        "completed": seen.completed,
        "lost": seen.lost,
        "retried": seen.retried,
        "duplicated": sum(1 for outbound_id, n in sends.items() if outbound_id and n > 1),
        "seconds": elapsed,
        "inbound_per_s": inbound / elapsed,
        "window_min_per_s": min(steady, default=0.0),
        "window_max_per_s": max(steady, default=0.0),
        "ack_p50_ms": percentile(seen.acks, 50) * 1000,
        "ack_p99_ms": percentile(seen.acks, 99) * 1000,
        "later_ack_p99_ms": percentile(seen.later_acks, 99) * 1000,
        "reply_p50_ms": percentile(seen.waits, 50) * 1000,
        "reply_p99_ms": percentile(seen.waits, 99) * 1000,
        "first_reply_p50_ms": percentile(seen.first_waits, 50) * 1000,
        "first_reply_p99_ms": percentile(seen.first_waits, 99) * 1000,
        # Where the machine's CPU went during the measured run, per inbound message.
        **{
            f"cpu_ms_{name.removesuffix('.py')}": (
                (cpu_after[name] - cpu_before.get(name, 0.0)) / max(inbound, 1) * 1000
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


async def timed_out_workflow_tasks(address: str) -> int:
    """Workflow tasks that timed out in the scenario's runs, read from their histories."""
    from temporalio.api.enums.v1 import EventType
    from temporalio.client import Client

    temporal = await Client.connect(address)
    count = 0
    async for execution in temporal.list_workflows('WorkflowType = "LeadWorkflow"'):
        history = await temporal.get_workflow_handle(
            execution.id, run_id=execution.run_id
        ).fetch_history()
        count += sum(
            1
            for event in history.events
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT
        )
    return count


def measuring_first() -> None:
    """Run this process (the clients and the fake Graph API: Meta's side) ahead of the stack it
    measures when the system allows it, so an ack or a reply is timed when it happens, not when
    this process next gets a core. Meta's servers do not share the product's two cores."""
    with suppress(PermissionError):
        os.setpriority(os.PRIO_PROCESS, 0, -5)


def run_scenario(scenario: Scenario, *, workers: int = 1, apis: int = 1) -> dict[str, float]:
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
            MESSAGE_SETTLE_SECONDS="0",
        )
        quiet = {
            "stdout": subprocess.DEVNULL,
            "stderr": subprocess.DEVNULL,
            "cwd": ROOT,
            "env": env,
        }
        api = [sys.executable, "-m", "uvicorn", "--factory", "api.app:app", "--port", str(port)]
        api += ["--host", "127.0.0.1", "--log-level", "warning", "--no-access-log"]
        api += ["--timeout-keep-alive", "75"]  # as a load balancer in front would keep them
        api += ["--workers", str(apis)] if apis > 1 else []
        # Each worker serves its metrics (ours and the SDK's) on ports of its own.
        worker_env = [
            {
                **env,
                "WORKER_METRICS_PORT": str(devstack.free_port()),
                "TEMPORAL_METRICS_PORT": str(devstack.free_port()),
            }
            for _ in range(workers)
        ]
        processes = [
            *(
                subprocess.Popen([sys.executable, "worker.py"], **{**quiet, "env": own})  # type: ignore[call-overload]
                for own in worker_env
            ),
            subprocess.Popen(api, **quiet),  # type: ignore[call-overload]
        ]
        stack.callback(lambda: [p.terminate() for p in processes])
        devstack.wait_for_port(port)
        measuring_first()
        # On uvloop, as the floor's driver: Meta and the clients are not on our machine, and the
        # less of its CPU the load generator takes from the product's, the truer the numbers.
        result = uvloop.run(drive(f"http://127.0.0.1:{port}", graph, scenario))
        if exited := [" ".join(p.args[1:3]) for p in processes if p.poll() is not None]:
            raise SystemExit(f"exited during the run: {', '.join(exited)}")
        result["workflow_task_timeouts"] = asyncio.run(timed_out_workflow_tasks(temporal))
    return result


def run_floor() -> dict:
    """`bench/floor.py` in the lead's shape (a reminder timer per message), 50 clients."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "floor.py"), "--feature", "timer"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def product_cpu(result: dict[str, float]) -> float:
    """CPU per inbound message of the product's parts (not the load generator or fake Graph)."""
    return sum(v for k, v in result.items() if k.startswith("cpu_ms_") and k != "cpu_ms_load")


def row(name: str, result: dict[str, float], floor_cpu: float | None) -> str:
    ratio = f"{product_cpu(result) / floor_cpu:.1f}×" if floor_cpu else "—"
    spread = "—"  # a run shorter than one window has no steady rate to show
    if result["window_max_per_s"]:
        spread = f"{result['window_min_per_s']:.1f}–{result['window_max_per_s']:.1f}"
    return (
        f"| {datetime.now(UTC):%Y-%m-%d} | {name} | {int(result['clients'])} "
        f"| {result['inbound_per_s']:.1f} ({spread}) "
        f"| {result['ack_p50_ms']:.0f} / {result['ack_p99_ms']:.0f} "
        f"({result['later_ack_p99_ms']:.0f}) "
        f"| {result['reply_p50_ms']:.0f} / {result['reply_p99_ms']:.0f} "
        f"| {result['first_reply_p50_ms']:.0f} / {result['first_reply_p99_ms']:.0f} "
        f"| {int(result['completed'])}/{int(result['clients'])} · {int(result['lost'])} · "
        f"{int(result['duplicated'])} · {int(result['workflow_task_timeouts'])} "
        f"| {product_cpu(result):.1f} ({ratio}) |"
    )


HEADER = (
    "| date | scenario | clients | inbound/s (10 s windows min–max) "
    "| ack p50 / p99 (p99 past first messages) ms "
    "| reply p50 / p99 ms | first reply p50 / p99 ms "
    "| completed · lost · duplicated · WFT timeouts "
    "| CPU ms per inbound (× floor) |\n|---|---|---|---|---|---|---|---|---|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), action="append", default=[])
    parser.add_argument("--suite", action="store_true", help="the floor, then every scenario")
    parser.add_argument("--clients", type=int, help="a custom scenario: this many clients")
    parser.add_argument("--think", type=float, default=0.0)
    parser.add_argument("--jitter", type=float, default=0.0)
    parser.add_argument("--ramp", type=float, default=0.0)
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--apis", type=int, default=1, help="API processes (uvicorn workers)")
    parser.add_argument("--floor", action="store_true", help="run bench/floor.py first")
    parser.add_argument("--note", default="", help="a word on what this run measures")
    parser.add_argument("--write", action="store_true", help="append the rows to bench/RESULTS.md")
    args = parser.parse_args()

    chosen = [SCENARIOS[name] for name in args.scenario]
    if args.suite:
        chosen = list(SCENARIOS.values())
    if args.clients:
        chosen.append(Scenario("custom", args.clients, args.think, args.jitter, args.ramp))
    if not chosen:
        chosen = [SCENARIOS["capacity"]]

    floor_cpu = None
    rows = []
    if args.floor or args.suite:
        floor = run_floor()
        floor_cpu = floor["cpu_ms_per_message"]["temporal"] + floor["cpu_ms_per_message"]["worker"]
        print(json.dumps(floor))
        rows.append(
            f"| {datetime.now(UTC):%Y-%m-%d} | floor | 50 | {floor['messages_per_s']:.1f} "
            f"| {floor['ack_p50_ms']:.0f} / {floor['ack_p99_ms']:.0f} "
            f"| {floor['reply_p50_ms']:.0f} / {floor['reply_p99_ms']:.0f} | — | — "
            f"| {floor_cpu:.1f} (1×) |"
        )
    for scenario in chosen:
        result = run_scenario(scenario, workers=args.workers, apis=args.apis)
        print(
            json.dumps({"scenario": scenario.name, **{k: round(v, 2) for k, v in result.items()}})
        )
        label = scenario.name
        if args.workers > 1 or args.apis > 1:
            label += f" ({args.workers} workers, {args.apis} APIs)"
        rows.append(row(label, result, floor_cpu))
    machine = f"{os.cpu_count()} cores, Python {platform.python_version()}"
    table = "\n".join([HEADER, *rows])
    print(table)
    if args.write:
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as out:
            out.write(f"\n{machine}{' — ' + args.note if args.note else ''}\n\n{table}\n")


if __name__ == "__main__":
    main()
