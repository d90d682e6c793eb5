"""Deposit, hold, appointment and artist timers as workflow timers, on the time-skipping test
server, with the PostgreSQL calendar and holds: times offered on approval, the picked time held
for an hour with a checkout that lives as long, the hold lapsing (released, link expired, fresh
times), late payments taking their slot back, deposit reminders at 24 h and 72 h and expiry at
96 h, appointment reminders 48 h and 24 h before, the artist's nudges, and what each reminder
really was sent as (SENT inside the client's 24 h window, TEMPLATE outside it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import delete, select
from temporalio import activity
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle

import devstack
import worker
from activities.payments import SandboxCheckout
from consultation.lead import Lead, Payment
from models import CalendarHold, CheckoutSessionRow, OutboundMessage
from stores.holds import Holds
from stores.spans import Span
from tests.conftest import eventually
from tests.record_histories import CONSULTATION
from tests.test_lead_timers import client_says, sandbox_settings, settled, start_lead, state
from workflows.contracts import ActionRequest
from workflows.lead import LeadWorkflow

pytestmark = pytest.mark.asyncio(loop_scope="session")
QUEUE = "leads-deposit-timers"
ARTIST_ID = f"timers-{uuid.uuid4().hex[:8]}"  # this module's holds, apart from other tests'
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def server_now() -> datetime:
    """Inside an activity, the test server's (skipped) time when this attempt was scheduled."""
    return activity.info().current_attempt_scheduled_time


@pytest.fixture
async def deposit_worker(sessions, database_url):
    """A time-skipping server and a worker of its own for each test: these tests sleep through
    days of timers, and a lead one test leaves behind must not hold the next test's clock (a
    shared server once stopped skipping time for every test after one, under load). The test's
    holds and bookings go with it too: the database's clock does not skip."""
    settings = sandbox_settings(database_url, QUEUE)
    settings.ARTIST_ID = ARTIST_ID
    # The sandbox checkout judged by the test server's skipped clock, not the wall clock.
    checkout = SandboxCheckout(sessions, settings.PUBLIC_BASE_URL, clock=server_now)
    env = await devstack.time_skipping_server()
    async with env, httpx.AsyncClient() as http:
        lead_worker = worker.build_worker(env.client, settings, sessions, http, checkout=checkout)
        async with lead_worker:
            _clients[:] = [env.client]
            yield env
    async with sessions.begin() as session:
        await session.execute(delete(CalendarHold).where(CalendarHold.artist_id == ARTIST_ID))


_clients: list[Client] = []  # the test's time-skipping server's client, set by `deposit_worker`


async def status_of(handle: WorkflowHandle) -> WorkflowExecutionStatus:
    """The run's status, read raw: the time-skipping test server hands back Datetime search
    attributes (LeadAppointment) in a shape `describe()` cannot decode."""
    client = _clients[0]
    described = await client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=client.namespace, execution=WorkflowExecution(workflow_id=handle.id)
        )
    )
    return WorkflowExecutionStatus(described.workflow_execution_info.status)


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
    for text in CONSULTATION[1:]:  # the first, "Hi", started the workflow
        await client_says(handle, text)
    lead = await settled(handle, lambda lead: lead.status == "PENDING_APPROVAL")
    return key, handle, lead


async def approved(env, sessions) -> tuple[str, WorkflowHandle, Lead]:
    """A lead the artist approved, once the free times have gone out."""
    key, handle, _ = await pending_approval(env, sessions)
    result = await handle.execute_update(LeadWorkflow.act, ActionRequest("approve"))
    assert result.done and result.status == "AWAITING_DEPOSIT"
    lead = await settled(handle, lambda lead: bool(lead.booking.offered))
    await count_reaches(sessions, lead.lead_id, "booking.offer.approved", 1)
    return key, handle, lead


async def held(env, sessions, pick: str = "1") -> tuple[str, WorkflowHandle, Lead]:
    """An approved lead whose client picked a time: held, with its deposit link sent."""
    key, handle, _ = await approved(env, sessions)
    await client_says(handle, pick)
    lead = await settled(handle, lambda lead: lead.deposit.url is not None)
    await count_reaches(sessions, lead.lead_id, "deposit.link", 1)
    return key, handle, lead


