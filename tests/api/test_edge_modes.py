"""The edge's switches and guards through the real API: pilot mode, paused, admin auth,
delivery statuses, messages that cannot be stored as sent, and a Temporal outage that must lose
nothing."""

from __future__ import annotations

import asyncio
import json
import uuid
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import func, select

import devstack
from api.app import create_app
from models import Contact, InboundMessage, OutboundMessage, SystemEvent
from tests.conftest import Stack, eventually, stack_settings
from tests.fakes.graph_api import inbound_delivery, status_update, text_message
from tests.fakes.loopback import LoopbackServer
from tests.fakes.tcp_proxy import CuttableProxy
from tests.whatsapp_client import answered, body_of, clock, new_phone, post, say, sent_to
from worker import build_worker, http_clients

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


async def test_paused_sends_one_status_reply_and_keeps_every_message(stack, sessions):
    phone = new_phone()
    async with edge_with(stack, PAUSED=True) as paused:
        await say(paused, phone, "Hi")
        await say(paused, phone, "Are you there?")
        await eventually(lambda: sent_to(stack, phone))
    async with sessions() as session:
        contact = await session.scalar(select(Contact).where(Contact.wa_id == phone))

    async def stored() -> list[InboundMessage]:
        async with sessions() as session:
            query = select(InboundMessage).where(InboundMessage.contact_key == contact.key)
            rows = (await session.scalars(query)).all()
        # Both told to the workflow (a pause notice each), neither handed to the conversation.
        return list(rows) if [r.state for r in rows] == ["told", "told"] else []

    rows = await eventually(stored)
    assert len(sent_to(stack, phone)) == 1, "the status reply is not repeated on every message"
    # Stored but never handed to the conversation: a later release loses nothing.
    assert sorted(r.payload["text"] for r in rows) == ["Are you there?", "Hi"]
    assert all(r.signalled_at is None for r in rows)

    # Unpaused: the operator releases what was kept, and the conversation picks it up.
    headers = {"X-Admin-API-Key": "test-admin-key"}
    released = await stack.http.post("/admin/paused/release", headers=headers)
    assert released.status_code == 200 and released.json()["released"] >= 2
    await eventually(lambda: len(sent_to(stack, phone)) >= 3)
    lead = await eventually(lambda: answered(stack, sessions, phone, "idea"))
    assert lead.answers["idea"] == "Are you there?"


async def test_admin_routes_need_the_key(stack, sessions):
    assert (await stack.http.get("/admin/leads")).status_code == 401
    wrong = await stack.http.get("/admin/leads", headers={"X-Admin-API-Key": "nope"})
    assert wrong.status_code == 401
    kind = f"test.admin_events.{uuid.uuid4().hex[:8]}"  # this test's events only
    async with sessions.begin() as session:
        session.add_all(SystemEvent(level="INFO", type=kind, detail={"n": n}) for n in range(6))
    ok = await stack.http.get(
        f"/admin/events?limit=5&type={kind}", headers={"X-Admin-API-Key": "test-admin-key"}
    )
    assert ok.status_code == 200
    assert [event["detail"]["n"] for event in ok.json()["events"]] == [5, 4, 3, 2, 1]


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
            # Recorded SENDING before Graph is called: wait for Meta's id, not just the row.
            return await session.scalar(
                select(OutboundMessage).where(
                    OutboundMessage.contact_key == contact.key,
                    OutboundMessage.provider_message_id.is_not(None),
                )
            )

    row = await eventually(logged)
    wamid = row.provider_message_id
    # "read" can arrive before "delivered"; the late "delivered" must not downgrade it.
    for status in ("read", "delivered"):
        delivery = inbound_delivery([], statuses=[status_update(wamid, status, recipient_id=phone)])
        assert (await post(stack, delivery)).status_code == 200
    async with sessions() as session:
        assert (await session.get(OutboundMessage, row.id)).delivery == "read"


async def events_of(sessions, type_: str, since: int) -> list[SystemEvent]:
    async with sessions() as session:
        query = select(SystemEvent).where(SystemEvent.type == type_, SystemEvent.id > since)
        return list((await session.scalars(query.order_by(SystemEvent.id))).all())


async def last_event_id(sessions) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.coalesce(func.max(SystemEvent.id), 0)))


async def test_a_poisoned_delivery_refuses_only_what_can_never_be_stored(stack, sessions):
    nul, long_from, long_id, good, other = (new_phone() for _ in range(5))
    t = next(clock)
    for _ in range(3):
        next(clock)
    since = await last_event_id(sessions)
    # The bad messages come first: they used to fail the delivery before the good ones.
    delivery = inbound_delivery(
        [
            text_message(nul, "Hi\x00 from a NUL", timestamp=t),
            text_message(long_from + "9" * 30, "Hi from a long number", timestamp=t),
            text_message(
                long_id, "Hi from a long id", message_id="wamid." + "x" * 300, timestamp=t
            ),
            text_message(good, "Hi, a poisoned delivery's good one", timestamp=t + 1),
            text_message(other, "Hello, the other good one", timestamp=t + 2),
        ]
    )
    response = await post(stack, delivery)
    assert response.status_code == 200
    assert response.json() == {"received": 3, "duplicates": 0, "ignored": 0, "refused": 2}
    for phone in (good, other, nul):
        await eventually(lambda p=phone: sent_to(stack, p))
    async with sessions() as session:
        contact = await session.scalar(select(Contact).where(Contact.wa_id == nul))
        row = await session.scalar(
            select(InboundMessage).where(InboundMessage.contact_key == contact.key)
        )
    assert row.payload["text"] == "Hi from a NUL"  # cleaned, not refused

    refused = await events_of(sessions, "whatsapp.message_refused", since)
    assert sorted(e.detail["reason"] for e in refused) == [
        "message id longer than 256 characters",
        "sender wa_id longer than 32 characters",
    ]
    recorded = json.dumps([e.detail for e in refused])
    assert long_from not in recorded and "Hi from" not in recorded, "no content in events"
    assert sent_to(stack, long_id) == [] and sent_to(stack, long_from + "9" * 30) == []
    # Meta's retry of the same delivery finds the good ones stored and the bad ones refused.
    again = await post(stack, delivery)
    assert again.json() == {"received": 0, "duplicates": 3, "ignored": 0, "refused": 2}


