"""End to end: signed webhook → lead workflow (real Temporal dev server) → replies captured by a
fake Graph API on loopback, with the read model in real PostgreSQL."""

from __future__ import annotations

import itertools
import json
import random
import time
import uuid

import pytest
from sqlalchemy import select

from models import Contact, LeadRecord, SystemEvent
from tests.conftest import APP_SECRET, ARTIST, Stack, eventually
from tests.fakes.graph_api import image_message, inbound_delivery, sign, text_message
from tests.journeys import ANSWERS

pytestmark = pytest.mark.asyncio(loop_scope="session")

_clock = itertools.count(int(time.time()))


def new_phone() -> str:
    return f"4477009{random.randint(10000, 99999)}"


async def post(stack: Stack, delivery: dict, *, secret: str = APP_SECRET):
    raw = json.dumps(delivery).encode()
    return await stack.http.post(
        "/webhooks/whatsapp",
        content=raw,
        headers={"X-Hub-Signature-256": sign(raw, secret), "Content-Type": "application/json"},
    )


async def say(stack: Stack, phone: str, body: str) -> None:
    response = await post(
        stack, inbound_delivery([text_message(phone, body, timestamp=next(_clock))])
    )
    assert response.status_code == 200, response.text


def sent_to(stack: Stack, phone: str) -> list[dict]:
    return [m for m in stack.graph.sent if m.get("to") == phone]


def body_of(message: dict) -> str:
    if message["type"] == "text":
        return message["text"]["body"]
    if message["type"] == "interactive":
        return message["interactive"]["body"]["text"]
    return json.dumps(message["template"])


async def lead_of(stack: Stack, sessions, phone: str) -> LeadRecord | None:
    async with sessions() as session:
        contact = await session.scalar(select(Contact).where(Contact.wa_id == phone))
        if contact is None:
            return None
        return await session.scalar(
            select(LeadRecord)
            .where(LeadRecord.contact_key == contact.key)
            .order_by(LeadRecord.created_at.desc())
            .limit(1)
        )


async def converse(stack: Stack, phone: str, texts: list[str]) -> None:
    """Send each text once the bot has answered the previous one (as a person would)."""
    for text in texts:
        before = len(sent_to(stack, phone))
        await say(stack, phone, text)
        await eventually(lambda b=before: len(sent_to(stack, phone)) > b)


async def test_full_consultation_reaches_pending_approval_and_tells_the_artist(stack, sessions):
    phone = new_phone()
    await converse(stack, phone, ["Hi, I'd like a tattoo", *ANSWERS])
    # After the last answer the client sees a summary to confirm.
    summary = body_of(sent_to(stack, phone)[-1])
    assert "£2,000" in summary
    await converse(stack, phone, ["confirm"])

    lead = await eventually(
        lambda: _status_is(stack, sessions, phone, "PENDING_APPROVAL"), timeout=20
    )
    # The dev server here suggests continue-as-new early: the lead lived through at least one.
    assert lead.run_id != lead.lead_id
    assert lead.parsed["budget_pence"] == 200_000
    assert lead.parsed["width_cm"] == 10 and lead.parsed["height_cm"] == 12
    assert lead.estimate["category"] == "MEDIUM"
    assert lead.estimate["region"] == "UK"

    # The artist's number is shared by every test: wait for this lead's summary, not any message.
    ref = lead.lead_id[:8]
    assert await eventually(
        lambda: [m for m in sent_to(stack, ARTIST) if ref in body_of(m) and "£2,000" in body_of(m)]
    )
    assert phone not in lead.workflow_id  # phone numbers never reach Temporal

    # The admin API shows the parsed answers and links to the run in the Temporal UI.
    headers = {"X-Admin-API-Key": "test-admin-key"}
    detail = (await stack.http.get(f"/admin/leads/{lead.lead_id}", headers=headers)).json()
    assert detail["status"] == "PENDING_APPROVAL"
    assert detail["parsed"]["budget_pence"] == 200_000
    assert detail["temporal_ui"].endswith(f"/workflows/{lead.workflow_id}/{lead.run_id}/history")
    listed = (await stack.http.get("/admin/leads?status=pending_approval", headers=headers)).json()
    assert lead.lead_id in [item["lead_id"] for item in listed["leads"]]

    # The lead log (Google Sheets through its real client, against a fake) has one row for it.
    def logged_row():
        rows = [r for r in stack.sheets.rows if r and r[0] == lead.lead_id]
        return rows if rows and rows[0][1] == "PENDING_APPROVAL" else None

    assert len(await eventually(logged_row, timeout=20)) == 1
    assert all(phone not in cell for row in stack.sheets.rows for cell in row)

    # Ops can filter leads by typed search attributes in the Temporal UI.
    query = f'WorkflowId = "{lead.workflow_id}" AND LeadStatus = "PENDING_APPROVAL"'
    query += ' AND LeadRegion = "UK"'

    async def visible() -> bool:
        return [w async for w in stack.client.list_workflows(query)] != []

    await eventually(visible, timeout=20, interval=0.5)


async def _status_is(stack, sessions, phone, status):
    lead = await lead_of(stack, sessions, phone)
    return lead if lead is not None and lead.status == status else None


