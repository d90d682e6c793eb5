"""Deposit, approval and booking timers as workflow timers, on the time-skipping test server: the
deposit link on approval, reminders at 24 h and 72 h (each with a fresh checkout once the last
one lapsed), expiry at 96 h, late payments, the artist's nudges, and what each reminder really
was sent as (SENT inside the client's 24 h window, TEMPLATE outside it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from temporalio import activity
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle

import worker
from activities.payments import (
    SandboxCheckout,
)
from consultation.lead import Lead, Payment
from models import CheckoutSessionRow, OutboundMessage
from tests.conftest import eventually
from tests.record_histories import CONSULTATION
from tests.test_lead_timers import client_says, sandbox_settings, settled, start_lead, state
from workflows.contracts import ActionRequest
from workflows.lead import LeadWorkflow

pytestmark = pytest.mark.asyncio(loop_scope="session")
QUEUE = "leads-deposit-timers"
HOUR = timedelta(hours=1)


def server_now() -> datetime:
    """Inside an activity, the test server's (skipped) time when this attempt was scheduled."""
    return activity.info().current_attempt_scheduled_time


@pytest.fixture(scope="module")
async def deposit_worker(time_skipping, sessions, database_url):
    settings = sandbox_settings(database_url, QUEUE)
    # The sandbox checkout judged by the test server's skipped clock, not the wall clock.
    checkout = SandboxCheckout(sessions, settings.PUBLIC_BASE_URL, clock=server_now)
    async with httpx.AsyncClient() as http:
        lead_worker = worker.build_worker(
            time_skipping.client, settings, sessions, http, checkout=checkout
        )
        async with lead_worker:
            yield time_skipping


_started: list[WorkflowHandle] = []


@pytest.fixture(autouse=True)
async def stop_leads():
    """Leads a test leaves running (most wait on a timer) are ended, failed tests' included, so
    their timers do not fire during the next test's sleeps."""
    yield
    while _started:
        handle = _started.pop()
        if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
            await handle.terminate("test done")


# -- helpers ------------------------------------------------------------------------------------


@dataclass
class Sent:
    key: str
    recipient: str
    status: str
    body: str


async def sent(sessions, lead_id: str) -> list[Sent]:
    """Every message written for the lead, to the client and to the artist, in order."""
    async with sessions() as session:
        rows = await session.execute(
            select(
                OutboundMessage.key,
                OutboundMessage.recipient,
                OutboundMessage.status,
                OutboundMessage.body,
            )
            .where(OutboundMessage.lead_id == lead_id)
            .order_by(OutboundMessage.seq)
        )
        return [Sent(*row) for row in rows]


async def sent_as(sessions, lead_id: str, key: str) -> list[Sent]:
    return [message for message in await sent(sessions, lead_id) if message.key == key]


async def count_reaches(sessions, lead_id: str, key: str, count: int) -> list[Sent]:
    """The messages with `key` once there are `count` of them (sends are asynchronous)."""

    async def ready():
        found = await sent_as(sessions, lead_id, key)
        return found if len(found) >= count else None

    try:
        return await eventually(ready, timeout=5)
    except AssertionError:
        so_far = [(m.key, m.recipient, m.status) for m in await sent(sessions, lead_id)]
        raise AssertionError(f"{count} x {key!r} never sent; sent so far: {so_far}") from None


async def checkouts(sessions, lead_id: str) -> list[CheckoutSessionRow]:
    async with sessions() as session:
        rows = await session.scalars(
            select(CheckoutSessionRow)
            .where(CheckoutSessionRow.lead_id == lead_id)
            .order_by(CheckoutSessionRow.created_at, CheckoutSessionRow.idempotency_key)
        )
        return list(rows)


async def pending_approval(env, sessions) -> tuple[str, WorkflowHandle, Lead]:
    """A client who has answered everything and confirmed: the artist has to decide."""
    key, handle = await start_lead(env, sessions, queue=QUEUE)
    _started.append(handle)
    for text in CONSULTATION[1:]:  # the first, "Hi", started the workflow
        await client_says(handle, text)
    lead = await settled(handle, lambda lead: lead.status == "PENDING_APPROVAL")
    return key, handle, lead


