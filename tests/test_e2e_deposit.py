"""End to end: the artist's one-tap links and Stripe deposits, through the real API, the real
workflow on the Temporal dev server, the Stripe SDK against a fake Stripe, and signed events."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from models import ActionToken, SystemEvent
from stores.tokens import token_hash
from tests.conftest import ARTIST, STRIPE_SECRET, Stack, eventually
from tests.fakes.graph_api import inbound_delivery, list_reply
from tests.fakes.stripe_api import sign, signed_event
from tests.test_e2e_whatsapp import (
    ANSWERS,
    _status_is,
    body_of,
    converse,
    lead_of,
    new_phone,
    post,
    sent_to,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")
LINK = re.compile(r"https?://\S+/a/([A-Za-z0-9_\-]+)")


async def qualified_lead(stack: Stack, sessions, budget: str = "2k") -> tuple[str, str]:
    """A client who has finished the consultation; returns (phone, approve link token)."""
    phone = new_phone()
    answers = [budget if a == "2k" else a for a in ANSWERS]
    await converse(stack, phone, ["Hi", *answers, "confirm"])
    lead = await eventually(lambda: _status_is(stack, sessions, phone, "PENDING_APPROVAL"))

    def approve_token():
        for message in sent_to(stack, ARTIST):
            text = body_of(message)
            if lead.lead_id[:8] in text or "Approve" in text:
                for url_token in LINK.findall(text):
                    return url_token
        return None

    await eventually(approve_token)
    return phone, await links_for(sessions, lead.lead_id, "approve")


async def links_for(sessions, lead_id: str, action: str) -> str:
    """The token of the newest link for `action` on this lead, found via the artist's message."""
    async with sessions() as session:
        rows = (
            await session.scalars(
                select(ActionToken)
                .where(ActionToken.lead_id == lead_id, ActionToken.action == action)
                .order_by(ActionToken.created_at.desc())
            )
        ).all()
    assert rows, f"no {action} link issued"
    return rows[0].token_hash


async def token_from_artist(stack: Stack, token_hash_value: str) -> str:
    """The link as the artist received it (the message may still be on its way)."""

    def find() -> str | None:
        for message in reversed(sent_to(stack, ARTIST)):
            for token in LINK.findall(body_of(message)):
                if token_hash(token) == token_hash_value:
                    return token
        return None

    return await eventually(find)


async def post_stripe(stack: Stack, raw: bytes, header: str):
    return await stack.http.post(
        "/webhooks/stripe",
        content=raw,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )


def booked_confirmations(stack: Stack, phone: str) -> list[dict]:
    # The read model and the replies are written side by side: wait for the message itself.
    return [m for m in sent_to(stack, phone) if "You're booked in" in body_of(m)]


def offers(stack: Stack, phone: str) -> list[dict]:
    """The lists of times the client was sent, oldest first."""
    return [
        m
        for m in sent_to(stack, phone)
        if m["type"] == "interactive"
        and m["interactive"]["type"] == "list"
        and rows_of(m)[0]["id"].startswith("slot:")
    ]


def rows_of(message: dict) -> list[dict]:
    return message["interactive"]["action"]["sections"][0]["rows"]


def slot_starts(message: dict) -> list[datetime]:
    """Each offered row's start, read back from its id ("slot:N:YYYYMMDDTHHMMZ")."""
    starts = []
    for row in rows_of(message):
        if row["id"] != "slot:more":
            stamp = row["id"].rsplit(":", 1)[1]
            starts.append(datetime.strptime(stamp, "%Y%m%dT%H%MZ").replace(tzinfo=UTC))
    return starts


async def tap(stack: Stack, phone: str, row: dict) -> None:
    response = await post(
        stack, inbound_delivery([list_reply(phone, row["id"], row["title"], row["description"])])
    )
    assert response.status_code == 200, response.text


async def pick_time(stack: Stack, phone: str, number: int = 1) -> None:
    """Tap time `number` on the latest list of times the client was sent."""
    latest = (await eventually(lambda: offers(stack, phone)))[-1]
    await tap(stack, phone, rows_of(latest)[number - 1])


def checkout_of(stack: Stack, lead_id: str) -> dict | None:
    """The Checkout Session the fake Stripe holds for this lead, once it was created."""
    return next(
        (s for s in stack.stripe.sessions.values() if s["metadata"].get("lead_id") == lead_id),
        None,
    )


async def approved_with_session(stack: Stack, sessions) -> tuple[str, str, dict]:
    phone, approve_hash = await qualified_lead(stack, sessions)
    token = await token_from_artist(stack, approve_hash)
    assert (await stack.http.post(f"/a/{token}")).status_code == 200
    lead = await eventually(lambda: _status_is(stack, sessions, phone, "AWAITING_DEPOSIT"))
    await pick_time(stack, phone)
    session = await eventually(lambda: checkout_of(stack, lead.lead_id))
    return phone, lead.lead_id, session