def paid(lead: Lead, session_id: str | None = None) -> Payment:
    """Stripe's "paid" for the lead's current checkout session, in full, as a new event."""
    assert lead.deposit is not None
    return Payment(
        event_id=f"evt_{uuid.uuid4().hex}",
        kind="paid",
        session_id=session_id or lead.deposit.session_id,
        payment_intent="pi_x",
        amount_pence=lead.deposit.amount_pence,
    )


async def booked(env, sessions, pick: str = "1") -> tuple[str, WorkflowHandle, Lead]:
    key, handle, lead = await held(env, sessions, pick)
    await handle.signal(LeadWorkflow.payment, paid(lead))
    lead = await settled(handle, lambda lead: lead.status == "BOOKED")
    await count_reaches(sessions, lead.lead_id, "booking.confirmed", 1)
    return key, handle, lead


async def booking_pending(env, sessions) -> tuple[str, WorkflowHandle, Lead]:
    """Paid while the artist was deciding, then approved: paid, with times to pick from."""
    key, handle, lead = await pending_approval(env, sessions)
    payment = Payment(f"evt_{uuid.uuid4().hex}", "paid", "cs_early", "pi_early", 15_000)
    await handle.signal(LeadWorkflow.payment, payment)
    await settled(handle, lambda lead: bool(lead.payments))
    await handle.execute_update(LeadWorkflow.act, ActionRequest("approve"))
    lead = await settled(handle, lambda lead: lead.status == "BOOKING_PENDING")
    await count_reaches(sessions, lead.lead_id, "booking.offer.paid", 1)
    return key, handle, lead


async def lapsed(env, sessions) -> tuple[WorkflowHandle, Lead]:
    """A held time left unpaid past its hour: released, and fresh times offered."""
    _, handle, _ = await held(env, sessions)
    await env.sleep(61 * MINUTE)
    lead = await settled(
        handle, lambda lead: lead.booking.hold is None and not lead.booking.release
    )
    return handle, lead


async def holds_of(sessions, lead_id: str) -> list[CalendarHold]:
    async with sessions() as session:
        rows = await session.scalars(
            select(CalendarHold).where(CalendarHold.lead_id == lead_id).order_by(CalendarHold.id)
        )
        return list(rows)


def keys(messages: list[Sent]) -> list[str]:
    return [message.key for message in messages]


CHOOSING_REMINDER = "artist.booking_reminder.choosing"
DELIVERED = ("SENT", "TEMPLATE")  # the artist's own window decides which


# -- times, holds and their links ---------------------------------------------------------------


async def test_a_picked_time_is_held_for_an_hour_with_a_checkout_that_lives_as_long(
    deposit_worker, sessions
):
    env = deposit_worker
    _, handle, lead = await held(env, sessions)
    deposit, hold = lead.deposit, lead.booking.hold
    assert deposit is not None and hold is not None and lead.estimate is not None
    assert deposit.amount_pence == lead.estimate.deposit_pence == 15_000  # MEDIUM piece
    assert deposit.attempt == 1 and deposit.reminders_sent == 0
    assert hold.expires_at - deposit.sent_at <= timedelta(minutes=61)

    [row] = await holds_of(sessions, lead.lead_id)
    assert row.state == "held" and row.hold_id == hold.hold_id
    assert (row.during.lower, row.during.upper) == (hold.slot.start, hold.slot.end)
    [checkout] = await checkouts(sessions, lead.lead_id)
    assert (checkout.id, checkout.url, checkout.amount_pence, checkout.status) == (
        deposit.session_id, deposit.url, 15_000, "open"
    )  # fmt: skip
    assert checkout.idempotency_key == f"{lead.lead_id}:deposit:1"
    assert abs(checkout.expires_at - hold.expires_at) <= MINUTE  # the link lives as the hold

    [link] = await sent_as(sessions, lead.lead_id, "deposit.link")
    assert (link.recipient, link.status) == ("client", "SENT")  # the client just wrote to us
    assert checkout.url in link.body and "£150" in link.body and "holding" in link.body
    [ack] = await sent_as(sessions, lead.lead_id, "artist.ack.approve")
    assert ack.recipient == "artist" and ack.status in DELIVERED and "£150" in ack.body