async def approved(env, sessions) -> tuple[str, WorkflowHandle, Lead]:
    """A lead the artist approved, once its deposit link has gone out."""
    key, handle, _ = await pending_approval(env, sessions)
    result = await handle.execute_update(LeadWorkflow.act, ActionRequest("approve"))
    assert result.done and result.status == "AWAITING_DEPOSIT"
    lead = await settled(handle, lambda lead: lead.deposit is not None and lead.deposit.url)
    await count_reaches(sessions, lead.lead_id, "deposit.link", 1)
    return key, handle, lead


def paid(lead: Lead) -> Payment:
    """Stripe's "paid" for the lead's current checkout session, in full, as a new event."""
    assert lead.deposit is not None
    return Payment(
        event_id=f"evt_{uuid.uuid4().hex}",
        kind="paid",
        session_id=lead.deposit.session_id,
        payment_intent="pi_x",
        amount_pence=lead.deposit.amount_pence,
    )


async def booking_pending(env, sessions) -> tuple[str, WorkflowHandle, Lead]:
    """An approved lead whose deposit has just been paid."""
    key, handle, lead = await approved(env, sessions)
    await handle.signal(LeadWorkflow.payment, paid(lead))
    lead = await settled(handle, lambda lead: lead.status == "BOOKING_PENDING")
    await count_reaches(sessions, lead.lead_id, "payment.confirmed", 1)
    return key, handle, lead


def keys(messages: list[Sent]) -> list[str]:
    return [message.key for message in messages]


DELIVERED = ("SENT", "TEMPLATE")  # the artist's own window decides which


# -- the deposit link ---------------------------------------------------------------------------


async def test_approval_sends_the_deposit_link_with_a_sandbox_checkout(deposit_worker, sessions):
    env = deposit_worker
    _, handle, lead = await approved(env, sessions)
    deposit = lead.deposit
    assert deposit is not None and lead.estimate is not None
    assert lead.status == "AWAITING_DEPOSIT"
    assert deposit.amount_pence == lead.estimate.deposit_pence == 15_000  # MEDIUM piece
    assert deposit.attempt == 1 and deposit.reminders_sent == 0
    assert deposit.sent_at is not None and deposit.expires_at is not None
    assert deposit.expires_at - deposit.sent_at <= timedelta(hours=24)  # Stripe's limit

    [row] = await checkouts(sessions, lead.lead_id)
    assert (row.id, row.url, row.amount_pence, row.currency, row.status) == (
        deposit.session_id, deposit.url, 15_000, "gbp", "open"
    )  # fmt: skip
    assert row.idempotency_key == f"{lead.lead_id}:deposit:1"

    [link] = await sent_as(sessions, lead.lead_id, "deposit.link")
    assert (link.recipient, link.status) == ("client", "SENT")  # the client just wrote to us
    assert row.url in link.body and "£150" in link.body
    [ack] = await sent_as(sessions, lead.lead_id, "artist.ack.approve")
    assert ack.recipient == "artist" and ack.status in DELIVERED and "£150" in ack.body


# -- reminders and expiry -----------------------------------------------------------------------


