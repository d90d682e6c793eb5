"""The edge's switches and guards through the real API: pilot mode, panic mode, admin auth,
delivery statuses, and a Temporal outage that must lose nothing."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import select

import devstack
from api.app import create_app
from models import Contact, InboundMessage, OutboundMessage
from tests.conftest import Stack, eventually, stack_settings
from tests.fakes.graph_api import inbound_delivery, status_update, text_message
from tests.fakes.loopback import LoopbackServer
from tests.test_e2e_whatsapp import _answered, body_of, new_phone, post, say, sent_to

pytestmark = pytest.mark.asyncio(loop_scope="session")


@asynccontextmanager
async def edge_with(stack: Stack, **overrides):
    """A second API process-alike with other settings, on the same database, Temporal and worker."""
    settings = stack_settings(
        stack.settings.DATABASE_URL, stack.settings.TEMPORAL_ADDRESS, stack.graph, **overrides
    )
    port = devstack.free_port()
    with LoopbackServer(create_app(settings), port):
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            yield Stack(
                settings,
                f"http://127.0.0.1:{port}",
                http,
                stack.client,
                stack.graph,
                stack.stripe,
                stack.sheets,
                stack.calendar,
            )


async def test_pilot_mode_lets_only_allow_listed_numbers_reach_the_bot(stack, sessions):
    allowed, stranger = new_phone(), new_phone()
    async with edge_with(
        stack, PILOT_MODE_ENABLED=True, PILOT_ALLOWLIST_NUMBERS=f"+{allowed}"
    ) as pilot:
        await say(pilot, allowed, "Hi")
        response = await post(pilot, inbound_delivery([text_message(stranger, "Hi")]))
        assert response.json()["ignored"] == 1
        await eventually(lambda: sent_to(stack, allowed))
    assert sent_to(stack, stranger) == []
    async with sessions() as session:
        assert await session.scalar(select(Contact).where(Contact.wa_id == stranger)) is None


async def test_panic_mode_sends_one_holding_reply_and_keeps_every_message(stack, sessions):
    phone = new_phone()
    async with edge_with(stack, PANIC_MODE_ENABLED=True) as panic:
        await say(panic, phone, "Hi")
        await say(panic, phone, "Are you there?")
        await eventually(lambda: sent_to(stack, phone))
    held = sent_to(stack, phone)
    assert len(held) == 1, "the holding reply is not repeated on every message"
    async with sessions() as session:
        contact = await session.scalar(select(Contact).where(Contact.wa_id == phone))
        rows = (
            await session.scalars(
                select(InboundMessage).where(InboundMessage.contact_key == contact.key)
            )
        ).all()
    # Stored but never handed to the conversation: a later release loses nothing.
    assert sorted(r.payload["text"] for r in rows) == ["Are you there?", "Hi"]
    assert all(r.signalled_at is None for r in rows)

    # Panic over: the operator releases what was held, and the conversation picks it up.
    headers = {"X-Admin-API-Key": "test-admin-key"}
    released = await stack.http.post("/admin/held/release", headers=headers)
    assert released.status_code == 200 and released.json()["released"] >= 2
    await eventually(lambda: len(sent_to(stack, phone)) >= 3)
    lead = await eventually(lambda: _answered(stack, sessions, phone, "idea"))
    assert lead.answers["idea"] == "Are you there?"


async def test_admin_routes_need_the_key(stack):
    assert (await stack.http.get("/admin/leads")).status_code == 401
    wrong = await stack.http.get("/admin/leads", headers={"X-Admin-API-Key": "nope"})
    assert wrong.status_code == 401
    ok = await stack.http.get(
        "/admin/events?limit=5", headers={"X-Admin-API-Key": "test-admin-key"}
    )
    assert ok.status_code == 200 and len(ok.json()["events"]) <= 5


async def test_health_and_readiness(stack):
    health = (await stack.http.get("/health")).json()
    assert health["signature_required"] is True
    assert health["templates"]["deposit_link"]["approved"] is True
    ready = (await stack.http.get("/ready")).json()
    assert ready == {"ready": True, "database": "ok", "temporal": "ok"}


async def test_delivery_statuses_only_move_forward(stack, sessions):
    phone = new_phone()
    await say(stack, phone, "Hi")

    async def logged():
        async with sessions() as session:
            contact = await session.scalar(select(Contact).where(Contact.wa_id == phone))
            return await session.scalar(
                select(OutboundMessage).where(OutboundMessage.contact_key == contact.key)
            )

    row = await eventually(logged)
    wamid = row.provider_message_id
    # "read" can arrive before "delivered"; the late "delivered" must not downgrade it.
    for status in ("read", "delivered"):
        delivery = inbound_delivery([], statuses=[status_update(wamid, status, recipient_id=phone)])
        assert (await post(stack, delivery)).status_code == 200
    async with sessions() as session:
        assert (await session.get(OutboundMessage, row.id)).delivery == "read"


async def test_temporal_outage_keeps_the_message_for_metas_retry(stack, sessions):
    phone = new_phone()
    async with edge_with(stack, TEMPORAL_ADDRESS=f"127.0.0.1:{devstack.free_port()}") as broken:
        delivery = inbound_delivery([text_message(phone, "Hi")])
        response = await post(broken, delivery)
        assert response.status_code == 503
    # Meta redelivers the same payload once we are healthy again: it is signalled then.
    again = await post(stack, delivery)
    assert again.status_code == 200 and again.json()["received"] == 1
    await eventually(lambda: sent_to(stack, phone))
    assert "tattoo" in body_of(sent_to(stack, phone)[0]).lower()
    assert json.dumps(again.json()).count(phone) == 0
