"""Deposits: the Stripe adapter against the fake Stripe API (what Stripe is sent, idempotency,
reuse, expiry, error kinds), the sandbox checkout on PostgreSQL, and webhook events in our
terms."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.errors import ProviderError
from activities.payments import (
    CheckoutRequest,
    CheckoutSession,
    PaymentActivities,
    SandboxCheckout,
    StripeCheckout,
    worth_reusing,
)
from api.stripe_events import BadStripeSignature, to_payment_event, verify
from tests.fakes.stripe_api import FakeStripe, sign, signed_event

SECRET_KEY = "sk_test_payments"
WEBHOOK_SECRET = "whsec_payments"
asyncio_session = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture(scope="module")
def fake_stripe() -> Iterator[FakeStripe]:
    with FakeStripe(secret_key=SECRET_KEY) as fake:
        yield fake


@pytest_asyncio.fixture(loop_scope="session")
async def checkout(fake_stripe: FakeStripe) -> AsyncIterator[StripeCheckout]:
    fake_stripe.clear()
    adapter = StripeCheckout(SECRET_KEY, fake_stripe.base_url)
    yield adapter
    await adapter.aclose()


def deposit(
    *,
    lead_id: str = "lead-1",
    amount_pence: int = 5000,
    expires_in: timedelta = timedelta(hours=2),
    key: str | None = None,
    reuse: str | None = None,
) -> CheckoutRequest:
    return CheckoutRequest(
        lead_id=lead_id,
        workflow_id=f"lead:{lead_id}",
        amount_pence=amount_pence,
        description="Forearm rose, about 10 cm",
        idempotency_key=key or f"deposit:{lead_id}:{uuid.uuid4().hex}",
        expires_at=datetime.now(UTC) + expires_in,
        success_url="https://example.test/paid",
        cancel_url="https://example.test/cancelled",
        reuse_session_id=reuse,
    )


async def paid_event(fake: FakeStripe, checkout: StripeCheckout) -> tuple[str, bytes, str]:
    """A session for lead-1, paid; its id and the signed completion event."""
    session = await checkout.create(deposit())
    raw, header = fake.complete(session.session_id, WEBHOOK_SECRET)
    return session.session_id, raw, header


# -- creating a session ------------------------------------------------------------------------


@asyncio_session
async def test_deposit_session_carries_the_lead_on_the_session_and_the_payment_intent(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    session = await checkout.create(deposit(amount_pence=7500))

    stored = fake_stripe.sessions[session.session_id]
    assert session.session_id.startswith("cs_test_")
    assert session.status == "open"
    assert session.url == stored["url"]
    assert stored["mode"] == "payment"
    assert (stored["amount_total"], stored["currency"]) == (7500, "gbp")
    assert stored["client_reference_id"] == "lead-1"
    ids = {"lead_id": "lead-1", "workflow_id": "lead:lead-1"}
    assert stored["metadata"] == ids
    [sent] = fake_stripe.create_requests
    assert sent["payment_intent_data"] == {"metadata": ids}
    [item] = sent["line_items"]
    assert item["price_data"]["product_data"] == {
        "name": "Tattoo deposit",
        "description": "Forearm rose, about 10 cm",
    }
    assert item["quantity"] == "1"
    assert (sent["success_url"], sent["cancel_url"]) == (
        "https://example.test/paid",
        "https://example.test/cancelled",
    )


@asyncio_session
async def test_expiry_asked_beyond_24_hours_is_brought_under_stripes_limit(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    session = await checkout.create(deposit(expires_in=timedelta(hours=48)))

    stored = fake_stripe.sessions[session.session_id]
    lifetime = stored["expires_at"] - stored["created"]
    assert 23 * 3600 < lifetime < 24 * 3600
    assert int(session.expires_at.timestamp()) == stored["expires_at"]


@asyncio_session
async def test_expiry_asked_under_30_minutes_is_raised_to_stripes_minimum(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    session = await checkout.create(deposit(expires_in=timedelta(minutes=5)))

    stored = fake_stripe.sessions[session.session_id]
    assert 30 * 60 <= stored["expires_at"] - stored["created"] < 35 * 60


@asyncio_session
async def test_same_idempotency_key_twice_makes_one_session(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    request = deposit()

    first = await checkout.create(request)
    again = await checkout.create(request)

    assert again == first
    assert fake_stripe.created_count == 1


@asyncio_session
async def test_retry_after_an_outage_with_the_same_key_makes_one_session(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    request = deposit()
    fake_stripe.fail_next(503)

    with pytest.raises(ProviderError) as failed:
        await checkout.create(request)
    assert failed.value.type == "PaymentRetry"
    await checkout.create(request)

    assert fake_stripe.created_count == 1


@asyncio_session
@pytest.mark.parametrize("status", [500, 502, 429, 409])
async def test_outages_rate_limits_and_key_conflicts_are_retryable(
    fake_stripe: FakeStripe, checkout: StripeCheckout, status: int
) -> None:
    fake_stripe.fail_next(status)

    with pytest.raises(ProviderError) as failed:
        await checkout.create(deposit())

    assert failed.value.type == "PaymentRetry"
    assert failed.value.retryable


@asyncio_session
async def test_stripe_unreachable_is_retryable() -> None:
    with socket.socket() as closed:  # bound, never listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        adapter = StripeCheckout(SECRET_KEY, f"http://127.0.0.1:{closed.getsockname()[1]}")
        try:
            with pytest.raises(ProviderError) as failed:
                await adapter.create(deposit())
        finally:
            await adapter.aclose()

    assert failed.value.type == "PaymentRetry"


@asyncio_session
async def test_invalid_request_is_not_retryable(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    fake_stripe.fail_next(400)

    with pytest.raises(ProviderError) as failed:
        await checkout.create(deposit())

    assert failed.value.type == "PaymentRejected"
    assert not failed.value.retryable


@asyncio_session
async def test_amount_under_stripes_minimum_charge_is_rejected(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    with pytest.raises(ProviderError) as failed:
        await checkout.create(deposit(amount_pence=10))

    assert failed.value.type == "PaymentRejected"
    assert "0.30" in failed.value.message
    assert fake_stripe.created_count == 0


@asyncio_session
async def test_wrong_api_key_is_rejected(fake_stripe: FakeStripe) -> None:
    adapter = StripeCheckout("sk_test_wrong", fake_stripe.base_url)
    try:
        with pytest.raises(ProviderError) as failed:
            await adapter.create(deposit())
    finally:
        await adapter.aclose()

    assert failed.value.type == "PaymentRejected"
    assert "401" in failed.value.message


@asyncio_session
async def test_key_reused_for_another_amount_asks_for_a_new_key(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    await checkout.create(deposit(key="deposit:lead-1:1"))

    with pytest.raises(ProviderError) as failed:
        await checkout.create(deposit(key="deposit:lead-1:1", amount_pence=9000))

    assert failed.value.type == "PaymentKeyReused"
    assert fake_stripe.created_count == 1


# -- sending the link again ----------------------------------------------------------------------


@asyncio_session
async def test_link_asked_for_again_reuses_the_open_session(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    first = await checkout.create(deposit())

    again = await checkout.create(deposit(reuse=first.session_id))

    assert again == first
    assert fake_stripe.created_count == 1


@asyncio_session
async def test_link_asked_for_again_after_expiry_is_a_new_session(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    first = await checkout.create(deposit())
    await checkout.expire(first.session_id)

    again = await checkout.create(deposit(reuse=first.session_id))

    assert again.session_id != first.session_id
    assert again.status == "open"
    assert fake_stripe.created_count == 2


@asyncio_session
async def test_link_asked_for_again_after_payment_returns_the_paid_session(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    session_id, _, _ = await paid_event(fake_stripe, checkout)

    again = await checkout.create(deposit(reuse=session_id))

    assert (again.session_id, again.status) == (session_id, "complete")
    assert fake_stripe.created_count == 1


@asyncio_session
async def test_link_asked_for_again_with_an_unknown_session_is_a_new_session(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    again = await checkout.create(deposit(reuse="cs_sandbox_from_the_demo"))

    assert again.status == "open"
    assert fake_stripe.created_count == 1


def test_open_link_is_worth_resending_only_with_more_than_30_minutes_left() -> None:
    now = datetime.now(UTC)

    def session(status: str, left: timedelta) -> CheckoutSession:
        return CheckoutSession("cs_test_1", "https://pay.test", now + left, status)

    assert worth_reusing(session("open", timedelta(minutes=31)), now)
    assert not worth_reusing(session("open", timedelta(minutes=29)), now)
    assert not worth_reusing(session("expired", timedelta(hours=3)), now)
    assert worth_reusing(session("complete", timedelta(minutes=-5)), now)


# -- expiring ------------------------------------------------------------------------------------


@asyncio_session
async def test_expire_closes_an_open_session_and_is_a_no_op_afterwards(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    session = await checkout.create(deposit())

    await checkout.expire(session.session_id)
    await checkout.expire(session.session_id)

    assert fake_stripe.sessions[session.session_id]["status"] == "expired"


@asyncio_session
async def test_expire_leaves_a_paid_session_paid(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    session_id, _, _ = await paid_event(fake_stripe, checkout)

    await checkout.expire(session_id)

    assert fake_stripe.sessions[session_id]["status"] == "complete"


@asyncio_session
async def test_expire_of_an_unknown_session_is_rejected(checkout: StripeCheckout) -> None:
    with pytest.raises(ProviderError) as failed:
        await checkout.expire("cs_test_nope")

    assert failed.value.type == "PaymentRejected"


# -- the activities ------------------------------------------------------------------------------


@asyncio_session
async def test_activity_returns_the_session(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    activities = PaymentActivities(checkout)

    session = await ActivityEnvironment().run(activities.create_checkout, deposit())

    assert fake_stripe.sessions[session.session_id]["status"] == "open"


@asyncio_session
async def test_activity_fails_for_good_on_a_refusal_and_retries_an_outage(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    activities = PaymentActivities(checkout)
    env = ActivityEnvironment()

    fake_stripe.fail_next(400)
    with pytest.raises(ApplicationError) as refused:
        await env.run(activities.create_checkout, deposit())
    fake_stripe.fail_next(500)
    with pytest.raises(ApplicationError) as outage:
        await env.run(activities.expire_checkout, "cs_test_any")

    assert (refused.value.type, refused.value.non_retryable) == ("PaymentRejected", True)
    assert (outage.value.type, outage.value.non_retryable) == ("PaymentRetry", False)


# -- the sandbox (demo) checkout -----------------------------------------------------------------


@pytest.fixture
def sandbox(sessions) -> SandboxCheckout:
    return SandboxCheckout(sessions, "http://localhost:8000/")


@asyncio_session
async def test_sandbox_same_key_is_the_same_session_with_a_demo_page_url(
    sandbox: SandboxCheckout,
) -> None:
    request = deposit(lead_id=f"lead-{uuid.uuid4().hex[:8]}")

    first = await sandbox.create(request)
    again = await sandbox.create(request)

    assert again == first
    assert first.session_id.startswith("cs_sandbox_")
    assert first.url == f"http://localhost:8000/demo/checkout/{first.session_id}"
    assert first.status == "open"


@asyncio_session
async def test_sandbox_key_used_for_another_lead_is_refused(sandbox: SandboxCheckout) -> None:
    key = f"deposit:{uuid.uuid4().hex}"
    await sandbox.create(deposit(lead_id="lead-a", key=key))

    with pytest.raises(ProviderError) as failed:
        await sandbox.create(deposit(lead_id="lead-b", key=key))

    assert failed.value.type == "PaymentKeyReused"


@asyncio_session
async def test_sandbox_expiry_is_clamped_reused_and_expired_like_stripe(
    sandbox: SandboxCheckout,
) -> None:
    asked_at = datetime.now(UTC)
    first = await sandbox.create(deposit(expires_in=timedelta(hours=48)))
    assert timedelta(hours=23) < first.expires_at - asked_at < timedelta(hours=24)

    assert await sandbox.create(deposit(reuse=first.session_id)) == first
    await sandbox.expire(first.session_id)
    replaced = await sandbox.create(deposit(reuse=first.session_id))

    assert replaced.session_id != first.session_id
    expired = await sandbox.find(first.session_id)
    assert expired is not None and expired.status == "expired"


# -- webhook signatures --------------------------------------------------------------------------


@asyncio_session
async def test_verify_accepts_an_event_stripe_signed(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    session_id, raw, header = await paid_event(fake_stripe, checkout)

    event = verify(raw, header, WEBHOOK_SECRET)

    assert event["type"] == "checkout.session.completed"
    assert event["data"]["object"]["id"] == session_id


def test_verify_rejects_forged_missing_stale_and_unreadable_deliveries() -> None:
    raw, header = signed_event("checkout.session.expired", {"id": "cs_test_1"}, WEBHOOK_SECRET)
    _, forged = signed_event("checkout.session.expired", {"id": "cs_test_1"}, "whsec_other")
    stale = sign(raw, WEBHOOK_SECRET, timestamp=int(time.time()) - 400)
    tampered = raw.replace(b"cs_test_1", b"cs_test_2")
    not_json = b"not json"

    for body, signature in [
        (raw, forged),
        (raw, None),
        (raw, ""),
        (raw, stale),
        (tampered, header),
        (not_json, sign(not_json, WEBHOOK_SECRET)),
        (b"[]", sign(b"[]", WEBHOOK_SECRET)),
    ]:
        with pytest.raises(BadStripeSignature):
            verify(body, signature, WEBHOOK_SECRET)
    with pytest.raises(BadStripeSignature):
        verify(raw, header, "")


# -- events in our terms -------------------------------------------------------------------------


@asyncio_session
async def test_paid_completion_is_paid_with_the_lead_and_the_amount(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    session_id, raw, header = await paid_event(fake_stripe, checkout)

    event = to_payment_event(verify(raw, header, WEBHOOK_SECRET))

    assert event.kind == "paid"
    assert event.event_id.startswith("evt_")
    assert (event.session_id, event.lead_id, event.workflow_id) == (
        session_id,
        "lead-1",
        "lead:lead-1",
    )
    assert event.payment_intent == fake_stripe.sessions[session_id]["payment_intent"]
    assert (event.amount_pence, event.currency) == (5000, "gbp")
    assert abs(event.created - time.time()) < 60


@asyncio_session
async def test_delayed_payment_is_pending_then_paid_or_failed(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    cleared = await checkout.create(deposit())
    bounced = await checkout.create(deposit())

    def kind(delivery: tuple[bytes, str]) -> str:
        return to_payment_event(verify(*delivery, WEBHOOK_SECRET)).kind

    completions = [
        kind(fake_stripe.complete(s.session_id, WEBHOOK_SECRET, async_payment=True))
        for s in (cleared, bounced)
    ]
    assert completions == ["pending", "pending"]
    assert kind(fake_stripe.async_result(cleared.session_id, WEBHOOK_SECRET, True)) == "paid"
    assert kind(fake_stripe.async_result(bounced.session_id, WEBHOOK_SECRET, False)) == "failed"


@asyncio_session
async def test_expired_session_event_is_expired_for_its_lead(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    session = await checkout.create(deposit())

    event = to_payment_event(
        verify(*fake_stripe.expire_event(session.session_id, WEBHOOK_SECRET), WEBHOOK_SECRET)
    )

    assert (event.kind, event.session_id, event.lead_id) == (
        "expired",
        session.session_id,
        "lead-1",
    )
    assert event.payment_intent is None


@asyncio_session
async def test_refund_is_traced_to_the_lead_through_the_payment_intent_metadata(
    fake_stripe: FakeStripe, checkout: StripeCheckout
) -> None:
    session_id, _, _ = await paid_event(fake_stripe, checkout)

    partial = to_payment_event(
        verify(*fake_stripe.refund_event(session_id, WEBHOOK_SECRET, 2000), WEBHOOK_SECRET)
    )
    rest = to_payment_event(
        verify(*fake_stripe.refund_event(session_id, WEBHOOK_SECRET), WEBHOOK_SECRET)
    )

    assert (partial.kind, partial.lead_id, partial.workflow_id) == (
        "refunded",
        "lead-1",
        "lead:lead-1",
    )
    assert partial.session_id is None
    assert partial.payment_intent == fake_stripe.sessions[session_id]["payment_intent"]
    # Stripe reports the total refunded so far, not this refund's amount.
    assert (partial.amount_pence, rest.amount_pence) == (2000, 5000)


def test_unknown_and_odd_events_are_answers_not_errors() -> None:
    unknown = json.loads(signed_event("customer.created", {"id": "cus_1"}, "s")[0])
    bare_session = json.loads(
        signed_event(
            "checkout.session.completed",
            {"id": "cs_test_1", "object": "checkout.session", "payment_status": "paid"},
            "s",
        )[0]
    )

    assert to_payment_event(unknown).kind == "ignored"
    bare = to_payment_event(bare_session)
    assert (bare.kind, bare.session_id, bare.lead_id, bare.workflow_id) == (
        "paid",
        "cs_test_1",
        None,
        None,
    )
    assert bare.amount_pence is None
    assert to_payment_event({}).kind == "ignored"
    assert to_payment_event({"type": "charge.refunded", "data": None}).lead_id is None
