"""The send_message activity against the fake Graph API: the 24 h window, template fallback,
error classification and at-most-once sending per outbound id."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import select, update
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.contracts import SendRequest
from activities.messaging import MessagingActivities
from activities.whatsapp_cloud import CloudApi
from api.contacts import artist_seen
from consultation import outbound
from consultation.messages import Template
from models import Contact, OutboundMessage, SystemEvent

pytestmark = pytest.mark.asyncio(loop_scope="session")

REMINDER = outbound.text(
    "client", "Still there?", key="reminder.1", template=Template("consultation_reminder", ("Ana",))
)
QUESTION = outbound.text("client", "What is your budget?", key="question.budget")


async def new_contact(sessions, opted_out: bool = False) -> tuple[str, str]:
    key, phone = uuid.uuid4().hex[:32], f"4477{uuid.uuid4().int % 10**8:08d}"
    async with sessions.begin() as session:
        session.add(Contact(key=key, wa_id=phone, opted_out=opted_out))
    return key, phone


def request(key: str, message=QUESTION, window_open: bool = True) -> SendRequest:
    return SendRequest(f"lead-x:{uuid.uuid4()}", key, "lead-x", message, window_open)


async def send(sender: MessagingActivities, req: SendRequest):
    return await ActivityEnvironment().run(sender.send_message, req)


async def test_open_window_sends_free_text_and_logs_it(sender, graph, sessions):
    key, phone = await new_contact(sessions)
    req = request(key)
    result = await send(sender, req)
    assert result.status == "SENT"
    assert graph.sent[-1]["to"] == phone and graph.sent[-1]["type"] == "text"
    async with sessions() as session:
        row = await session.get(OutboundMessage, req.outbound_id)
    assert row.status == "SENT" and row.provider_message_id == result.provider_message_id


async def test_same_outbound_id_is_never_sent_twice(sender, graph, sessions):
    key, _ = await new_contact(sessions)
    req = request(key)
    first = await send(sender, req)
    again = await send(sender, req)
    assert again.provider_message_id == first.provider_message_id
    assert len(graph.sent) == 1


async def test_closed_window_uses_the_template(sender, graph, sessions):
    key, _ = await new_contact(sessions)
    result = await send(sender, request(key, REMINDER, window_open=False))
    assert result.status == "TEMPLATE"
    assert graph.sent[-1]["type"] == "template"
    assert graph.sent[-1]["template"]["name"] == "consultation_reminder"


async def test_closed_window_without_template_sends_nothing_and_says_so(sender, graph, sessions):
    key, _ = await new_contact(sessions)
    req = request(key, QUESTION, window_open=False)
    result = await send(sender, req)
    assert result.status == "SKIPPED" and graph.sent == []
    async with sessions() as session:
        event = await session.scalar(
            select(SystemEvent).where(SystemEvent.source == f"send/{req.outbound_id}")
        )
    assert event.type == "whatsapp.skipped" and "window" in event.detail["reason"]


async def test_reengagement_error_falls_back_to_template(sender, graph, sessions):
    key, _ = await new_contact(sessions)
    graph.fail_next(131047)
    result = await send(sender, request(key, REMINDER))
    assert result.status == "TEMPLATE"
    assert [m["type"] for m in graph.sent] == ["template"]


async def test_unreachable_number_fails_without_retry(sender, graph, sessions):
    key, _ = await new_contact(sessions)
    graph.fail_next(131026)
    result = await send(sender, request(key))
    assert result.status == "FAILED" and "unreachable" in result.detail


async def test_rate_limit_is_retried_by_temporal(sender, graph, sessions):
    key, _ = await new_contact(sessions)
    graph.fail_next(130429)
    req = request(key)
    with pytest.raises(ApplicationError):
        await send(sender, req)
    result = await send(sender, req)  # Temporal's retry
    assert result.status == "SENT" and len(graph.sent) == 1


async def test_opted_out_client_gets_nothing_but_the_confirmation(sender, graph, sessions):
    key, _ = await new_contact(sessions, opted_out=True)
    skipped, confirm = (
        request(key),
        request(key, outbound.text("client", "You're unsubscribed.", key="optout.confirm")),
    )
    assert (await send(sender, skipped)).status == "SKIPPED"
    assert (await send(sender, confirm)).status == "SENT"
    assert [m["text"]["body"] for m in graph.sent] == ["You're unsubscribed."]
    # Only the confirmation was ever attempted: the look-up's eager attempt (a reply in the
    # window, recorded in the same round trip) asks what the activity asks.
    assert await attempted(sessions, skipped, confirm) == [False, True]


async def test_a_contact_with_nothing_to_write_to_is_skipped_unattempted(sender, graph, sessions):
    key = uuid.uuid4().hex[:32]
    async with sessions.begin() as session:
        session.add(Contact(key=key, wa_id="", user_id=None))
    unknown, nameless = request(uuid.uuid4().hex[:32]), request(key)
    for req in (unknown, nameless):
        result = await send(sender, req)
        assert (result.status, result.detail) == ("SKIPPED", "contact unknown")
    assert graph.sent == []
    assert await attempted(sessions, unknown, nameless) == [False, False]


async def attempted(sessions, *requests: SendRequest) -> list[bool]:
    async with sessions() as session:
        rows = [await session.get(OutboundMessage, req.outbound_id) for req in requests]
    return [row.attempted_at is not None for row in rows]


async def test_artist_messages_respect_the_artists_own_window(sender, graph, sessions):
    key, _ = await new_contact(sessions)
    note = outbound.text(
        "artist", "New lead", key="artist.new_lead", template=Template("artist_update", ("L1", "x"))
    )
    async with sessions.begin() as session:  # the artist last wrote to us two days ago
        await artist_seen(session, "any-secret", "447700900001")
        await session.execute(
            update(Contact)
            .where(Contact.wa_id == "447700900001")
            .values(last_inbound_at=datetime.now(UTC) - timedelta(days=2))
        )
    assert (await send(sender, request(key, note))).status == "TEMPLATE"
    assert graph.sent[-1]["to"] == "447700900001" and graph.sent[-1]["type"] == "template"

    async with sessions.begin() as session:  # the artist writes in: free text again
        await session.execute(
            update(Contact)
            .where(Contact.wa_id == "447700900001")
            .values(last_inbound_at=datetime.now(UTC))
        )
    assert (await send(sender, request(key, note))).status == "SENT"
    assert graph.sent[-1]["type"] == "text"


async def test_an_unapproved_template_is_not_sent_outside_the_window(graph, sessions):
    key, _ = await new_contact(sessions)
    async with aiohttp.ClientSession() as http:
        api = CloudApi(
            base_url=graph.base_url, phone_number_id="PNID", access_token="test-token", client=http
        )
        strict = MessagingActivities(sessions, api, "447700900001", frozenset({"enquiry_closed"}))
        graph.clear()
        result = await send(strict, request(key, REMINDER, window_open=False))
    assert result.status == "SKIPPED" and "consultation_reminder" in result.detail
    assert graph.sent == []
