"""`make run`: the whole product on one machine, with no credentials.

Starts an embedded PostgreSQL (unless DATABASE_URL is set) and the Temporal dev server with its
UI (unless TEMPORAL_ADDRESS is set), applies migrations, then runs the worker and the API until
Ctrl-C. Data lives under .var/ and is reused by the next run.
"""

from __future__ import annotations

import signal
import sys

# Ctrl-C while the modules below load (a second or two): leave quietly, nothing has started.
signal.signal(signal.SIGINT, lambda *_: sys.exit(130))

import os  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from contextlib import ExitStack  # noqa: E402
from pathlib import Path  # noqa: E402

import devstack  # noqa: E402

ROOT = Path(__file__).resolve().parent
DATA = Path(os.environ.get("DATA_DIR", ROOT / ".var"))
API_PORT = int(os.environ.get("PORT", "8000"))
STOP_SECONDS = float(os.environ.get("WORKER_SHUTDOWN_SECONDS", "25")) + 10


def main() -> None:
    # Ctrl-C even when started from a script (which may inherit SIGINT ignored), and SIGTERM
    # the same way, so every child is stopped in order.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    env: dict[str, str] = {}
    with ExitStack() as stack:
        if not os.environ.get("DATABASE_URL"):
            env["DATABASE_URL"] = stack.enter_context(devstack.postgres(DATA / "postgres"))
        if not os.environ.get("TEMPORAL_ADDRESS"):
            address = stack.enter_context(
                devstack.temporal_dev_server(
                    DATA / "temporal.db", 7233, 8233, DATA / "temporal.log"
                )
            )
            env["TEMPORAL_ADDRESS"] = address
        # The demo page needs DEMO_MODE; the API refuses it unless WhatsApp and Stripe are
        # sandboxes without credentials, which is what this runs unless told otherwise.
        env["DEMO_MODE"] = os.environ.get("DEMO_MODE") or "true"
        env["LOG_FORMAT"] = os.environ.get("LOG_FORMAT") or "plain"  # read by a person here
        env.setdefault("ADMIN_API_KEY", os.environ.get("ADMIN_API_KEY") or "dev-admin-key")
        env.setdefault(
            "ARTIST_WHATSAPP_NUMBER", os.environ.get("ARTIST_WHATSAPP_NUMBER") or "447700900000"
        )
        child_env = devstack.env_with(**env)
        devstack.migrate(child_env["DATABASE_URL"])

        python = sys.executable
        # Each child in its own process group: Ctrl-C reaches this supervisor alone, which
        # stops each child with exactly one SIGTERM. (Given the terminal's SIGINT and then
        # ours, uvicorn force-quits mid-shutdown and re-raises SIGINT: a traceback.)
        children = [
            subprocess.Popen([python, "worker.py"], cwd=ROOT, env=child_env, process_group=0),
            subprocess.Popen(
                [
                    python,
                    "-m",
                    "uvicorn",
                    "--factory",
                    "api.app:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(API_PORT),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=child_env,
                process_group=0,
            ),
        ]
        stack.callback(stop_all, children)
        try:
            devstack.wait_for_port(API_PORT)
            ui = os.environ.get("TEMPORAL_UI_URL", "http://localhost:8233")
            print(
                f"\n  Demo chat   http://localhost:{API_PORT}/demo\n"
                f"  Admin API   http://localhost:{API_PORT}/admin/leads"
                f"  (X-Admin-API-Key: {child_env['ADMIN_API_KEY']})\n"
                f"  Temporal UI {ui}\n  Data        {DATA}\n\n  Ctrl-C stops everything.\n",
                flush=True,
            )
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            print("a process exited; stopping", file=sys.stderr)
        except KeyboardInterrupt:
            print("\nstopping…", flush=True)


def stop_all(children: list[subprocess.Popen]) -> None:
    # A second Ctrl-C must not abandon half-stopped children: finish stopping them first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            # Longer than the worker's WORKER_SHUTDOWN_SECONDS for running activities.
            child.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        # Ctrl-C while the stack was still starting: the ExitStack has already stopped what
        # had started; a traceback would only say that Ctrl-C was pressed.
        print("\nstopped", flush=True)
        sys.exit(130)