async def test_deposit_reminders_at_24h_and_72h_each_with_a_fresh_checkout(
    deposit_worker, sessions
):
    env = deposit_worker
    _, handle, lead = await approved(env, sessions)
    lead_id = lead.lead_id

    await env.sleep(23 * HOUR)
    assert await sent_as(sessions, lead_id, "deposit.reminder") == []
    assert len(await checkouts(sessions, lead_id)) == 1

    await env.sleep(2 * HOUR)  # 25 h: the first session lapsed at 23 h, so a fresh one goes out
    [first] = await count_reaches(sessions, lead_id, "deposit.reminder", 1)
    lead = await settled(handle, lambda lead: lead.deposit.attempt == 2)
    rows = await checkouts(sessions, lead_id)
    assert [row.idempotency_key for row in rows] == [
        f"{lead_id}:deposit:1", f"{lead_id}:deposit:2"
    ]  # fmt: skip
    assert lead.deposit.session_id == rows[1].id and rows[1].url in first.body
    assert rows[0].url not in first.body
    assert lead.deposit.reminders_sent == 1
    assert len(await sent_as(sessions, lead_id, "deposit.link")) == 1  # the reminder is the link

    await env.sleep(46 * HOUR)  # 71 h
    assert len(await sent_as(sessions, lead_id, "deposit.reminder")) == 1

    await env.sleep(2 * HOUR)  # 73 h
    reminders = await count_reaches(sessions, lead_id, "deposit.reminder", 2)
    lead = await settled(handle, lambda lead: lead.deposit.attempt == 3)
    rows = await checkouts(sessions, lead_id)
    assert len(rows) == 3 and rows[2].url in reminders[1].body
    assert lead.deposit.reminders_sent == 2 and lead.status == "AWAITING_DEPOSIT"

    await env.sleep(22 * HOUR)  # 95 h: nothing more until the request lapses
    assert len(await sent_as(sessions, lead_id, "deposit.reminder")) == 2
    assert len(await checkouts(sessions, lead_id)) == 3


async def test_payment_before_24h_stops_the_deposit_timers(deposit_worker, sessions):
    env = deposit_worker
    _, handle, lead = await approved(env, sessions)
    await env.sleep(12 * HOUR)
    payment = paid(lead)
    await handle.signal(LeadWorkflow.payment, payment)
    lead = await settled(handle, lambda lead: lead.status == "BOOKING_PENDING")
    assert lead.deposit.paid_pence == 15_000 and lead.deposit.payment_intent == "pi_x"

    # Stripe redelivers: the same event, and the same payment under another event id.
    version = lead.version
    await handle.signal(LeadWorkflow.payment, payment)
    await handle.signal(LeadWorkflow.payment, paid(lead))
    after = await settled(handle, lambda lead: lead.version >= version + 2)
    assert (after.status, after.deposit, after.payments) == (
        lead.status, lead.deposit, lead.payments
    )  # fmt: skip

    await env.sleep(100 * HOUR)
    messages = await sent(sessions, lead.lead_id)
    assert keys(messages).count("payment.confirmed") == 1
    assert keys(messages).count("artist.deposit_paid") == 1
    assert not {"deposit.reminder", "deposit.expired", "artist.deposit_expired"} & set(
        keys(messages)
    )
    assert len(await checkouts(sessions, lead.lead_id)) == 1
    assert (await state(handle)).status == "BOOKING_PENDING"


async def test_deposit_expires_at_96h_and_a_late_payment_still_books(deposit_worker, sessions):
    env = deposit_worker
    _, handle, lead = await approved(env, sessions)
    await env.sleep(95 * HOUR)
    assert (await state(handle)).status == "AWAITING_DEPOSIT"
    assert await sent_as(sessions, lead.lead_id, "deposit.expired") == []

    await env.sleep(2 * HOUR)
    lead = await settled(handle, lambda lead: lead.status == "DEPOSIT_EXPIRED")
    assert lead.deposit.url is None and lead.deposit.paid_at is None
    [told] = await count_reaches(sessions, lead.lead_id, "deposit.expired", 1)
    assert (told.recipient, told.status) == ("client", "TEMPLATE")  # their window shut long ago
    [artist] = await count_reaches(sessions, lead.lead_id, "artist.deposit_expired", 1)
    assert artist.recipient == "artist" and artist.status in DELIVERED
    assert "96 hours" in artist.body

    # The checkout the client still had open is paid just after our expiry: never lost.
    await handle.signal(LeadWorkflow.payment, paid(lead))
    lead = await settled(handle, lambda lead: lead.status == "BOOKING_PENDING")
    assert lead.deposit.paid_at is not None and lead.deposit.paid_pence == 15_000
    [confirmed] = await count_reaches(sessions, lead.lead_id, "payment.confirmed", 1)
    assert confirmed.recipient == "client" and confirmed.status == "TEMPLATE"
    [artist] = await count_reaches(sessions, lead.lead_id, "artist.deposit_paid", 1)
    assert artist.recipient == "artist" and artist.status in DELIVERED