async def test_an_unpaid_hold_lapses_after_its_hour_and_fresh_times_are_offered(
    deposit_worker, sessions
):
    env = deposit_worker
    _, handle, lead = await held(env, sessions)
    await env.sleep(59 * MINUTE)
    assert [row.state for row in await holds_of(sessions, lead.lead_id)] == ["held"]

    await env.sleep(2 * MINUTE)
    lapsed = await settled(handle, lambda lead: lead.booking.hold is None)
    [offer] = await count_reaches(sessions, lead.lead_id, "booking.offer.lapsed", 1)
    assert "released" in offer.body
    assert lapsed.status == "AWAITING_DEPOSIT" and lapsed.deposit.url is None
    assert lapsed.booking.offered and lapsed.booking.lapsed[-1].hold_id == lead.booking.hold.hold_id

    async def released():
        rows = await holds_of(sessions, lead.lead_id)
        return [row.state for row in rows] == ["released"]

    await eventually(released, timeout=5)
    [checkout] = await checkouts(sessions, lead.lead_id)
    assert checkout.status == "expired"  # the link of the released hold no longer takes money


async def test_a_payment_after_the_hold_lapsed_takes_its_slot_back_when_still_free(
    deposit_worker, sessions
):
    handle, lead = await lapsed(deposit_worker, sessions)
    slot = lead.booking.lapsed[-1].slot

    # The client had opened the link before it lapsed; their payment lands now.
    await handle.signal(LeadWorkflow.payment, paid(lead))
    lead = await settled(handle, lambda lead: lead.status == "BOOKED")
    assert lead.booking.slot == slot and lead.booking.event_ids
    await count_reaches(sessions, lead.lead_id, "booking.confirmed", 1)
    states = [row.state for row in await holds_of(sessions, lead.lead_id)]
    assert states == ["released", "booked"]


async def test_a_late_payment_whose_slot_went_is_kept_and_the_artist_decides(
    deposit_worker, sessions
):
    handle, lead = await lapsed(deposit_worker, sessions)
    slot = lead.booking.lapsed[-1].slot
    # Someone else takes the time meanwhile.
    other = Holds(sessions, ARTIST_ID)
    assert await other.place("other:hold:1", "other-lead", [Span(slot.start, slot.end)], slot.start)

    await handle.signal(LeadWorkflow.payment, paid(lead))
    lead = await settled(handle, lambda lead: lead.status == "BOOKING_PENDING")
    assert lead.deposit.paid_pence == 15_000 and lead.booking.slot is None
    [client] = await count_reaches(sessions, lead.lead_id, "booking.slot_lost", 1)
    assert "safe" in client.body
    [told] = await count_reaches(sessions, lead.lead_id, "artist.slot_lost", 1)
    assert "Offer new times:" in told.body and "Mark booked:" in told.body

    # The artist offers new times; the client picks one and, paid already, is booked at once.
    result = await handle.execute_update(LeadWorkflow.act, ActionRequest("offer_times"))
    assert result.done
    await count_reaches(sessions, lead.lead_id, "booking.offer.again", 1)
    await client_says(handle, "2")
    lead = await settled(handle, lambda lead: lead.status == "BOOKED")
    assert lead.booking.slot != slot
    assert len(await checkouts(sessions, lead.lead_id)) == 1  # no second deposit asked for


# -- deposit reminders and expiry ---------------------------------------------------------------


async def test_deposit_reminders_at_24h_and_72h_offer_the_free_times_again(
    deposit_worker, sessions
):
    env = deposit_worker
    _, handle, lead = await approved(env, sessions)
    lead_id = lead.lead_id

    await env.sleep(23 * HOUR)
    assert await sent_as(sessions, lead_id, "booking.offer.reminder") == []
    await env.sleep(2 * HOUR)
    [first] = await count_reaches(sessions, lead_id, "booking.offer.reminder", 1)
    assert "isn't booked yet" in first.body and first.status == "TEMPLATE"  # window long shut
    lead = await settled(handle, lambda lead: lead.deposit.reminders_sent == 1)

    await env.sleep(46 * HOUR)  # 71 h
    assert len(await sent_as(sessions, lead_id, "booking.offer.reminder")) == 1
    await env.sleep(2 * HOUR)  # 73 h
    await count_reaches(sessions, lead_id, "booking.offer.reminder", 2)
    lead = await settled(handle, lambda lead: lead.deposit.reminders_sent == 2)
    assert lead.status == "AWAITING_DEPOSIT" and await checkouts(sessions, lead_id) == []

    await env.sleep(22 * HOUR)  # 95 h: nothing more until the request lapses
    assert len(await sent_as(sessions, lead_id, "booking.offer.reminder")) == 2
    await env.sleep(2 * HOUR)  # 97 h
    lead = await settled(handle, lambda lead: lead.status == "DEPOSIT_EXPIRED")
    [told] = await count_reaches(sessions, lead_id, "deposit.expired", 1)
    assert (told.recipient, told.status) == ("client", "TEMPLATE")
    [artist] = await count_reaches(sessions, lead_id, "artist.deposit_expired", 1)
    assert artist.recipient == "artist" and "96 hours" in artist.body


