"""The relay against real PostgreSQL and a real Temporal server: what each workflow was handed is
read back from its history (no worker polls these task queues, so nothing else moves)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from temporalio.api.enums.v1 import EventType
from temporalio.service import RPCError, RPCStatusCode

import devstack
from api.contacts import arrive, contact_key, workflow_id
from api.deps import EdgeState
from api.meta_payload import Contact, InboundMessage
from api.relay import Relay
from api.whatsapp_intake import accept
from consultation.messages import Inbound
from models import InboundMessage as StoredMessage
from models import SystemEvent
from stores import inbound_queue
from tests.conftest import eventually, stack_settings
from tests.whatsapp_client import new_phone

pytestmark = pytest.mark.asyncio(loop_scope="session")


def edge_state(database_url, temporal_address, graph, sessions, queue: str) -> EdgeState:
    settings = stack_settings(database_url, temporal_address, graph, TEMPORAL_TASK_QUEUE=queue)
    return EdgeState(settings, sessions.kw["bind"], sessions)


@pytest.fixture
def queue() -> str:
    return f"relay-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def live(database_url, temporal_address, graph, sessions, queue) -> EdgeState:
    return edge_state(database_url, temporal_address, graph, sessions, queue)


async def store(state: EdgeState, phone: str, text_: str, sent_at: int, *, paused=False) -> str:
    message_id = f"wamid.relay.{uuid.uuid4().hex}"
    async with state.sessions.begin() as session:
        await arrive(
            session,
            state.settings.CONTACT_KEY_SECRET,
            Contact(wa_id=phone, user_id=None),
            Inbound(message_id, sent_at, "text", text_),
            paused=paused,
            task_queue=state.settings.TEMPORAL_TASK_QUEUE,
            campaigns_since=datetime.now(UTC),
        )
    return message_id


async def handed(state: EdgeState, phone: str) -> list[tuple[str, str]]:
    """(signal name, message id) of every signal the contact's workflow received, in order."""
    key = contact_key(state.settings.CONTACT_KEY_SECRET, f"wa:{phone}")
    client = await state.temporal()
    signals: list[tuple[str, str]] = []
    history = client.get_workflow_handle(workflow_id(key)).fetch_history_events()
    try:
        events = [event async for event in history]
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return signals  # not started: nothing handed over yet
        raise
    for event in events:
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
            attributes = event.workflow_execution_signaled_event_attributes
            payload = json.loads(attributes.input.payloads[0].data)
            signals.append((attributes.signal_name, payload["message_id"]))
    return signals


async def drain(relay: Relay) -> None:
    while await relay.round():
        pass


async def states(sessions, ids: list[str]) -> list[str]:
    async with sessions() as session:
        rows = {r.message_id: r.state for r in await session.scalars(select(StoredMessage))}
    return [rows[i] for i in ids]


async def test_each_contacts_messages_are_handed_over_once_in_the_order_sent(live, sessions):
    alice, bob = new_phone(), new_phone()
    # Alice's messages are stored newest first (Meta does not keep order).
    third = await store(live, alice, "third", 1_000_030)
    first = await store(live, alice, "first", 1_000_010)
    bobs = await store(live, bob, "hello", 1_000_020)
    second = await store(live, alice, "second", 1_000_020)

    # Two relays (two API replicas) at once: each message still goes over once, in order.
    await asyncio.gather(drain(Relay(live)), drain(Relay(live)))
    assert await handed(live, alice) == [
        ("message", first),
        ("message", second),
        ("message", third),
    ]
    assert await handed(live, bob) == [("message", bobs)]
    assert await states(sessions, [first, second, third, bobs]) == ["signalled"] * 4

    assert await Relay(live).round() == 0
    assert len(await handed(live, alice)) == 3


async def test_a_paused_message_gets_a_pause_notice_and_waits_for_release(live, sessions):
    phone = new_phone()
    paused = await store(live, phone, "are you open?", 1_000_000, paused=True)
    await drain(Relay(live))
    assert await handed(live, phone) == [("hold", paused)]
    assert await states(sessions, [paused]) == ["told"]
    await drain(Relay(live))
    assert await handed(live, phone) == [("hold", paused)], "told, not handed as a message"

    async with sessions.begin() as session:
        assert await inbound_queue.release_paused(session) >= 1
    await drain(Relay(live))
    assert await handed(live, phone) == [("hold", paused), ("message", paused)]
    assert await states(sessions, [paused]) == ["signalled"]


async def test_a_message_that_cannot_be_handed_over_is_refused_and_the_next_goes_on(live, sessions):
    phone = new_phone()
    good = await store(live, phone, "hello again", 1_000_020)
    # A row whose stored payload no longer reads as a message (say, from an older version).
    bad = f"wamid.relay.{uuid.uuid4().hex}"
    async with sessions.begin() as session:
        await session.execute(
            text(
                "INSERT INTO inbound_messages (message_id, contact_key, kind, payload, sent_at,"
                " task_queue) SELECT :id, contact_key, 'text', '{\"old_field\": 1}', 1000010,"
                " task_queue FROM inbound_messages WHERE message_id = :good"
            ),
            {"id": bad, "good": good},
        )
    await drain(Relay(live))
    assert await handed(live, phone) == [("message", good)]
    assert await states(sessions, [bad, good]) == ["refused", "signalled"]
    async with sessions() as session:
        refusal = await session.scalar(
            select(SystemEvent)
            .where(SystemEvent.type == "relay.refused")
            .order_by(SystemEvent.id.desc())
        )
    assert refusal is not None and "unreadable" in refusal.detail["reason"]


