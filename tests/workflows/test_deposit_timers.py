"""Deposit and hold timers as workflow timers, on the time-skipping test server, with the
PostgreSQL calendar and holds: times offered on approval, the picked time held for an hour with a
checkout that lives as long, the hold lapsing (released, link expired, fresh times), late
payments taking their slot back, deposit reminders at 24 h and 72 h and expiry at 96 h, what
each reminder really was sent as (SENT inside the client's 24 h window, TEMPLATE outside it),
and the offered times across a DST change."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from stores.holds import Holds
from stores.spans import Span
from tests.conftest import eventually
from tests.workflows.booking_runs import (
    ARTIST_ID,
    DELIVERED,
    HOUR,
    MINUTE,
    approved,
    checkouts,
    count_reaches,
    held,
    holds_of,
    keys,
    lapsed,
    paid,
    pending_approval,
    sent,
    sent_as,
)
from tests.workflows.runs import client_says, settled
from workflows.contracts import ActionRequest
from workflows.lead import LeadWorkflow

pytestmark = pytest.mark.asyncio(loop_scope="session")


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
