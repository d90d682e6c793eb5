"""Client data sealed in Temporal, end to end: a conversation through the real webhook, API and
worker with PAYLOAD_MASTER_KEYS set; its history read back from the Temporal server holds only
sealed payloads, which the codec endpoint opens for ops; after erasure the same payloads can no
longer be opened, the contact's rows are gone and its run has ended."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
from google.protobuf.message import Message
from sqlalchemy import func, select
from temporalio.api.common.v1 import Payload
from temporalio.client import Client, WorkflowExecutionStatus

import devstack
from api.app import create_app
from models import Contact, InboundMessage, LeadRecord, PayloadKey, SystemEvent
from sealing import SEALED, MasterKeys
from temporal_connection import connect, keyring
from tests.conftest import ADMIN_KEY, APP_SECRET, eventually, stack_settings
from tests.fakes.graph_api import FakeGraphApi, inbound_delivery, sign, text_message
from tests.fakes.loopback import LoopbackServer
from tests.whatsapp_client import clock, new_phone
from worker import build_worker, http_clients

pytestmark = pytest.mark.asyncio(loop_scope="session")

ADMIN = {"X-Admin-API-Key": ADMIN_KEY}
SECRET_WORDS = "koi carp swimming up my left forearm"


@dataclass
class Sealed:
    http: httpx.AsyncClient
    graph: FakeGraphApi
    address: str


@pytest.fixture(scope="module")
async def sealed(
    database_url: str, temporal_address: str, graph: FakeGraphApi, sessions
) -> AsyncIterator[Sealed]:
    port = devstack.free_port()
    settings = stack_settings(
        database_url,
        temporal_address,
        graph,
        TEMPORAL_TASK_QUEUE="leads-sealed",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        PAYLOAD_MASTER_KEYS=f"k2:{MasterKeys.new_key()},k1:{MasterKeys.new_key()}",
    )
    keys = keyring(settings, sessions)
    client = await connect(settings, keys=keys)
    async with (
        http_clients() as outbound,
        build_worker(client, settings, sessions, outbound, keys=keys),
    ):
        with LoopbackServer(create_app(settings), port):
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
                yield Sealed(http, graph, temporal_address)


def payloads_in(message: Message, path: str = "") -> Iterator[tuple[str, Payload]]:
    """Every Payload inside a history event, with the field path that holds it."""
    if isinstance(message, Payload):
        yield path, message
        return
    for descriptor, value in message.ListFields():
        name = f"{path}.{descriptor.name}"
        if descriptor.message_type is None:
            continue
        if descriptor.message_type.GetOptions().map_entry:
            for key, item in value.items():
                if isinstance(item, Message):
                    yield from payloads_in(item, f"{name}[{key}]")
        elif not isinstance(value, Message):  # a repeated field
            for item in value:
                yield from payloads_in(item, name)
        else:
            yield from payloads_in(value, name)


async def client_writes(sealed: Sealed, phone: str, text: str) -> None:
    raw = json.dumps(inbound_delivery([text_message(phone, text, timestamp=next(clock))])).encode()
    answer = await sealed.http.post(
        "/webhooks/whatsapp", content=raw, headers={"X-Hub-Signature-256": sign(raw, APP_SECRET)}
    )
    assert answer.status_code == 200 and answer.json()["received"] == 1


async def decode(sealed: Sealed, payloads: list[Payload]) -> list[dict]:
    body = {
        "payloads": [
            {
                "metadata": {k: base64.b64encode(v).decode() for k, v in p.metadata.items()},
                "data": base64.b64encode(p.data).decode(),
            }
            for p in payloads
        ]
    }
    answer = await sealed.http.post("/codec/decode", json=body, headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return answer.json()["payloads"]


async def test_histories_are_sealed_readable_through_the_codec_and_unreadable_once_erased(
    sealed: Sealed, sessions
) -> None:
    phone = new_phone()
    await client_writes(sealed, phone, "Hi, I'd like a tattoo")

    def replied() -> bool:
        return any(m.get("to") == phone for m in sealed.graph.sent)

    await eventually(replied, timeout=20)
    await client_writes(sealed, phone, SECRET_WORDS)
    async with sessions() as session:
        lead = await eventually(lambda: _lead_with_idea(sessions, phone), timeout=20, interval=0.2)
        assert await session.scalar(select(func.count()).select_from(PayloadKey)) >= 1

    # Read back from the server with a client that has no codec: what Temporal stores.
    plain = await Client.connect(sealed.address)
    history = await plain.get_workflow_handle(lead.workflow_id).fetch_history()
    found = [(path, p) for event in history.events for path, p in payloads_in(event)]
    # Search attributes are plain by design (filters in the UI; no client text in them), and a
    # local activity's marker `data` is the SDK's own bookkeeping (sequence, attempt, times).
    bookkeeping = ("search_attributes", "header", "marker_recorded_event_attributes.details[data]")
    data_payloads = [p for path, p in found if not any(part in path for part in bookkeeping)]
    assert data_payloads, "the history carries payloads"
    assert all(p.metadata["encoding"] == SEALED for p in data_payloads)
    assert all(SECRET_WORDS.encode() not in p.data for p in data_payloads)
    assert all(phone.encode() not in p.data for _, p in found)

    # Ops read it in the Temporal UI through the codec endpoint (admin key required).
    opened = await decode(sealed, data_payloads)
    texts = [base64.b64decode(p["data"]).decode(errors="replace") for p in opened]
    assert any(SECRET_WORDS in text for text in texts)
    assert all(base64.b64decode(p["metadata"]["encoding"]) != SEALED for p in opened)
    assert (await sealed.http.post("/codec/decode", json={"payloads": []})).status_code == 401

    # The export holds everything about the contact (and only theirs).
    exported = (
        await sealed.http.post("/admin/contacts/export", json={"phone": phone}, headers=ADMIN)
    ).json()
    assert exported["contact"]["wa_id"] == phone
    assert any(SECRET_WORDS in json.dumps(m["payload"]) for m in exported["messages_received"])
    assert [lead["lead_id"] for lead in exported["leads"]] == [lead.lead_id]

    # Erase: rows, the run, and the key; the history can no longer be opened.
    erased = await sealed.http.post(
        "/admin/contacts/erase", json={"lead_id": lead.lead_id}, headers=ADMIN
    )
    assert erased.status_code == 200, erased.text
    result = erased.json()
    assert result["lead_ids"] == [lead.lead_id] and result["key_erased"] is True
    assert result["counts"]["leads"] == 1 and result["counts"]["contact"] == 1
    async with sessions() as session:
        assert await session.scalar(select(Contact).where(Contact.wa_id == phone)) is None
        assert await session.get(LeadRecord, lead.lead_id) is None
        assert (
            await session.scalar(
                select(func.count())
                .select_from(InboundMessage)
                .where(InboundMessage.contact_key == lead.contact_key)
            )
            == 0
        )
        assert await session.get(PayloadKey, lead.contact_key) is None
        event = await session.scalar(
            select(SystemEvent)
            .where(SystemEvent.type == "contact.erased")
            .order_by(SystemEvent.id.desc())
        )
    assert event is not None and event.detail["leads"] == 1
    assert phone not in json.dumps(event.detail) and lead.lead_id not in json.dumps(event.detail)
    description = await plain.get_workflow_handle(lead.workflow_id).describe()
    assert description.status == WorkflowExecutionStatus.TERMINATED

    after = await decode(sealed, data_payloads)
    assert all(base64.b64decode(p["metadata"]["encoding"]) == SEALED for p in after)
    assert all(
        SECRET_WORDS not in base64.b64decode(p["data"]).decode(errors="replace") for p in after
    )
    gone = await sealed.http.post("/admin/contacts/export", json={"phone": phone}, headers=ADMIN)
    assert gone.status_code == 404


async def _lead_with_idea(sessions, phone: str) -> LeadRecord | None:
    async with sessions() as session:
        key = await session.scalar(select(Contact.key).where(Contact.wa_id == phone))
        if key is None:
            return None
        lead = await session.scalar(select(LeadRecord).where(LeadRecord.contact_key == key))
        return lead if lead and SECRET_WORDS in json.dumps(lead.answers) else None
