"""A client writing to the business number through the signed webhook of the running stack, and
what the fake Graph API sent them: for the end-to-end and edge tests."""

from __future__ import annotations

import itertools
import json
import random
import time

from sqlalchemy import select

from models import Contact, LeadRecord
from tests.conftest import APP_SECRET, ARTIST, Stack, eventually
from tests.fakes.graph_api import inbound_delivery, sign, text_message

clock = itertools.count(int(time.time()))


# Each test run has its own database, and a number drawn at random met one already used there
# now and then (the contacts' number is unique). Drawn in turn instead, from 07700 910000 up:
# below are the fixed numbers tests name (the client, the artist).
phones = itertools.count(random.randrange(90_000))


def new_phone() -> str:
    return f"4477009{10_000 + next(phones) % 90_000}"


async def post(stack: Stack, delivery: dict, *, secret: str = APP_SECRET):
    raw = json.dumps(delivery).encode()
    return await stack.http.post(
        "/webhooks/whatsapp",
        content=raw,
        headers={"X-Hub-Signature-256": sign(raw, secret), "Content-Type": "application/json"},
    )


async def say(stack: Stack, phone: str, body: str) -> None:
    response = await post(
        stack, inbound_delivery([text_message(phone, body, timestamp=next(clock))])
    )
    assert response.status_code == 200, response.text


def sent_to(stack: Stack, phone: str) -> list[dict]:
    return [m for m in stack.graph.sent if m.get("to") == phone]


def told_artist(stack: Stack, lead_id: str, *words: str) -> list[dict]:
    """The artist's messages about this lead (its id's first 8 characters, as the artist sees
    it) with all of `words`: no other test's lead can satisfy a wait on them."""
    return [
        m
        for m in sent_to(stack, ARTIST)
        if all(part in body_of(m) for part in (lead_id[:8], *words))
    ]


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
        # Up to 30 s a reply: `make test` runs three suites at once on two cores, and a reply
        # that waits out the settle window behind a busy worker once took over 15 s there.
        await eventually(lambda b=before: len(sent_to(stack, phone)) > b, timeout=30)


async def status_is(stack, sessions, phone, status):
    lead = await lead_of(stack, sessions, phone)
    return lead if lead is not None and lead.status == status else None


async def answered(stack, sessions, phone, key):
    lead = await lead_of(stack, sessions, phone)
    return lead if lead is not None and key in lead.answers else None
