"""deliver_turn against real PostgreSQL and the fake Graph API: the lead is projected before its
replies go out, in order, and a retry after a failed send writes nothing twice and sends nothing
twice."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import event, func, select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.contracts import Delivery, LeadSnapshot, SendRequest
from activities.messaging import MessagingActivities
from activities.records import RecordActivities
from activities.turns import TurnActivities
from consultation import outbound
from consultation.lead import Event, Lead
from models import Contact, LeadRecord, OutboundMessage, SystemEvent

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
def turns(sender: MessagingActivities, sessions) -> TurnActivities:
    return TurnActivities(RecordActivities(sessions), sender)


async def a_turn(sessions, replies: int) -> Delivery:
    key, phone = uuid.uuid4().hex[:32], f"4477{uuid.uuid4().int % 10**8:08d}"
    async with sessions.begin() as session:
        session.add(Contact(key=key, wa_id=phone))
    lead = Lead(lead_id=f"lead-{uuid.uuid4()}", status="QUALIFYING", step=3, version=4)
    snapshot = LeadSnapshot(
        key, f"lead-{key}", "run-1", lead, [Event("answer.recorded", detail={"field": "size"})]
    )
    sends = [
        SendRequest(
            f"{lead.lead_id}:{n}",
            key,
            lead.lead_id,
            outbound.text("client", f"reply {n}", key=f"reply.{n}"),
            True,
        )
        for n in range(1, replies + 1)
    ]
    return Delivery(snapshot, sends)


async def deliver(turns: TurnActivities, delivery: Delivery):
    return await ActivityEnvironment().run(turns.deliver_turn, delivery)


async def projected(sessions, lead_id: str) -> tuple[int | None, int]:
    async with sessions() as session:
        version = await session.scalar(
            select(LeadRecord.version).where(LeadRecord.lead_id == lead_id)
        )
        events = await session.scalar(
            select(func.count()).select_from(SystemEvent).where(SystemEvent.lead_id == lead_id)
        )
    return version, events or 0


async def test_the_lead_is_projected_and_the_replies_sent_in_order(turns, graph, sessions):
    delivery = await a_turn(sessions, replies=2)
    results = await deliver(turns, delivery)
    assert [result.status for result in results] == ["SENT", "SENT"]
    # Only this turn's sends: a lead workflow of another test may still be talking to the fake.
    ours = {send.outbound_id for send in delivery.sends}
    bodies = [s["text"]["body"] for s in graph.sent if s["biz_opaque_callback_data"] in ours]
    assert bodies == ["reply 1", "reply 2"]
    assert await projected(sessions, delivery.snapshot.lead.lead_id) == (4, 1)


async def test_a_projected_turn_tells_the_relay_the_contact_was_read(turns, sessions):
    delivery = await a_turn(sessions, replies=0)
    read_at = select(Contact.last_read_at).where(Contact.key == delivery.snapshot.contact_key)
    async with sessions() as session:
        assert await session.scalar(read_at) is None
    await deliver(turns, delivery)
    async with sessions() as session:
        assert await session.scalar(read_at) is not None


async def test_retries_after_a_failed_send_send_and_write_nothing_twice(turns, graph, sessions):
    delivery = await a_turn(sessions, replies=2)
    lead_id = delivery.snapshot.lead.lead_id
    graph.fail_next(131056, http_status=400)  # the first reply meets Meta's pair rate limit
    with pytest.raises(ApplicationError, match="retrying"):
        await deliver(turns, delivery)
    # The projection did not wait for WhatsApp.
    assert await projected(sessions, lead_id) == (4, 1)
    assert graph.sent == []

    results = await deliver(turns, delivery)
    assert [result.status for result in results] == ["SENT", "SENT"]
    # Its acknowledgement lost, the activity runs once more: nothing new leaves or is written.
    again = await deliver(turns, delivery)
    assert [r.provider_message_id for r in again] == [r.provider_message_id for r in results]
    # Only this turn's sends: a lead workflow of another test may still be talking to the fake.
    ours = {send.outbound_id for send in delivery.sends}
    bodies = [s["text"]["body"] for s in graph.sent if s["biz_opaque_callback_data"] in ours]
    assert bodies == ["reply 1", "reply 2"]
    assert await projected(sessions, lead_id) == (4, 1)
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboundMessage.status).where(OutboundMessage.lead_id == lead_id)
        )
        assert list(rows) == ["SENT", "SENT"]


@pytest.fixture
def statements(sessions) -> Iterator[list[str]]:
    """The SQL each statement sent through `sessions` while the test runs."""
    engine = sessions.kw["bind"].sync_engine
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


async def test_a_reply_to_a_client_is_looked_up_and_attempted_with_the_projection(
    turns, graph, sessions, statements
):
    delivery = await a_turn(sessions, replies=1)
    statements.clear()
    [result] = await deliver(turns, delivery)
    assert result.status == "SENT"
    # One round trip before Graph (the lead, its read stamp, events, the reply's look-up and
    # its attempt), one after it (how the send ended).
    assert len(statements) == 2
    assert "INSERT INTO leads" in statements[0]
    assert "INSERT INTO outbound_messages" in statements[0]
    async with sessions() as session:
        row = await session.get(OutboundMessage, delivery.sends[0].outbound_id)
    assert row is not None and row.attempted_at is not None
    assert (row.status, row.provider_message_id) == ("SENT", result.provider_message_id)


async def test_a_turn_for_an_opted_out_client_sends_only_the_opt_out_answer(turns, graph, sessions):
    delivery = await a_turn(sessions, replies=1)
    key = delivery.snapshot.contact_key
    async with sessions.begin() as session:
        (await session.get(Contact, key)).opted_out = True
    [skipped] = await deliver(turns, delivery)
    assert skipped.status == "SKIPPED"
    async with sessions() as session:
        row = await session.get(OutboundMessage, delivery.sends[0].outbound_id)
    # Decided against before any attempt was recorded: nothing may have gone out.
    assert row is not None and (row.status, row.attempted_at) == ("SKIPPED", None)

    # The next turn answers the opt-out itself, which an opted-out client still gets.
    lead = delivery.snapshot.lead
    answer = SendRequest(
        f"{lead.lead_id}:optout", key, lead.lead_id,
        outbound.text("client", "You won't hear from us again.", key="optout.confirm"), True,
    )  # fmt: skip
    lead.version += 1
    sent_id = answer.outbound_id
    [sent] = await deliver(turns, Delivery(delivery.snapshot, [answer]))
    assert sent.status == "SENT"
    ours = [s["text"]["body"] for s in graph.sent if s["biz_opaque_callback_data"] == sent_id]
    assert ours == ["You won't hear from us again."]