async def test_approve_link_offers_times_and_payment_books_the_lead(stack, sessions):
    phone, approve_hash = await qualified_lead(stack, sessions)
    token = await token_from_artist(stack, approve_hash)

    confirm = await stack.http.get(f"/a/{token}")
    assert confirm.status_code == 200 and "Approve this lead" in confirm.text
    done = await stack.http.post(f"/a/{token}")
    assert done.status_code == 200 and "Done" in done.text

    lead = await eventually(lambda: _status_is(stack, sessions, phone, "AWAITING_DEPOSIT"))
    await pick_time(stack, phone)
    session = await eventually(lambda: checkout_of(stack, lead.lead_id))
    assert session["amount_total"] == 15_000 and session["currency"] == "gbp"
    await eventually(lambda: any(session["url"] in body_of(m) for m in sent_to(stack, phone)))

    # Stripe delivers the completion twice; the client hears about it once.
    raw, header = stack.stripe.complete(session["id"], STRIPE_SECRET)
    for _ in range(2):
        response = await post_stripe(stack, raw, header)
        assert response.status_code == 200
    await eventually(lambda: _status_is(stack, sessions, phone, "BOOKED"))
    confirmations = await eventually(lambda: booked_confirmations(stack, phone))
    assert len(confirmations) == 1 and "£150" in body_of(confirmations[0])

    # The same link again: already used, nothing happens twice.
    again = await stack.http.post(f"/a/{token}")
    assert again.status_code == 409 and "already used" in again.text


async def test_two_clicks_at_once_act_exactly_once(stack, sessions):
    phone, approve_hash = await qualified_lead(stack, sessions)
    token = await token_from_artist(stack, approve_hash)
    first, second = await asyncio.gather(
        stack.http.post(f"/a/{token}"), stack.http.post(f"/a/{token}")
    )
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    lead = await eventually(lambda: _status_is(stack, sessions, phone, "AWAITING_DEPOSIT"))
    assert len(await eventually(lambda: offers(stack, phone))) == 1
    await pick_time(stack, phone)
    await eventually(lambda: checkout_of(stack, lead.lead_id))  # made for the held time
    assert len(offers(stack, phone)) == 1  # the times went out once
    created = [
        s for s in stack.stripe.sessions.values() if s["metadata"].get("lead_id") == lead.lead_id
    ]
    assert len(created) == 1


