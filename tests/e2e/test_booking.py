"""End to end: choosing a time and booking it, through the real webhook, the real workflow on the
Temporal dev server, PostgreSQL holds, the Google Calendar client against a fake Google server,
and the Stripe SDK against a fake Stripe."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from api.contacts import contact_key, workflow_id
from consultation.calendar_rules import RULES
from models import CalendarHold, Contact
from stores.calendar_reads import CalendarReads
from tests.conftest import ARTIST, STRIPE_SECRET, Stack, eventually
from tests.core.chat import HAPPY_ANSWERS, Chat
from tests.e2e.test_deposit import (
    checkout_of,
    offers,
    pick_time,
    post_stripe,
    qualified_lead,
    rows_of,
    slot_starts,
    tap,
    token_from_artist,
)
from tests.whatsapp_client import body_of, lead_of, new_phone, sent_to, status_is
from workflows.contracts import Carried, LeadInput
from workflows.lead import LeadWorkflow
from workflows.visibility import LEAD_APPOINTMENT

pytestmark = pytest.mark.asyncio(loop_scope="session")
LONDON = ZoneInfo("Europe/London")
ADMIN = {"X-Admin-API-Key": "test-admin-key"}


async def holds_of(sessions, lead_id: str) -> list[CalendarHold]:
    async with sessions() as session:
        rows = await session.scalars(select(CalendarHold).where(CalendarHold.lead_id == lead_id))
        return list(rows)


async def test_times_after_approval_respect_the_calendar_and_payment_books_once(
    stack: Stack, sessions
):
    # Something already in the artist's Google Calendar two days from now, 10:00-14:00 London.
    day = (datetime.now(LONDON) + timedelta(days=2)).date()
    while not RULES.hours_on(day):
        day += timedelta(days=1)
    busy_start = datetime.combine(day, datetime.min.time().replace(hour=10), LONDON)
    stack.calendar.add_busy(busy_start, busy_start + timedelta(hours=4))

    phone, approve_hash = await qualified_lead(stack, sessions)
    token = await token_from_artist(stack, approve_hash)
    assert (await stack.http.post(f"/a/{token}")).status_code == 200
    offer = (await eventually(lambda: offers(stack, phone)))[0]
    starts = slot_starts(offer)
    assert len(starts) == RULES.max_suggestions  # a full list: more times are free than it shows
    rows = rows_of(offer)
    assert rows[-1]["id"] == "slot:more"  # three weeks hold more than eight sessions
    for number, start in enumerate(starts, start=1):
        local = start.astimezone(LONDON)
        end = local + timedelta(hours=3)  # a MEDIUM session
        # Inside the bundled working hours of that day (closed days have none).
        assert any(
            opens <= local.time() and end.time() <= closes
            for opens, closes in RULES.hours_on(local.date())
        )
        assert start >= datetime.now(UTC) + timedelta(hours=23, minutes=59)  # 24 h notice
        # Never within the busy block or its 30 minute buffer.
        assert not (
            busy_start - timedelta(minutes=30) < end
            and local < busy_start + timedelta(hours=4, minutes=30)
        )
        assert f"{number}. " in body_of(offer)  # numbered text too

    # The client taps the second time: it is held and the deposit link is bound to it.
    await tap(stack, phone, rows[1])
    lead = await lead_of(stack, sessions, phone)
    assert lead is not None
    session = await eventually(lambda: checkout_of(stack, lead.lead_id))
    hold = (await holds_of(sessions, lead.lead_id))[0]
    assert hold.state == "held" and hold.during.lower == starts[1]
    lifetime = datetime.fromtimestamp(session["expires_at"], UTC) - datetime.now(UTC)
    assert timedelta(minutes=55) < lifetime <= timedelta(minutes=61)  # the hold's hour
    link = await eventually(
        lambda: [m for m in sent_to(stack, phone) if session["url"] in body_of(m)]
    )
    assert "holding" in body_of(link[0])

    # The first insert reaches Google but its answer is lost: the retry finds its own event.
    stack.calendar.fail_next(500, on="insert", applied=True)
    raw, header = stack.stripe.complete(session["id"], STRIPE_SECRET)
    assert (await post_stripe(stack, raw, header)).status_code == 200
    await eventually(lambda: status_is(stack, sessions, phone, "BOOKED"))
    mine = {
        event_id: event
        for event_id, event in stack.calendar.events.items()
        if event["extendedProperties"]["private"]["lead_id"] == lead.lead_id
    }
    assert len(mine) == 1
    event = next(iter(mine.values()))
    assert set(next(iter(mine))) <= set("0123456789abcdefghijklmnopqrstuv")
    assert datetime.fromisoformat(event["start"]["dateTime"]) == starts[1]
    assert (await holds_of(sessions, lead.lead_id))[0].state == "booked"

    detail = await stack.http.get(f"/admin/leads/{lead.lead_id}", headers=ADMIN)
    [booked_row] = detail.json()["holds"]
    assert booked_row["state"] == "booked"
    assert datetime.fromisoformat(booked_row["start"]) == starts[1]

    # Ops see the session's start in the Temporal UI.
    async def appointment_visible() -> bool:
        described = await stack.client.get_workflow_handle(lead.workflow_id).describe()
        return described.typed_search_attributes.get(LEAD_APPOINTMENT) == starts[1]

    await eventually(appointment_visible)

    confirmed = await eventually(
        lambda: [m for m in sent_to(stack, phone) if "You're booked in" in body_of(m)]
    )
    local, text = starts[1].astimezone(LONDON), body_of(confirmed[0])
    assert f" {local.day} " in text and str(local.tzname()) in text
    await eventually(
        lambda: any(
            "is booked" in body_of(m)
            for m in sent_to(stack, ARTIST)
            if lead.lead_id[:8] in body_of(m)
        )
    )


async def started_at_approval(stack: Stack, sessions, number: int) -> tuple[str, str]:
    """A client whose consultation is done, started straight at PENDING_APPROVAL (the questions
    are covered elsewhere); returns (phone, lead id)."""
    phone = new_phone()
    key = contact_key(stack.settings.CONTACT_KEY_SECRET, phone)
    async with sessions.begin() as session:
        session.add(Contact(key=key, wa_id=phone))
    chat = Chat(stack.settings.policy)
    chat.lead.lead_id = f"race-{uuid.uuid4().hex[:12]}-{number}"
    chat.now = datetime.now(UTC)
    for text in ["Hi", *HAPPY_ANSWERS]:
        chat.say(text)
    chat.tap("review_confirm")
    assert chat.lead.status == "PENDING_APPROVAL"
    await stack.client.start_workflow(
        LeadWorkflow.run,
        LeadInput(
            contact_key=key,
            policy=stack.settings.policy,
            carried=Carried(lead=chat.lead),
            public_base_url=stack.base_url,
        ),
        id=workflow_id(key),
        task_queue=stack.settings.TEMPORAL_TASK_QUEUE,
    )
    return phone, chat.lead.lead_id


async def test_twenty_clients_tapping_the_same_time_at_once_get_one_hold(stack: Stack, sessions):
    clients = await asyncio.gather(*(started_at_approval(stack, sessions, n) for n in range(20)))

    async def projected(lead_id: str) -> bool:
        found = await stack.http.get(f"/admin/leads/{lead_id}", headers=ADMIN)
        return found.status_code == 200

    for _, lead_id in clients:
        await eventually(lambda lead_id=lead_id: projected(lead_id))
    approvals = await asyncio.gather(
        *(
            stack.http.post(f"/admin/leads/{lead_id}/approve", headers=ADMIN)
            for _, lead_id in clients
        )
    )
    assert [r.status_code for r in approvals] == [200] * 20
    lists = await asyncio.gather(
        *(eventually(lambda phone=phone: offers(stack, phone), timeout=60) for phone, _ in clients)
    )
    # The same time is on every list (offered within moments of each other).
    common = set.intersection(*(set(slot_starts(found[0])) for found in lists))
    target = min(common)

    def row_for(found: list[dict]) -> dict:
        return next(r for r in rows_of(found[0]) if r["id"].endswith(f"{target:%Y%m%dT%H%MZ}"))

    taps = await asyncio.gather(
        *(
            tap(stack, phone, row_for(found))
            for (phone, _), found in zip(clients, lists, strict=True)
        )
    )
    assert len(taps) == 20

    # Every client hears back: one gets a deposit link, nineteen are offered other times.
    def outcome(phone: str) -> str | None:
        later = [m for m in sent_to(stack, phone)]
        if any("holding" in body_of(m) for m in later):
            return "held"
        if len(offers(stack, phone)) >= 2:
            return "taken"
        return None

    outcomes = await asyncio.gather(
        *(eventually(lambda phone=phone: outcome(phone), timeout=60) for phone, _ in clients)
    )
    assert sorted(outcomes) == ["held"] + ["taken"] * 19
    winners = []
    for (phone, lead_id), result in zip(clients, outcomes, strict=True):
        active = [h for h in await holds_of(sessions, lead_id) if h.state == "held"]
        if result == "held":
            winners.append(lead_id)
            assert [h.during.lower for h in active] == [target]
        else:
            assert active == []
            retry = offers(stack, phone)[-1]
            assert target not in slot_starts(retry) and "just been taken" in body_of(retry)
    assert len(winners) == 1
    # Rejecting the winner releases the hold at once (no waiting for its hour to pass).
    reject = await stack.http.post(f"/admin/leads/{winners[0]}/reject", headers=ADMIN)
    assert reject.status_code == 200

    async def released() -> bool:
        return all(h.state == "released" for h in await holds_of(sessions, winners[0]))

    await eventually(released)


async def test_an_unreadable_calendar_offers_nothing_and_tells_the_artist(stack: Stack, sessions):
    stack.calendar.unreadable = True
    try:
        phone = await approved(stack, sessions)
        message = await eventually(
            lambda: [m for m in sent_to(stack, phone) if "can't reach" in body_of(m)], timeout=90
        )
        assert message and offers(stack, phone) == []
        # The studio's calendar page says so (the last read, noted by the activity).
        last = await CalendarReads(sessions, stack.settings.ARTIST_ID).last()
        assert last is not None and not last.ok
        assert last.calendar_id == stack.calendar.calendar_id
    finally:
        stack.calendar.unreadable = False


async def approved(stack: Stack, sessions) -> str:
    phone, approve_hash = await qualified_lead(stack, sessions)
    token = await token_from_artist(stack, approve_hash)
    assert (await stack.http.post(f"/a/{token}")).status_code == 200
    await eventually(lambda: status_is(stack, sessions, phone, "AWAITING_DEPOSIT"))
    return phone


async def booked_through_the_webhook(stack: Stack, sessions) -> tuple[str, str]:
    """A client who picked a time, paid and is booked; returns (phone, lead id)."""
    phone, approve_hash = await qualified_lead(stack, sessions)
    token = await token_from_artist(stack, approve_hash)
    assert (await stack.http.post(f"/a/{token}")).status_code == 200
    await pick_time(stack, phone, 3)
    lead = await lead_of(stack, sessions, phone)
    assert lead is not None
    session = await eventually(lambda: checkout_of(stack, lead.lead_id))
    raw, header = stack.stripe.complete(session["id"], STRIPE_SECRET)
    assert (await post_stripe(stack, raw, header)).status_code == 200
    await eventually(lambda: status_is(stack, sessions, phone, "BOOKED"))
    return phone, lead.lead_id


def events_of(stack: Stack, lead_id: str) -> dict[str, dict]:
    return {
        event_id: event
        for event_id, event in stack.calendar.events.items()
        if event["extendedProperties"]["private"]["lead_id"] == lead_id
    }


async def test_the_artist_moves_a_booking_and_the_old_event_is_cancelled(stack: Stack, sessions):
    phone, lead_id = await booked_through_the_webhook(stack, sessions)
    [(old_id, old)] = events_of(stack, lead_id).items()
    moved = await stack.http.post(f"/admin/leads/{lead_id}/offer-times", headers=ADMIN)
    assert moved.status_code == 200 and moved.json()["status"] == "BOOKING_PENDING"
    offer = await eventually(
        lambda: [m for m in offers(stack, phone) if "can move your session" in body_of(m)]
    )
    # Until the client picks, the booking stands.
    assert stack.calendar.events[old_id]["status"] == "confirmed"
    row = next(r for r in rows_of(offer[0]) if r["id"] != "slot:more")
    await tap(stack, phone, row)
    await eventually(lambda: status_is(stack, sessions, phone, "BOOKED"))

    async def swapped() -> bool:
        states = sorted(h.state for h in await holds_of(sessions, lead_id))
        return states == ["booked", "released"]

    await eventually(swapped)
    # cancel_booking releases our rows first, then takes the event out of the calendar: wait.
    await eventually(lambda: events_of(stack, lead_id)[old_id]["status"] == "cancelled")
    mine = events_of(stack, lead_id)
    [new] = [e for i, e in mine.items() if i != old_id]
    assert new["status"] == "confirmed" and new["start"] != old["start"]
    paid_for = [s for s in stack.stripe.sessions.values() if s["metadata"]["lead_id"] == lead_id]
    assert len(paid_for) == 1  # moving a paid booking asks for no second deposit


async def test_the_artist_cancels_a_booking_and_the_time_is_free_again(stack: Stack, sessions):
    phone, lead_id = await booked_through_the_webhook(stack, sessions)
    [event_id] = events_of(stack, lead_id)
    cancelled = await stack.http.post(f"/admin/leads/{lead_id}/cancel-booking", headers=ADMIN)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "CANCELLED"
    told = await eventually(
        lambda: [m for m in sent_to(stack, phone) if "has been cancelled" in body_of(m)]
    )
    assert told

    async def freed() -> bool:
        return [h.state for h in await holds_of(sessions, lead_id)] == ["released"]

    await eventually(freed)
    assert stack.calendar.events[event_id]["status"] == "cancelled"
    again = await stack.http.post(f"/admin/leads/{lead_id}/cancel-booking", headers=ADMIN)
    assert again.status_code == 409  # the run has ended: nothing to cancel twice


async def test_a_checkout_stripe_refuses_lets_the_time_go_and_tells_both(stack: Stack, sessions):
    phone, approve_hash = await qualified_lead(stack, sessions)
    token = await token_from_artist(stack, approve_hash)
    assert (await stack.http.post(f"/a/{token}")).status_code == 200
    lead = await eventually(lambda: status_is(stack, sessions, phone, "AWAITING_DEPOSIT"))
    stack.stripe.fail_next(400)  # e.g. a bad API key: not worth retrying
    await pick_time(stack, phone)
    told = await eventually(
        lambda: [
            m for m in sent_to(stack, phone) if "couldn't make your payment link" in body_of(m)
        ]
    )
    assert told and checkout_of(stack, lead.lead_id) is None

    async def let_go() -> bool:
        return [h.state for h in await holds_of(sessions, lead.lead_id)] == ["released"]

    await eventually(let_go)
    await eventually(
        lambda: any(
            "couldn't create" in body_of(m) and lead.lead_id[:8] in body_of(m)
            for m in sent_to(stack, ARTIST)
        )
    )