async def test_payment_before_24h_books_and_stops_the_deposit_timers(deposit_worker, sessions):
    env = deposit_worker
    _, handle, lead = await held(env, sessions)
    await env.sleep(30 * MINUTE)
    payment = paid(lead)
    await handle.signal(LeadWorkflow.payment, payment)
    lead = await settled(handle, lambda lead: lead.status == "BOOKED")
    assert lead.deposit.paid_pence == 15_000 and lead.deposit.payment_intent == "pi_x"

    # Stripe redelivers: the same event, and the same payment under another event id.
    version = lead.version
    await handle.signal(LeadWorkflow.payment, payment)
    await handle.signal(LeadWorkflow.payment, paid(lead))
    after = await settled(handle, lambda lead: lead.version >= version + 2)
    assert (after.status, after.deposit, after.payments) == (
        lead.status, lead.deposit, lead.payments
    )  # fmt: skip

    await env.sleep(30 * HOUR)
    messages = await sent(sessions, lead.lead_id)
    assert keys(messages).count("booking.confirmed") == 1
    assert keys(messages).count("artist.booked") == 1
    assert not {"deposit.reminder", "deposit.expired", "booking.offer.lapsed"} & set(keys(messages))
    assert [row.state for row in await holds_of(sessions, lead.lead_id)] == ["booked"]


async def test_send_deposit_after_expiry_offers_times_for_a_new_round(deposit_worker, sessions):
    env = deposit_worker
    _, handle, lead = await held(env, sessions)
    await env.sleep(97 * HOUR)
    lead = await settled(handle, lambda lead: lead.status == "DEPOSIT_EXPIRED")
    await count_reaches(sessions, lead.lead_id, "artist.deposit_expired", 1)

    result = await handle.execute_update(LeadWorkflow.act, ActionRequest("send_deposit"))
    assert result.done and result.status == "AWAITING_DEPOSIT"
    [offer] = await count_reaches(sessions, lead.lead_id, "booking.offer.again", 1)
    assert offer.status == "TEMPLATE"  # their window shut long ago
    lead = await settled(handle, lambda lead: lead.deposit.reminders_sent == 0)
    assert lead.deposit.sent_at >= lead.status_since  # reminders count from the new offer
    await count_reaches(sessions, lead.lead_id, "artist.ack.send_deposit", 1)

    await env.sleep(25 * HOUR)
    await count_reaches(sessions, lead.lead_id, "booking.offer.reminder", 1)


# -- the appointment ----------------------------------------------------------------------------


async def test_appointment_reminders_48h_and_24h_before_then_the_run_ends(deposit_worker, sessions):
    env = deposit_worker
    _, handle, lead = await booked(env, sessions, pick="8")  # the latest offered: days ahead
    start = lead.booking.slot.start
    now = lead.status_since
    assert start - now > 72 * HOUR

    await env.sleep(start - now - 49 * HOUR)
    assert await sent_as(sessions, lead.lead_id, "booking.reminder") == []
    await env.sleep(2 * HOUR)  # 47 h before
    [first] = await count_reaches(sessions, lead.lead_id, "booking.reminder", 1)
    assert first.recipient == "client" and first.status == "TEMPLATE"
    await env.sleep(22 * HOUR)  # 25 h before
    assert len(await sent_as(sessions, lead.lead_id, "booking.reminder")) == 1
    await env.sleep(2 * HOUR)  # 23 h before
    await count_reaches(sessions, lead.lead_id, "booking.reminder", 2)
    assert await status_of(handle) == WorkflowExecutionStatus.RUNNING

    # A message before the appointment still reaches this enquiry (not a new one).
    await client_says(handle, "Can I reschedule please?")
    [change] = await count_reaches(sessions, lead.lead_id, "artist.change_request", 1)
    assert "reschedule" in change.body and "outside the policy" in change.body  # < 48 h

    await env.sleep(30 * HOUR)  # past the end of the session
    assert await handle.result() == "BOOKED"


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
    # Paid first: the client has times to pick from, so the reminder says they haven't chosen.
    await env.sleep(23 * HOUR)
    assert await sent_as(sessions, lead.lead_id, CHOOSING_REMINDER) == []

    await env.sleep(2 * HOUR)
    [first] = await count_reaches(sessions, lead.lead_id, CHOOSING_REMINDER, 1)
    assert first.recipient == "artist" and first.status in DELIVERED
    assert "24 hours" in first.body and "hasn't" in first.body and "Mark booked:" in first.body

    await env.sleep(46 * HOUR)  # 71 h
    assert len(await sent_as(sessions, lead.lead_id, CHOOSING_REMINDER)) == 1
    await env.sleep(2 * HOUR)
    reminders = await count_reaches(sessions, lead.lead_id, CHOOSING_REMINDER, 2)
    assert "72 hours" in reminders[1].body
    await settled(handle, lambda lead: lead.artist_nudges == 2)

    await env.sleep(100 * HOUR)
    assert len(await sent_as(sessions, lead.lead_id, CHOOSING_REMINDER)) == 2
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
    assert not [m for m in await sent(sessions, lead.lead_id) if "booking_reminder" in m.key]
    assert await handle.result() == "BOOKED"