async def test_a_status_that_can_never_be_stored_does_not_poison_the_delivery(stack, sessions):
    phone = new_phone()
    since = await last_event_id(sessions)
    delivery = inbound_delivery(
        [text_message(phone, "Hi, after two unstorable statuses")],
        statuses=[
            status_update("wamid.nul\x00", "delivered", recipient_id=phone),
            status_update("wamid." + "x" * 5000, "read", recipient_id=phone),
        ],
    )
    response = await post(stack, delivery)
    assert response.status_code == 200 and response.json()["received"] == 1
    await eventually(lambda: sent_to(stack, phone))
    refused = await events_of(sessions, "whatsapp.status_refused", since)
    assert len(refused) >= 1
    assert "wamid" not in json.dumps([e.detail for e in refused])


async def test_a_five_megabyte_text_is_cut_to_whatsapps_limit_and_answered(stack, sessions):
    phone = new_phone()
    since = await last_event_id(sessions)
    huge = "A dragon climbing my spine " + "z" * 5_000_000
    response = await post(stack, inbound_delivery([text_message(phone, huge)]))
    assert response.status_code == 200 and response.json()["received"] == 1
    await eventually(lambda: sent_to(stack, phone))
    async with sessions() as session:
        contact = await session.scalar(select(Contact).where(Contact.wa_id == phone))
        row = await session.scalar(
            select(InboundMessage).where(InboundMessage.contact_key == contact.key)
        )
    assert row.payload["text"] == huge[:4096]
    trimmed = await events_of(sessions, "whatsapp.message_trimmed", since)
    assert [e.detail["cut"] for e in trimmed] == [{"text": len(huge)}]


async def test_a_temporal_outage_loses_nothing_without_metas_redelivery(stack, sessions):
    """Temporal goes away for the API (the worker keeps its own connection): messages are
    stored and answered 200, and once Temporal is back each is answered once, in order."""
    proxy = CuttableProxy(stack.settings.TEMPORAL_ADDRESS)
    await proxy.start()
    queue = "leads-outage"
    settings = stack_settings(
        stack.settings.DATABASE_URL, stack.settings.TEMPORAL_ADDRESS, stack.graph,
        TEMPORAL_TASK_QUEUE=queue,
    )  # fmt: skip
    phone = new_phone()
    since = await last_event_id(sessions)
    async with (
        http_clients() as outbound_http,
        build_worker(stack.client, settings, sessions, outbound_http),
        edge_with(stack, TEMPORAL_ADDRESS=proxy.address, TEMPORAL_TASK_QUEUE=queue) as edge,
    ):
        await say(edge, phone, "Hi, about a tattoo during an outage")
        await eventually(lambda: sent_to(stack, phone))
        await proxy.cut()
        answers = ["A heron in flight during the outage", "Left shoulder blade", "9x14cm"]
        for answer in answers:
            await say(edge, phone, answer)  # 200 each: stored, nothing relies on a retry
        # Long enough for the relay to give up on its call and wait (its own retries are over).
        await eventually(lambda: events_of(sessions, "relay.waiting", since), timeout=40)
        assert len(sent_to(stack, phone)) == 1, "Temporal is unreachable: nothing moved yet"

        await proxy.start()
        lead = await eventually(lambda: answered(stack, sessions, phone, "dimensions"), timeout=30)
        assert [lead.answers[k] for k in ("idea", "placement", "dimensions")] == answers
        await eventually(lambda: len(sent_to(stack, phone)) >= 4)
        assert await events_of(sessions, "relay.resumed", since)
        await asyncio.sleep(1)
        assert len(sent_to(stack, phone)) == 4, "each message answered once"
    await proxy.cut()


async def test_releasing_kept_messages_skips_one_that_cannot_be_handed_over(stack, sessions):
    phone = new_phone()
    async with edge_with(stack, PAUSED=True) as paused:
        await say(paused, phone, "Hi, kept while paused")
        await eventually(lambda: sent_to(stack, phone))
    async with sessions.begin() as session:
        contact = await session.scalar(select(Contact).where(Contact.wa_id == phone))
        # Held too, and unreadable as a message (stored by an older version, say).
        session.add(
            InboundMessage(
                message_id=f"wamid.unreadable.{phone}", contact_key=contact.key, kind="text",
                payload={"old_field": 1}, state="told", sent_at=0, task_queue="leads-e2e",
            )
        )  # fmt: skip
    headers = {"X-Admin-API-Key": "test-admin-key"}
    for _ in range(2):
        released = await stack.http.post("/admin/paused/release", headers=headers)
        assert released.status_code == 200
    # The status reply, then the conversation's own answer to the released message.
    await eventually(lambda: len(sent_to(stack, phone)) >= 2)
    assert "tattoo" in body_of(sent_to(stack, phone)[1]).lower()
    async with sessions() as session:
        bad = await session.get(InboundMessage, f"wamid.unreadable.{phone}")
    assert bad.state == "refused"
