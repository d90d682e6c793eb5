"""The ops command line, driven through Typer's CliRunner against the suite's real PostgreSQL,
Temporal, API and worker (the `stack`), with the fake Graph API for the smoke test. Each command
runs in a thread (it has its own event loop), so the stack keeps working meanwhile."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from cli import app
from models import Contact, InboundMessage, LeadRecord
from tests.conftest import ACCESS_TOKEN, ADMIN_KEY, Stack, eventually
from tests.whatsapp_client import new_phone, say, sent_to

pytestmark = pytest.mark.asyncio(loop_scope="session")


def env_of(stack: Stack, **extra: str) -> dict[str, str]:
    settings = stack.settings
    return {
        "APP_ENV": "test",
        "DATABASE_URL": settings.DATABASE_URL,
        "TEMPORAL_ADDRESS": settings.TEMPORAL_ADDRESS,
        "TEMPORAL_TASK_QUEUE": settings.TEMPORAL_TASK_QUEUE,
        "ADMIN_API_KEY": ADMIN_KEY,
        **extra,
    }


async def inkflow(stack: Stack, *args: str, **env: str) -> Result:
    runner = CliRunner()
    return await asyncio.to_thread(
        runner.invoke, app, list(args), env=env_of(stack, **env), catch_exceptions=False
    )


async def a_lead(stack: Stack, sessions) -> tuple[str, LeadRecord]:
    phone = new_phone()
    await say(stack, phone, "Hi, I'd like a tattoo")
    await eventually(lambda: sent_to(stack, phone), timeout=20)

    async def lead() -> LeadRecord | None:
        async with sessions() as session:
            key = await session.scalar(select(Contact.key).where(Contact.wa_id == phone))
            return await session.scalar(select(LeadRecord).where(LeadRecord.contact_key == key))

    return phone, await eventually(lead, timeout=20)


async def test_config_check_names_what_production_misses(stack) -> None:
    missing = await inkflow(stack, "config", "check", "--production", ADMIN_API_KEY="")
    assert missing.exit_code == 1
    assert "missing: ADMIN_API_KEY is not set" in missing.output
    assert "missing: PAYLOAD_MASTER_KEYS is not set" in missing.output
    dev = await inkflow(stack, "config", "check")
    assert dev.exit_code == 0 and "ok: nothing missing for test" in dev.output


async def test_lead_list_and_show(stack, sessions) -> None:
    phone, lead = await a_lead(stack, sessions)
    listed = await inkflow(stack, "lead", "list", "--json", "--limit", "200")
    assert listed.exit_code == 0
    assert lead.lead_id in [item["lead_id"] for item in json.loads(listed.output)]
    shown = await inkflow(stack, "lead", "show", lead.lead_id)
    assert shown.exit_code == 0
    detail = json.loads(shown.output)
    assert detail["lead_id"] == lead.lead_id and detail["status"] == lead.status
    assert detail["messages_sent"] and phone not in shown.output
    assert (await inkflow(stack, "lead", "show", "no-such-lead")).exit_code == 1


async def test_replay_a_stored_webhook(stack, sessions) -> None:
    phone, lead = await a_lead(stack, sessions)
    async with sessions() as session:
        message = await session.scalar(
            select(InboundMessage).where(InboundMessage.contact_key == lead.contact_key)
        )
    await eventually(lambda: _state(sessions, message.message_id, "signalled"), timeout=20)
    replies = len(sent_to(stack, phone))
    replayed = await inkflow(stack, "replay-webhook", message.message_id)
    assert replayed.exit_code == 0, replayed.output
    # The relay hands it over again; the run has it already and drops it: no second reply.
    await eventually(lambda: _state(sessions, message.message_id, "signalled"), timeout=20)
    await asyncio.sleep(1)
    assert len(sent_to(stack, phone)) == replies
    assert (await inkflow(stack, "replay-webhook", "wamid.unknown")).exit_code == 1


async def _state(sessions, message_id: str, state: str) -> bool:
    async with sessions() as session:
        row = await session.get(InboundMessage, message_id)
        return row is not None and row.state == state


async def test_export_then_erase_a_contact(stack, sessions, tmp_path) -> None:
    phone, lead = await a_lead(stack, sessions)

    def logged() -> list[list[str]]:
        return [row for row in stack.sheets.rows if row and row[0] == lead.lead_id]

    await eventually(logged, timeout=20)  # the lead log's row in Google Sheets
    out = tmp_path / "export.json"
    exported = await inkflow(stack, "contact", "export", "--phone", phone, "--out", str(out))
    assert exported.exit_code == 0 and phone not in exported.output
    data = json.loads(out.read_text())
    assert data["contact"]["wa_id"] == phone and data["leads"][0]["lead_id"] == lead.lead_id
    erased = await inkflow(stack, "contact", "erase", "--lead-id", lead.lead_id, "--yes")
    assert erased.exit_code == 0, erased.output
    assert json.loads(erased.output)["counts"]["leads"] == 1
    async with sessions() as session:
        assert await session.get(LeadRecord, lead.lead_id) is None
        assert await session.scalar(select(Contact).where(Contact.wa_id == phone)) is None
    # Its sheet row is blanked in place (rows are found by our index, never deleted).
    [row] = logged()
    assert row[1] == "ERASED" and not any(row[2:])
    gone = await inkflow(stack, "contact", "export", "--phone", phone)
    assert gone.exit_code == 1 and "no such contact" in gone.output


async def test_release_paused_messages(stack) -> None:
    released = await inkflow(stack, "release-paused")
    assert released.exit_code == 0 and released.output.startswith("released ")
    refused = await inkflow(stack, "release-paused", PAUSED="true")
    assert refused.exit_code == 1


async def test_send_a_test_message_through_the_cloud_api(stack) -> None:
    phone = new_phone()
    cloud = {
        "WHATSAPP_MODE": "cloud",
        "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": "PNID",
        "WHATSAPP_API_BASE_URL": stack.graph.base_url,
    }
    sent = await inkflow(stack, "send-test", "--to", f"+{phone}", **cloud)
    assert sent.exit_code == 0, sent.output
    assert sent.output.startswith("sent: ")
    assert any("inkflow test message" in str(m) for m in sent_to(stack, phone))
    assert (await inkflow(stack, "send-test", "--to", phone)).exit_code == 1  # sandbox


async def test_metrics_summary_reads_the_api(stack) -> None:
    await stack.http.get("/health")
    summary = await inkflow(stack, "metrics", "--url", f"{stack.base_url}/metrics")
    assert summary.exit_code == 0, summary.output
    assert 'inkflow_http_requests{method="GET",route="/health",status="200"}' in summary.output