async def test_redelivered_message_is_answered_once(stack, sessions):
    phone = new_phone()
    delivery = inbound_delivery([text_message(phone, "Hello", timestamp=next(_clock))])
    first = await post(stack, delivery)
    assert first.json()["received"] == 1
    for _ in range(3):
        again = await post(stack, delivery)
        assert again.status_code == 200
        assert again.json()["duplicates"] == 1
    await eventually(lambda: sent_to(stack, phone))
    await say(stack, phone, "A koi fish")  # a later message proves the queue moved on
    await eventually(lambda: len(sent_to(stack, phone)) >= 2)
    assert len(sent_to(stack, phone)) == 2


async def test_every_message_in_one_delivery_is_handled_in_timestamp_order(stack, sessions):
    alice, bob = new_phone(), new_phone()
    t = next(_clock)
    for _ in range(5):
        next(_clock)
    # Bob's messages arrive newest first; Alice is in the same delivery.
    delivery = inbound_delivery(
        [
            text_message(bob, "Upper arm", timestamp=t + 2),
            text_message(alice, "Hi there", timestamp=t),
            text_message(bob, "A rose", timestamp=t + 1),
            text_message(bob, "Hello", timestamp=t),
        ]
    )
    response = await post(stack, delivery)
    assert response.json()["received"] == 4

    lead = await eventually(lambda: _answered(stack, sessions, bob, "placement"), timeout=20)
    assert lead.answers["idea"] == "A rose"
    assert lead.answers["placement"] == "Upper arm"
    assert await eventually(lambda: sent_to(stack, alice))


async def _answered(stack, sessions, phone, key):
    lead = await lead_of(stack, sessions, phone)
    return lead if lead is not None and key in lead.answers else None


async def test_forged_signature_is_refused_and_recorded(stack, sessions):
    phone = new_phone()
    response = await post(
        stack, inbound_delivery([text_message(phone, "Hi")]), secret="not-the-secret"
    )
    assert response.status_code == 403
    async with sessions() as session:
        event = await session.scalar(
            select(SystemEvent)
            .where(SystemEvent.type == "whatsapp.signature_invalid")
            .order_by(SystemEvent.id.desc())
        )
    assert event is not None and phone not in json.dumps(event.detail)
    assert await lead_of(stack, sessions, phone) is None


async def test_malformed_delivery_gets_a_clear_400(stack):
    raw = b'{"object": "whatsapp_business_account", "entry": '
    response = await stack.http.post(
        "/webhooks/whatsapp", content=raw, headers={"X-Hub-Signature-256": sign(raw, APP_SECRET)}
    )
    assert response.status_code == 400
    assert "Malformed" in response.json()["error"]


async def test_meta_verification_handshake(stack):
    ok = await stack.http.get(
        "/webhooks/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "12345"},
    )
    assert ok.status_code == 200 and ok.text == "12345"
    wrong = await stack.http.get(
        "/webhooks/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "12345"},
    )
    assert wrong.status_code == 403


async def test_stop_lasts_across_enquiries_until_start(stack, sessions):
    phone = new_phone()
    await converse(stack, phone, ["Hi", "STOP"])
    lead = await eventually(lambda: _status_is(stack, sessions, phone, "OPTOUT"))
    first_run = lead.run_id
    async with sessions() as session:
        contact = await session.scalar(select(Contact).where(Contact.wa_id == phone))
        assert contact.opted_out

    # A later message starts a new enquiry that still honours the opt-out.
    await converse(stack, phone, ["hello again"])
    assert "START" in body_of(sent_to(stack, phone)[-1])
    await converse(stack, phone, ["START"])
    lead = await eventually(lambda: _status_is(stack, sessions, phone, "QUALIFYING"))
    assert lead.run_id != first_run


async def test_unsupported_message_type_asks_to_resend_as_text(stack):
    phone = new_phone()
    await converse(stack, phone, ["Hi"])
    before = len(sent_to(stack, phone))
    poll = {
        "from": phone,
        "id": f"wamid.poll.{random.random()}",
        "timestamp": str(next(_clock)),
        "type": "unsupported",
        "errors": [{"code": 131051, "title": "Message type unknown"}],
        "unsupported": {"type": "poll"},
    }
    response = await post(stack, inbound_delivery([poll]))
    assert response.status_code == 200
    await eventually(lambda: len(sent_to(stack, phone)) > before)
    assert "text" in body_of(sent_to(stack, phone)[-1]).lower()


async def test_reference_image_is_stored_and_linked_in_the_artists_summary(stack, sessions):
    phone = new_phone()
    picture = b"\x89PNG fake swallow sketch " + phone.encode()
    media_id = f"media-{uuid.uuid4().hex}"  # Meta's media ids are opaque: no phone number
    stack.graph.add_media(media_id, picture, "image/png")
    answers = list(ANSWERS)
    step = answers.index("no")  # the reference-images question
    await converse(stack, phone, ["Hi", *answers[:step]])
    image = image_message(phone, media_id, timestamp=next(_clock))
    before = len(sent_to(stack, phone))
    assert (await post(stack, inbound_delivery([image]))).status_code == 200
    await eventually(lambda: len(sent_to(stack, phone)) > before)
    await converse(stack, phone, ["no more", *answers[step + 1 :], "confirm"])
    lead = await eventually(lambda: _status_is(stack, sessions, phone, "PENDING_APPROVAL"))

    def summary_with_link():
        for message in sent_to(stack, ARTIST):
            text = body_of(message)
            if lead.lead_id[:8] in text and "/media/" in text:
                return text
        return None

    text = await eventually(summary_with_link, timeout=20)
    url = next(word for word in text.split() if "/media/" in word)
    stored = await stack.http.get(url.removeprefix(stack.base_url))
    assert stored.status_code == 200 and stored.content == picture
