"""Record LeadWorkflow histories for the replay test:
`.venv/bin/python -m tests.workflows.record_histories`.

Run it after a deliberate, patched change to the workflow to add histories of the new shape;
never re-record to make a failing replay pass — that failure means running leads would break.
Name the new shape in SHAPE first (the patch id): files are `<scenario>.<SHAPE>.json`, so the
histories of older shapes stay beside them and keep being replayed until their patch is removed
(README, "Changing workflows"). Files named `<scenario>.json` are of the shape before any patch.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

import devstack
from consultation.lead import Lead, Payment
from consultation.messages import Inbound
from models.base import make_engine, make_sessions
from tests.workflows.runs import sandbox_settings, start_lead
from worker import build_worker, http_clients
from workflows.contracts import ActionRequest
from workflows.lead import LeadWorkflow

HISTORIES = Path(__file__).parent.parent / "data" / "histories"
SHAPE = ""  # the workflow's latest patch id; "" while there is none
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
                http_clients() as http,
                build_worker(env.client, settings, sessions, http),
            ):
                for name, texts in SCENARIOS.items():
                    await run_scenario(env, sessions, name, texts)
                await run_booking(env, sessions)
                await run_moved_and_cancelled(env, sessions)
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
    await _save(handle, name)


async def run_booking(env: WorkflowEnvironment, sessions) -> None:
    """Approved, a time picked and held, the hold lapsing, picked again, paid, booked, reminded
    before the appointment and over: every booking activity and timer in one history."""
    handle = await _approved(env, sessions)
    await handle.signal(LeadWorkflow.message, Inbound("m-pick-1", 100, text="8"))
    await _until(handle, lambda lead: lead.deposit is not None and lead.deposit.url is not None)
    await env.sleep(timedelta(minutes=61))  # the hold lapses: fresh times
    await _until(handle, lambda lead: lead.booking.hold is None and bool(lead.booking.offered))
    await _pick_and_pay(handle, "m-pick-2")
    await env.sleep(timedelta(days=30))  # reminders, then the appointment passes
    await handle.result()
    await _save(handle, "booked_with_a_lapsed_hold")


async def run_moved_and_cancelled(env: WorkflowEnvironment, sessions) -> None:
    """Booked, moved by the artist to another time, then cancelled."""
    handle = await _approved(env, sessions)
    await _pick_and_pay(handle, "m-pick-1")
    await handle.execute_update(LeadWorkflow.act, ActionRequest("offer_times"))
    await _until(handle, lambda lead: bool(lead.booking.offered))
    await handle.signal(LeadWorkflow.message, Inbound("m-pick-2", 200, text="1"))
    await _until(handle, lambda lead: lead.status == "BOOKED" and not lead.booking.cancel)
    await handle.execute_update(LeadWorkflow.act, ActionRequest("cancel_booking"))
    assert await handle.result() == "CANCELLED"
    await _save(handle, "booking_moved_then_cancelled")


async def _approved(env: WorkflowEnvironment, sessions) -> WorkflowHandle:
    """The consultation done and approved: times on offer."""
    _, handle = await start_lead(env, sessions, queue="record", text="Hi", message_id="m-0")
    for number, text in enumerate(CONSULTATION[1:], start=1):
        await handle.signal(LeadWorkflow.message, Inbound(f"m-{number}", number, text=text))
    await _until(handle, lambda lead: lead.status == "PENDING_APPROVAL")
    await handle.execute_update(LeadWorkflow.act, ActionRequest("approve"))
    await _until(handle, lambda lead: bool(lead.booking.offered))
    return handle


async def _pick_and_pay(handle: WorkflowHandle, message_id: str) -> None:
    """The client picks the latest time on offer and pays for it: booked."""
    await handle.signal(LeadWorkflow.message, Inbound(message_id, 100, text="8"))
    lead = await _until(handle, lambda lead: lead.deposit.url is not None)
    assert lead.deposit is not None
    paid = Payment(f"evt-{message_id}", "paid", lead.deposit.session_id, "pi_record", 15_000)
    await handle.signal(LeadWorkflow.payment, paid)
    await _until(handle, lambda lead: lead.status == "BOOKED")


async def _save(handle: WorkflowHandle, name: str) -> None:
    history = await handle.fetch_history()
    stem = f"{name}.{SHAPE}" if SHAPE else name
    (HISTORIES / f"{stem}.json").write_text(history.to_json(), encoding="utf-8")
    print(f"recorded {name}: {len(history.events)} events")


async def _until(handle, check) -> Lead:  # type: ignore[no-untyped-def]
    for _ in range(400):
        lead = await handle.query(LeadWorkflow.state)
        if check(lead):
            return lead
        await asyncio.sleep(0.05)
    raise AssertionError("the lead never got there")


if __name__ == "__main__":
    asyncio.run(record())