async def test_the_relay_waits_out_a_temporal_outage_and_then_catches_up(
    database_url, graph, sessions, live, queue
):
    dead = edge_state(database_url, f"127.0.0.1:{devstack.free_port()}", graph, sessions, queue)
    phone = new_phone()
    ids = [await store(dead, phone, f"message {n}", 1_000_000 + n) for n in range(3)]

    relay = asyncio.create_task(Relay(dead, poll_seconds=0.2).run())

    async def waiting_recorded():
        async with sessions() as session:
            return await session.scalar(
                select(SystemEvent).where(SystemEvent.type == "relay.waiting").limit(1)
            )

    try:
        await eventually(waiting_recorded)
        assert await states(sessions, ids) == ["pending"] * 3
    finally:
        relay.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relay

    # Temporal is reachable again: nobody redelivers, the relay hands everything over itself.
    await drain(Relay(live))
    assert await handed(live, phone) == [("message", i) for i in ids]


async def test_a_stored_message_wakes_the_relay_at_once_not_at_the_next_poll(live, sessions):
    relay = Relay(live, poll_seconds=600)
    running = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(1)  # listening, and its first rounds are done: it now waits
        phone = new_phone()
        message_id = f"wamid.relay.{uuid.uuid4().hex}"
        message = Inbound(message_id, 1_000_000, "text", "wake up")
        item = InboundMessage(Contact(wa_id=phone, user_id=None), message, "")
        assert await accept(live, item) == "received"  # the webhook's intake, in this process
        await eventually(lambda: handed(live, phone), timeout=5)
        assert await states(sessions, [message_id]) == ["signalled"]
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


async def handed_as_message(state: EdgeState, phone: str) -> bool:
    return any(kind == "message" for kind, _ in await handed(state, phone))


async def test_a_message_released_by_another_process_wakes_the_relay_by_notify(live, sessions):
    phone = new_phone()
    paused = await store(live, phone, "still there?", 1_000_000, paused=True)
    await drain(Relay(live))
    relay = Relay(live, poll_seconds=600)
    running = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(1)  # listening, and its first rounds are done: it now waits
        # Not this process's intake (say, the ops CLI): only PostgreSQL can tell the relay.
        async with sessions.begin() as session:
            assert await inbound_queue.release_paused(session) >= 1
        await eventually(lambda: handed_as_message(live, phone), timeout=5)
        assert await handed(live, phone) == [("hold", paused), ("message", paused)]
        assert await states(sessions, [paused]) == ["signalled"]
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


async def read_by_its_workflow(state: EdgeState, phone: str) -> None:
    """What a turn's projection does once the workflow has read what it was handed."""
    key = contact_key(state.settings.CONTACT_KEY_SECRET, f"wa:{phone}")
    async with state.sessions.begin() as session:
        await session.execute(inbound_queue.READ, {"contact_key": key})


async def test_admission_hands_over_only_so_many_unread_and_the_rest_wait_in_arrival_order(
    database_url, temporal_address, graph, sessions, queue
):
    state = edge_state(database_url, temporal_address, graph, sessions, queue)
    state.settings.RELAY_IN_FLIGHT = 2
    phones = [new_phone() for _ in range(4)]
    for n, phone in enumerate(phones):
        await store(state, phone, f"hello {n}", 1_000_000 + n)

    await drain(Relay(state))
    assert [bool(await handed(state, p)) for p in phones] == [True, True, False, False]

    # The first client's message is read: room for one more, the oldest waiting.
    await read_by_its_workflow(state, phones[0])
    await drain(Relay(state))
    assert [bool(await handed(state, p)) for p in phones] == [True, True, True, False]

    # A message never read (say, a redelivery the workflow dropped) stops counting in time.
    async with sessions.begin() as session:
        await session.execute(
            text(
                "UPDATE inbound_messages SET signalled_at = now() - interval '31 seconds'"
                " WHERE task_queue = :queue AND state = 'signalled'"
            ),
            {"queue": queue},
        )
    await drain(Relay(state))
    assert all([bool(await handed(state, p)) for p in phones])


async def test_a_full_relay_hands_the_next_over_once_a_read_lands(
    database_url, temporal_address, graph, sessions, queue
):
    state = edge_state(database_url, temporal_address, graph, sessions, queue)
    state.settings.RELAY_IN_FLIGHT = 1
    first, second = new_phone(), new_phone()
    await store(state, first, "first", 1_000_000)
    await store(state, second, "second", 1_000_001)
    running = asyncio.create_task(Relay(state, poll_seconds=600).run())
    try:
        await eventually(lambda: handed(state, first), timeout=5)
        await asyncio.sleep(0.5)
        assert await handed(state, second) == [], "full: the second waits"
        await read_by_its_workflow(state, first)
        await eventually(lambda: handed(state, second), timeout=5)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