async def test_forged_expired_and_stale_links_are_refused(stack, sessions):
    assert (await stack.http.get("/a/not-a-real-token")).status_code == 404
    assert (await stack.http.post("/a/not-a-real-token")).status_code == 404

    phone, approve_hash = await qualified_lead(stack, sessions)
    lead = await lead_of(stack, sessions, phone)
    reject_token = await token_from_artist(stack, await links_for(sessions, lead.lead_id, "reject"))
    approve_token = await token_from_artist(stack, approve_hash)

    # Expired: the page says so and nothing changes.
    async with sessions.begin() as session:
        await session.execute(
            update(ActionToken)
            .where(ActionToken.token_hash == token_hash(reject_token))
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    expired = await stack.http.post(f"/a/{reject_token}")
    assert expired.status_code == 410 and "expired" in expired.text

    # Rejected via the admin API; the approve link was issued for PENDING_APPROVAL: no longer.
    headers = {"X-Admin-API-Key": "test-admin-key"}
    rejected = await stack.http.post(f"/admin/leads/{lead.lead_id}/reject", headers=headers)
    assert rejected.status_code == 200 and rejected.json()["status"] == "REJECTED"
    stale = await stack.http.post(f"/a/{approve_token}")
    assert stale.status_code == 409 and "No longer possible" in stale.text


async def test_payment_for_a_rejected_lead_is_kept_and_the_artist_asked(stack, sessions):
    phone, lead_id, session = await approved_with_session(stack, sessions)
    # The client pays just as the artist rejects: the event lands after the rejection (which
    # released the hold and tried to expire the session, too late).
    raw, header = stack.stripe.complete(session["id"], STRIPE_SECRET)
    headers = {"X-Admin-API-Key": "test-admin-key"}
    rejected = await stack.http.post(f"/admin/leads/{lead_id}/reject", headers=headers)
    assert rejected.status_code == 200
    await eventually(lambda: _status_is(stack, sessions, phone, "REJECTED"))

    before = len(sent_to(stack, ARTIST))
    assert (await post_stripe(stack, raw, header)).status_code == 200

    async def recorded():
        async with sessions() as s:
            return await s.scalar(
                select(SystemEvent).where(
                    SystemEvent.lead_id == lead_id, SystemEvent.type.like("payment.%")
                )
            )

    assert await eventually(recorded)
    await eventually(lambda: len(sent_to(stack, ARTIST)) > before)


async def test_forged_stripe_event_is_refused(stack):
    raw = b'{"id": "evt_1", "type": "checkout.session.completed"}'
    response = await post_stripe(stack, raw, "t=1,v1=00")
    assert response.status_code == 400


async def test_admin_funnel_and_csv(stack, sessions):
    await qualified_lead(stack, sessions)
    headers = {"X-Admin-API-Key": "test-admin-key"}
    funnel = (await stack.http.get("/admin/funnel?days=7", headers=headers)).json()
    assert funnel["reached"]["PENDING_APPROVAL"] >= 1
    assert funnel["total"] >= funnel["reached"]["PENDING_APPROVAL"]
    csv_text = (await stack.http.get("/admin/leads.csv", headers=headers)).text
    assert csv_text.splitlines()[0].startswith("lead_id,status")


async def test_async_payment_events_in_the_wrong_order_book_once(stack, sessions):
    phone, _, session = await approved_with_session(stack, sessions)
    completed_unpaid = stack.stripe.complete(session["id"], STRIPE_SECRET, async_payment=True)
    succeeded = stack.stripe.async_result(session["id"], STRIPE_SECRET, succeeded=True)
    # Stripe does not guarantee order: the success arrives before the "unpaid" completion.
    assert (await post_stripe(stack, *succeeded)).status_code == 200
    assert (await post_stripe(stack, *completed_unpaid)).status_code == 200
    await eventually(lambda: _status_is(stack, sessions, phone, "BOOKED"))
    assert len(await eventually(lambda: booked_confirmations(stack, phone))) == 1


async def test_a_refund_is_recorded_and_the_artist_told(stack, sessions):
    phone, lead_id, session = await approved_with_session(stack, sessions)
    assert (
        await post_stripe(stack, *stack.stripe.complete(session["id"], STRIPE_SECRET))
    ).status_code == 200
    await eventually(lambda: _status_is(stack, sessions, phone, "BOOKED"))
    before = len(sent_to(stack, ARTIST))
    refund = stack.stripe.refund_event(session["id"], STRIPE_SECRET)
    assert (await post_stripe(stack, *refund)).status_code == 200

    async def refunded():
        async with sessions() as s:
            return await s.scalar(
                select(SystemEvent).where(
                    SystemEvent.lead_id == lead_id, SystemEvent.type == "payment.refunded"
                )
            )

    assert await eventually(refunded)
    await eventually(lambda: len(sent_to(stack, ARTIST)) > before)


async def test_a_late_payment_after_an_expiry_event_still_books(stack, sessions):
    phone, lead_id, session = await approved_with_session(stack, sessions)
    paid = stack.stripe.complete(session["id"], STRIPE_SECRET)
    # Stripe does not promise order: an expiry notice for the session arrives first, then the
    # payment that beat it. The payment must still count.
    stale = signed_event(
        "checkout.session.expired", {**session, "status": "expired"}, STRIPE_SECRET
    )
    assert (await post_stripe(stack, *stale)).status_code == 200
    assert (await post_stripe(stack, *paid)).status_code == 200
    lead = await eventually(lambda: _status_is(stack, sessions, phone, "BOOKED"))
    assert lead.lead_id == lead_id
    assert len(await eventually(lambda: booked_confirmations(stack, phone))) == 1


async def test_a_second_paid_event_for_a_paid_session_is_a_repeat(stack, sessions):
    phone, lead_id, session = await approved_with_session(stack, sessions)
    assert (
        await post_stripe(stack, *stack.stripe.complete(session["id"], STRIPE_SECRET))
    ).status_code == 200
    await eventually(lambda: _status_is(stack, sessions, phone, "BOOKED"))
    await eventually(lambda: booked_confirmations(stack, phone))
    # Stripe sends "paid" for the same Checkout Session again, under a new event id.
    paid_again = signed_event(
        "checkout.session.completed", stack.stripe.sessions[session["id"]], STRIPE_SECRET
    )
    response = await post_stripe(stack, *paid_again)
    assert response.status_code == 200 and response.json()["duplicate"] is True

    async def events_of(kind: str) -> list[SystemEvent]:
        async with sessions() as s:
            query = select(SystemEvent).where(
                SystemEvent.lead_id == lead_id, SystemEvent.type == kind
            )
            return list((await s.scalars(query)).all())

    assert len(await events_of("stripe.payment_repeated")) == 1
    assert await events_of("payment.unexpected") == []
    assert not [m for m in sent_to(stack, phone) if "payment of" in body_of(m).lower()]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "evt_" + "x" * 300),
        ("lead_id", "l" * 65),
        ("session", "cs_" + "s" * 300),
        ("lead_id", "lead\u0000nul"),
    ],
)
async def test_a_signed_event_with_unstorable_fields_is_refused_with_400(
    stack, sessions, field, value
):
    obj = {
        "id": value if field == "session" else "cs_test_long_fields",
        "object": "checkout.session",
        "payment_status": "paid",
        "amount_total": 15_000,
        "metadata": {"lead_id": value if field == "lead_id" else "lead-long-fields"},
    }
    raw, _ = signed_event("checkout.session.completed", obj, STRIPE_SECRET)
    if field == "id":
        event = json.loads(raw)
        event["id"] = value
        raw = json.dumps(event).encode()

    async def refusals() -> int:
        async with sessions() as s:
            query = select(func.count()).where(SystemEvent.type == "stripe.event_invalid")
            return int(await s.scalar(query) or 0)

    before = await refusals()
    response = await post_stripe(stack, raw, sign(raw, STRIPE_SECRET))
    assert response.status_code == 400 and "Unusable Stripe event" in response.json()["error"]
    assert await refusals() == before + 1