async def finished(handle: WorkflowHandle) -> bool:
    return await status_of(handle) == WorkflowExecutionStatus.COMPLETED


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
    await client_says(handle, "thanks, let me check my diary")  # their window: open until 36 h
    await settled(handle, lambda lead: lead.last_client_at > lead.deposit.sent_at)

    await env.sleep(13 * HOUR)  # 25 h: inside the window
    await count_reaches(sessions, lead.lead_id, "booking.offer.reminder", 1)
    await env.sleep(48 * HOUR)  # 73 h: the window shut at 36 h
    reminders = await count_reaches(sessions, lead.lead_id, "booking.offer.reminder", 2)
    assert [(r.recipient, r.status) for r in reminders] == [
        ("client", "SENT"), ("client", "TEMPLATE")
    ]  # fmt: skip
    lead = await settled(handle, lambda lead: lead.deposit.reminders_sent == 2)
    delivered = [r for r in reminders if r.status in DELIVERED]
    assert lead.deposit.reminders_sent == len(delivered) == len(reminders)


# -- the calendar across a DST change -----------------------------------------------------------


async def test_times_offered_across_the_spring_dst_change_keep_the_artists_hours(
    deposit_worker, sessions
):
    """The skipped clock is taken to two days before the clocks go forward in London: the
    offered times straddle the change, and every one still starts at a working hour there."""
    env = deposit_worker
    now = await env.get_current_time()
    change = _next_dst_change(now)
    # The clock moves first: a lead left that long waiting for approval would go stale.
    await env.sleep(change - timedelta(days=2) - now)
    _, handle, lead = await pending_approval(env, sessions)
    result = await handle.execute_update(LeadWorkflow.act, ActionRequest("approve"))
    assert result.done
    lead = await settled(handle, lambda lead: bool(lead.booking.offered))
    london = ZoneInfo("Europe/London")
    starts = [slot.start.astimezone(london) for slot in lead.booking.offered]
    assert any(s < change for s in starts) and any(s > change for s in starts)
    offsets = {s.utcoffset() for s in starts}
    assert offsets == {timedelta(0), timedelta(hours=1)}  # GMT before, BST after
    for start in starts:
        end = start + timedelta(hours=3)  # a MEDIUM session
        assert time(10) <= start.time() and end.time() <= time(18)
    [offer] = await count_reaches(sessions, lead.lead_id, "booking.offer.approved", 1)
    # The list shows local times: a 10:00 start after the change is "10:00am", not 9:00am.
    for slot, start in zip(lead.booking.offered, starts, strict=True):
        hour = start.hour % 12 or 12
        assert f"{hour}:{start.minute:02d}{'am' if start.hour < 12 else 'pm'}" in offer.body
        assert slot.start.tzinfo is not None


def _next_dst_change(after: datetime) -> datetime:
    """The first whole UTC hour after `after` at which London's UTC offset has changed."""
    london = ZoneInfo("Europe/London")
    moment = after.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    offset = moment.astimezone(london).utcoffset()
    while moment.astimezone(london).utcoffset() == offset:
        moment += HOUR
    return moment