async def expired(env, sessions) -> tuple[WorkflowHandle, Lead]:
    _, handle, lead = await approved(env, sessions)
    await env.sleep(97 * HOUR)
    lead = await settled(handle, lambda lead: lead.status == "DEPOSIT_EXPIRED")
    await count_reaches(sessions, lead.lead_id, "artist.deposit_expired", 1)
    return handle, lead


async def test_send_deposit_after_expiry_sends_a_fresh_link(deposit_worker, sessions):
    env = deposit_worker
    handle, lead = await expired(env, sessions)
    before = await checkouts(sessions, lead.lead_id)

    result = await handle.execute_update(LeadWorkflow.act, ActionRequest("send_deposit"))
    assert result.done and result.status == "AWAITING_DEPOSIT"
    lead = await settled(handle, lambda lead: lead.deposit.url is not None)
    rows = await checkouts(sessions, lead.lead_id)
    assert len(rows) == len(before) + 1
    fresh = rows[-1]
    assert fresh.id == lead.deposit.session_id and fresh.id not in {row.id for row in before}
    assert fresh.amount_pence == 15_000 and fresh.status == "open"
    # A new round of asking: reminders and the expiry count from this link.
    assert lead.deposit.reminders_sent == 0 and lead.deposit.sent_at >= lead.status_since

    links = await count_reaches(sessions, lead.lead_id, "deposit.link", 2)
    assert (links[-1].recipient, links[-1].status) == ("client", "TEMPLATE")
    assert fresh.url in links[-1].body
    [ack] = await count_reaches(sessions, lead.lead_id, "artist.ack.send_deposit", 1)
    assert ack.recipient == "artist" and ack.status in DELIVERED


async def test_a_resent_deposit_is_reminded_and_lapses_again(deposit_worker, sessions):
    env = deposit_worker
    handle, lead = await expired(env, sessions)
    reminded = len(await sent_as(sessions, lead.lead_id, "deposit.reminder"))
    await handle.execute_update(LeadWorkflow.act, ActionRequest("send_deposit"))
    await settled(handle, lambda lead: lead.deposit.url is not None)

    await env.sleep(25 * HOUR)  # a new round: reminders count from the new link
    await count_reaches(sessions, lead.lead_id, "deposit.reminder", reminded + 1)
    await env.sleep(72 * HOUR)  # and it lapses again 96 h after it
    lead = await settled(handle, lambda lead: lead.status == "DEPOSIT_EXPIRED")
    assert lead.deposit.reminders_sent == 2
    await count_reaches(sessions, lead.lead_id, "artist.deposit_expired", 2)


# -- the artist's timers ------------------------------------------------------------------------


async def test_a_lead_left_pending_approval_nudges_the_artist_once_at_72h(deposit_worker, sessions):
    env = deposit_worker
    _, handle, lead = await pending_approval(env, sessions)
    await env.sleep(71 * HOUR)
    assert await sent_as(sessions, lead.lead_id, "artist.approval_nudge") == []

    await env.sleep(2 * HOUR)
    [nudge] = await count_reaches(sessions, lead.lead_id, "artist.approval_nudge", 1)
    assert nudge.recipient == "artist" and nudge.status in DELIVERED
    assert "72 hours" in nudge.body and "Approve:" in nudge.body  # with its one-tap links
    lead = await settled(handle, lambda lead: lead.artist_nudges == 1)

    await env.sleep(100 * HOUR)
    assert len(await sent_as(sessions, lead.lead_id, "artist.approval_nudge")) == 1
    assert (await state(handle)).status == "PENDING_APPROVAL"


@pytest.mark.parametrize(
    ("action", "status"), [("approve", "AWAITING_DEPOSIT"), ("reject", "REJECTED")]
)
async def test_a_decision_in_time_means_no_approval_nudge(deposit_worker, sessions, action, status):
    env = deposit_worker
    _, handle, lead = await pending_approval(env, sessions)
    await env.sleep(70 * HOUR)
    result = await handle.execute_update(LeadWorkflow.act, ActionRequest(action))
    assert result.done and result.status == status

    await env.sleep(30 * HOUR)  # past the 72 h the nudge would have fallen at
    assert await sent_as(sessions, lead.lead_id, "artist.approval_nudge") == []
    assert (await state(handle)).status == status
    if status == "REJECTED":
        assert await handle.result() == "REJECTED"


