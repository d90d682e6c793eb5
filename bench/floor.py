"""The floor under the load benchmark: what Temporal alone costs per message, in our shape.

Every WhatsApp message becomes one signal-with-start, one workflow task and a reply sent by a local
activity, and the client waits for that reply before it sends the next message (bench/load.py).
This drives exactly that shape with nothing else in it: no conversation, no database, no HTTP. The
reply activity only sends a UDP datagram back to this process. The CPU the dev server and an SDK
worker spend per message here is a lower bound for the product, which does all of this plus its
work.

    .venv/bin/python bench/floor.py                                  # the bare shape
    .venv/bin/python bench/floor.py --feature timer --feature attributes --feature local
                                     # plus the lead's reminder timer, search attributes, projection
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import psutil
import uvloop
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import devstack  # noqa: E402
from worker import WORKFLOW_RUNNER  # noqa: E402
from workflows.visibility import LEAD_STEP  # noqa: E402

QUEUE = "floor"


@activity.defn
async def reply(port: int, text: str) -> None:
    """The bot's reply: one datagram to the driver, which is waiting for it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as out:
        out.sendto(text.encode(), ("127.0.0.1", port))


@activity.defn
async def project(text: str) -> int:
    """Stands in for the read-model projection: a second local activity beside the reply."""
    return len(text)


@workflow.defn
class Echo:
    def __init__(self) -> None:
        self.inbox: list[str] = []

    @workflow.signal
    def message(self, text: str) -> None:
        self.inbox.append(text)

    @workflow.run
    async def run(self, expected: int, port: int, features: list[str]) -> int:
        timeout = timedelta(hours=12) if "timer" in features else None
        for handled in range(1, expected + 1):
            await workflow.wait_condition(lambda: bool(self.inbox), timeout=timeout)
            text = self.inbox.pop(0)
            if "attributes" in features:
                workflow.upsert_search_attributes([LEAD_STEP.value_set(handled)])
            timeout_each = timedelta(seconds=10)
            await asyncio.gather(
                workflow.execute_local_activity(
                    reply, args=[port, text], start_to_close_timeout=timeout_each
                ),
                *(
                    workflow.execute_local_activity(
                        project, text, start_to_close_timeout=timeout_each
                    )
                    for _ in range(features.count("local"))
                ),
            )
        return expected


async def work(address: str) -> None:
    # By module name, not __main__: the sandbox re-imports a workflow's module to validate it.
    from bench.floor import Echo, project, reply

    client = await Client.connect(address)
    async with Worker(
        client,
        task_queue=QUEUE,
        workflows=[Echo],
        activities=[reply, project],
        workflow_runner=WORKFLOW_RUNNER,
    ):
        await asyncio.Event().wait()


class Replies(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[None]] = {}

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        future = self.waiting.pop(data.decode(), None)
        if future and not future.done():
            future.set_result(None)


async def drive(
    address: str, clients: int, messages: int, features: list[str]
) -> tuple[list[float], list[float]]:
    client = await Client.connect(address)
    loop = asyncio.get_running_loop()
    replies = Replies()
    transport, _ = await loop.create_datagram_endpoint(lambda: replies, ("127.0.0.1", 0))
    port = transport.get_extra_info("sockname")[1]
    acks: list[float] = []
    waits: list[float] = []

    async def one(number: int) -> None:
        for index in range(messages):
            text = f"{number}:{index}"
            answered = replies.waiting[text] = loop.create_future()
            started = time.perf_counter()
            await client.start_workflow(
                Echo.run,
                args=[messages, port, features],
                id=f"floor-{number}",
                task_queue=QUEUE,
                start_signal="message",
                start_signal_args=[text],
            )
            acks.append(time.perf_counter() - started)  # what the webhook's answer waits for
            await asyncio.wait_for(answered, timeout=60)
            waits.append(time.perf_counter() - started)

    await asyncio.gather(*(one(n) for n in range(clients)))
    transport.close()
    return acks, waits


def cpu(process: psutil.Process) -> float:
    return float(sum(process.cpu_times()[:2]))  # this process only: user + system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--messages", type=int, default=14)
    parser.add_argument(
        "--feature",
        action="append",
        default=[],
        choices=["timer", "attributes", "local"],
        help="per message, as the lead workflow does: restart a 12 h reminder timer, upsert a "
        "search attribute, run one more local activity beside the reply (repeatable)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # internal: run the worker only
    args = parser.parse_args()
    if args.worker:
        uvloop.run(work(args.worker))  # as the product's worker runs
        return

    with ExitStack() as stack:
        address = stack.enter_context(
            devstack.temporal_dev_server(None, devstack.free_port(), None)
        )
        worker = subprocess.Popen([sys.executable, __file__, "--worker", address])
        stack.callback(worker.terminate)
        parts = {
            "temporal": next(p for p in psutil.Process().children() if p.pid != worker.pid),
            "worker": psutil.Process(worker.pid),
            "driver": psutil.Process(),
        }
        time.sleep(2)  # the worker connects and polls
        before = {name: cpu(process) for name, process in parts.items()}
        started = time.perf_counter()
        # As the product's API runs (uvicorn picks uvloop when it is installed).
        acks, waits = uvloop.run(drive(address, args.clients, args.messages, args.feature))
        seconds = time.perf_counter() - started
        after = {name: cpu(process) for name, process in parts.items()}

    acks.sort()
    waits.sort()
    print(
        json.dumps(
            {
                "features": args.feature,
                "messages": len(waits),
                "messages_per_s": round(len(waits) / seconds, 1),
                "ack_p50_ms": round(acks[len(acks) // 2] * 1000, 1),
                "ack_p99_ms": round(acks[int(len(acks) * 0.99)] * 1000, 1),
                "reply_p50_ms": round(waits[len(waits) // 2] * 1000, 1),
                "reply_p99_ms": round(waits[int(len(waits) * 0.99)] * 1000, 1),
                "cpu_ms_per_message": {
                    name: round((after[name] - before[name]) / len(waits) * 1000, 1)
                    for name in parts
                },
            }
        )
    )


if __name__ == "__main__":
    main()
