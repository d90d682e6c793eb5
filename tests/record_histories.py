"""Record LeadWorkflow histories for the replay test: `.venv/bin/python -m tests.record_histories`.

Run it after a deliberate, patched change to the workflow to add histories of the new shape;
never re-record to make a failing replay pass — that failure means running leads would break.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import httpx
from temporalio.testing import WorkflowEnvironment

import devstack
from consultation.messages import Inbound
from models.base import make_engine, make_sessions
from tests.test_lead_timers import sandbox_settings, start_lead
from worker import build_worker
from workflows.lead import LeadWorkflow

HISTORIES = Path(__file__).parent / "data" / "histories"
CONSULTATION = [
    "Hi",
    "A fine line swallow",
    "Inner forearm",
    "10x12cm",
    "Fine line",
    "2",
    "No",
    "no",
    "£900",
    "Berlin, Germany",
    "none",
    "same",
    "Flexible",
    "confirm",
]
SCENARIOS = {
    "consultation_to_pending_approval": CONSULTATION,
    "silent_client_abandoned": ["Hi", "A koi"],
    "stop_opt_out": ["Hi", "STOP"],
    "handover_on_human_request": ["Hi", "A rose", "human", "hello?"],
}


async def record() -> None:
    HISTORIES.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="inkflow-record-"))
    scratch.chmod(0o755)
    try:
        with devstack.postgres(scratch / "pg") as url:
            devstack.migrate(url)
            engine = make_engine(url)
            sessions = make_sessions(engine)
            env = await devstack.time_skipping_server()
            settings = sandbox_settings(url, "record")
            async with (
                env,
                httpx.AsyncClient() as http,
                build_worker(env.client, settings, sessions, http),
            ):
                for name, texts in SCENARIOS.items():
                    await run_scenario(env, sessions, name, texts)
            await engine.dispose()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


async def run_scenario(env: WorkflowEnvironment, sessions, name: str, texts: list[str]) -> None:
    _, handle = await start_lead(env, sessions, queue="record", text=texts[0], message_id="m-0")
    for number, text in enumerate(texts[1:], start=1):
        await env.sleep(timedelta(minutes=1))
        await handle.signal(LeadWorkflow.message, Inbound(f"m-{number}", number, text=text))
    await env.sleep(timedelta(days=3))  # let every timer of this scenario fire
    await env.sleep(timedelta(seconds=1))
    history = await handle.fetch_history()
    (HISTORIES / f"{name}.json").write_text(history.to_json(), encoding="utf-8")
    print(f"recorded {name}: {len(history.events)} events")


if __name__ == "__main__":
    asyncio.run(record())