async def test_booking_pending_reminds_the_artist_at_24h_and_72h(deposit_worker, sessions):
    env = deposit_worker
    _, handle, lead = await booking_pending(env, sessions)
    await env.sleep(23 * HOUR)
    assert await sent_as(sessions, lead.lead_id, "artist.booking_reminder") == []

    await env.sleep(2 * HOUR)
    [first] = await count_reaches(sessions, lead.lead_id, "artist.booking_reminder", 1)
    assert first.recipient == "artist" and first.status in DELIVERED
    assert "24 hours" in first.body and "Mark booked:" in first.body

    await env.sleep(46 * HOUR)  # 71 h
    assert len(await sent_as(sessions, lead.lead_id, "artist.booking_reminder")) == 1
    await env.sleep(2 * HOUR)
    reminders = await count_reaches(sessions, lead.lead_id, "artist.booking_reminder", 2)
    assert "72 hours" in reminders[1].body
    await settled(handle, lambda lead: lead.artist_nudges == 2)

    await env.sleep(100 * HOUR)
    assert len(await sent_as(sessions, lead.lead_id, "artist.booking_reminder")) == 2
    assert (await state(handle)).status == "BOOKING_PENDING"


async def test_mark_booked_cancels_the_booking_reminders(deposit_worker, sessions):
    env = deposit_worker
    _, handle, lead = await booking_pending(env, sessions)
    await env.sleep(12 * HOUR)
    result = await handle.execute_update(LeadWorkflow.act, ActionRequest("mark_booked"))
    assert result.done and result.status == "BOOKED"
    [booked] = await count_reaches(sessions, lead.lead_id, "decision.booked", 1)
    assert booked.recipient == "client"

    await env.sleep(100 * HOUR)
    assert await sent_as(sessions, lead.lead_id, "artist.booking_reminder") == []
    assert await handle.result() == "BOOKED"


async def finished(handle: WorkflowHandle) -> bool:
    return (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED


@pytest.mark.parametrize("decision", ["mark_booked", "reject"])
async def test_a_final_decision_ends_the_run_without_waiting_for_a_timer(
    deposit_worker, sessions, decision
):
    """A final status ends the run (the contact's next message starts a new enquiry); a timer
    armed for the status before must not keep it open until it fires."""
    env = deposit_worker
    if decision == "mark_booked":
        _, handle, _ = await booking_pending(env, sessions)
    else:
        _, handle, _ = await pending_approval(env, sessions)
    await handle.execute_update(LeadWorkflow.act, ActionRequest(decision))
    await eventually(lambda: finished(handle), timeout=5)


# -- what the reminders really were sent as -----------------------------------------------------


async def test_reminders_go_as_templates_outside_the_window_and_count_what_was_sent(
    deposit_worker, sessions
):
    env = deposit_worker
    _, handle, lead = await approved(env, sessions)
    await env.sleep(12 * HOUR)
    await client_says(handle, "I'll pay at the weekend")  # their window: open until 36 h
    await settled(handle, lambda lead: lead.last_client_at > lead.deposit.sent_at)
    assert len(await checkouts(sessions, lead.lead_id)) == 1  # the link still works

    await env.sleep(13 * HOUR)  # 25 h: inside the window
    await count_reaches(sessions, lead.lead_id, "deposit.reminder", 1)
    await env.sleep(48 * HOUR)  # 73 h: the window shut at 36 h
    reminders = await count_reaches(sessions, lead.lead_id, "deposit.reminder", 2)
    assert [(r.recipient, r.status) for r in reminders] == [
        ("client", "SENT"), ("client", "TEMPLATE")
    ]  # fmt: skip
    lead = await settled(handle, lambda lead: lead.deposit.reminders_sent == 2)
    delivered = [r for r in reminders if r.status in DELIVERED]
    assert lead.deposit.reminders_sent == len(delivered) == len(reminders)
