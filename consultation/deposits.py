"""Deposits: the amount locked at approval, the checkout links the client pays with, and what
each payment event does to the lead. Pure: the workflow makes the Stripe sessions and passes
their details in."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from datetime import datetime, timedelta

from consultation import booking, outbound, pricing
from consultation.lead import Deposit, Lead, Payment, PaymentKind, Policy, Turn
from consultation.money import format_money
from consultation.reply import Reply
from consultation.statuses import Status, can_transition
from consultation.templates import template
from consultation.terms import deposit_terms

# A link this close to its end is not worth showing: the client may tap it too late.
LINK_MARGIN = timedelta(minutes=30)
# Paid in these, the booking goes ahead: the payment is what the lead was waiting for (a payment
# just after our expiry still counts, as the checkout session can outlive it).
PAYABLE = frozenset({Status.AWAITING_DEPOSIT, Status.DEPOSIT_EXPIRED})
# Paid while the artist still has to decide: kept, and the artist asked to go on or refund.
# (Collecting the client's preferred times: the artist decides what to offer.)
UNDECIDED = frozenset(
    {
        Status.PENDING_APPROVAL,
        Status.NEEDS_FOLLOW_UP,
        Status.NEEDS_ARTIST_REPLY,
        Status.COLLECTING_TIME_WINDOWS,
    }
)


def lock(lead: Lead, policy: Policy) -> Deposit:
    """The deposit for the lead's estimate (§6.3: by category, XL by days; the region sets the
    minimum budget, not the deposit), kept on the lead so later pricing changes cannot move it."""
    if lead.estimate is None:
        lead.estimate = pricing.estimate_lead(lead, policy.prices)
    # Checkout links already made for this lead keep their numbers: their idempotency keys are
    # spent, so a deposit locked again (a lead back from STALE) must not reuse them.
    made = lead.deposit.attempt if lead.deposit else 0
    lead.deposit = Deposit(
        amount_pence=lead.estimate.deposit_pence,
        rule_version=policy.deposit_rule_version,
        attempt=made,
    )
    return lead.deposit


def link_usable(deposit: Deposit, now: datetime) -> bool:
    return (
        deposit.url is not None
        and deposit.expires_at is not None
        and deposit.expires_at - now > LINK_MARGIN
    )


def deposit_link(
    lead: Lead, session_id: str, url: str, expires_at: datetime, now: datetime, policy: Policy
) -> Turn:
    """Record the checkout session made for the held slot and send the client its link."""
    reply = Reply(deepcopy(lead), now, policy)
    deposit = reply.lead.deposit
    if deposit is None:
        raise ValueError("deposit_link for a lead without a deposit")
    if not booking.needs_checkout(reply.lead):
        # The lead moved on (paid, rejected, the hold given up) while the session was being
        # made: keep a trace of the unused session rather than send a link nobody wants.
        reply.event("deposit.link_unused", "WARN", session_id=session_id)
        return reply.turn()
    deposit.attempt += 1
    deposit.session_id, deposit.url, deposit.expires_at = session_id, url, expires_at
    if deposit.sent_at is None:
        deposit.sent_at = now
    # The first link for this hold, or a fresh one after a failed payment.
    fresh = reply.lead.booking.hold is not None and reply.lead.booking.hold.session_id
    booking.bind_session(reply.lead, session_id)
    send_link(reply, "again" if fresh else "held")
    reply.event("deposit.link", attempt=str(deposit.attempt), session_id=session_id)
    return reply.turn()


def send_link(reply: Reply, reason: str) -> None:
    """The client's deposit message for the held slot with its link; `reason` (held | again |
    reminder) picks the opening line. The link works as long as the hold."""
    deposit = reply.lead.deposit
    if deposit is None or deposit.url is None or deposit.expires_at is None:
        raise ValueError("send_link without a current link")
    amount = format_money(deposit.amount_pence, reply.policy.currency)
    minutes = max(1, round((deposit.expires_at - reply.now) / timedelta(minutes=1)))
    expires = f"{minutes} minutes" if minutes < 120 else f"{round(minutes / 60)} hours"
    body = reply.say(
        "deposit.link.held",
        intro=reply.say(f"deposit.intro.{reason}"),
        amount=amount,
        url=deposit.url,
        policy=deposit_terms(reply.policy),
        **booking.held_text(reply),
    )
    key = "deposit.reminder" if reason == "reminder" else "deposit.link"
    fallback = template("deposit_link", reply.policy.artist_name, amount, deposit.url, expires)
    reply.send(outbound.text("client", body, key, fallback))


def settle(reply: Reply, session_id: str | None = None) -> None:
    """The deposit is paid and the artist wants the booking: book the held slot (the workflow
    does, `booking.next_need`), or let the client pick one."""
    deposit = reply.lead.deposit
    if deposit is None or deposit.paid_at is None:
        raise ValueError("settle without a paid deposit")
    reply.move(Status.DEPOSIT_PAID)
    reply.event("deposit.paid", amount_pence=str(deposit.paid_pence or deposit.amount_pence))
    booking.after_payment(reply, session_id)


# -- payments -----------------------------------------------------------------------------------


def apply_payment(lead: Lead, payment: Payment, now: datetime, policy: Policy) -> Turn:
    """One payment event. Idempotent: providers redeliver, so an event already applied (by id,
    or the same kind for the same payment) changes nothing. Money is never lost: a payment the
    lead was not waiting for is recorded and the artist asked what to do."""
    reply = Reply(deepcopy(lead), now, policy)
    keys = _payment_keys(payment)
    handler = _HANDLERS.get(payment.kind)
    if payment.kind == PaymentKind.IGNORED or any(key in reply.lead.payments for key in keys):
        return reply.turn()
    reply.lead.payments.extend(keys)
    if handler is None:
        reply.event("payment.unknown_kind", "WARN", kind=payment.kind, event_id=payment.event_id)
    else:
        handler(reply, payment)
    return reply.turn()


def _payment_keys(payment: Payment) -> list[str]:
    """What makes an event a repeat: its id, and (except for refunds, which can come in parts)
    its kind for the same payment. A Checkout Session is paid at most once, and Stripe may send
    a later "paid" event for it (a new event id) with or without the PaymentIntent, so both the
    session and the PaymentIntent identify the payment."""
    keys = [payment.event_id]
    if payment.kind != PaymentKind.REFUNDED:
        for subject in (payment.payment_intent, payment.session_id):
            if subject:
                keys.append(f"{payment.kind}:{subject}")
    return keys


def _detail(payment: Payment) -> dict[str, str]:
    return {
        "event_id": payment.event_id,
        "session_id": payment.session_id or "",
        "payment_intent": payment.payment_intent or "",
        "amount_pence": "" if payment.amount_pence is None else str(payment.amount_pence),
    }


def _paid(reply: Reply, payment: Payment) -> None:
    lead = reply.lead
    status = lead.status
    deposit = lead.deposit
    if deposit is None and status in PAYABLE | UNDECIDED:
        deposit = lock(lead, reply.policy)
    first = deposit is not None and deposit.paid_at is None
    if deposit is not None and first:
        deposit.paid_at, deposit.paid_pence = reply.now, payment.amount_pence
        deposit.payment_intent = payment.payment_intent
    amount = format_money(
        payment.amount_pence or (deposit.amount_pence if deposit else 0), reply.policy.currency
    )
    notes = []
    if deposit is not None and first and payment.amount_pence not in (None, deposit.amount_pence):
        expected = format_money(deposit.amount_pence, reply.policy.currency)
        reply.event("payment.mismatch", "WARN", expected_pence=str(deposit.amount_pence),
                    **_detail(payment))  # fmt: skip
        notes.append(reply.say("artist.payment_mismatch", paid=amount, expected=expected))
    if first and status in PAYABLE:
        settle(reply, payment.session_id)
        # Once booked the artist hears it with the date; before that, only what needs them.
        if reply.lead.status == Status.BOOKING_PENDING:
            reply.tell_artist("artist.deposit_paid", *notes, amount=amount)
        elif notes:
            reply.tell_artist("artist.deposit_received", *notes, amount=amount)
        return
    state = reply.say(f"state.{status.lower()}")
    if first and status in UNDECIDED:
        reply.event(f"payment.while_{status.lower()}", "WARN", **_detail(payment))
        reply.tell_artist("artist.payment_waiting", *notes, amount=amount, state=state)
    else:
        reply.event("payment.unexpected", "ERROR", status=status, **_detail(payment))
        reply.tell_artist("artist.payment_unexpected", *notes, amount=amount, state=state)
    if status != Status.OPTOUT:
        body = reply.say("payment.received", amount=amount)
        fallback = template("payment_received", reply.policy.artist_name, amount)
        reply.send(outbound.text("client", body, "payment.received", fallback))


def _is_current(reply: Reply, payment: Payment) -> bool:
    """The event is about the link the client has now (not one replaced since), unpaid."""
    deposit = reply.lead.deposit
    return (
        reply.lead.status == Status.AWAITING_DEPOSIT
        and deposit is not None
        and deposit.paid_at is None
        and payment.session_id in (None, deposit.session_id)
    )


def _pending(reply: Reply, payment: Payment) -> None:
    reply.event("payment.pending", **_detail(payment))
    if reply.lead.status in PAYABLE:
        reply.send(outbound.text("client", reply.say("payment.pending"), "payment.pending"))


def _failed(reply: Reply, payment: Payment) -> None:
    reply.event("payment.failed", **_detail(payment))
    if _is_current(reply, payment) and reply.lead.deposit is not None:
        reply.lead.deposit.url = None  # the workflow makes a fresh link, which follows this
        reply.send(outbound.text("client", reply.say("payment.failed"), "payment.failed"))


def _expired(reply: Reply, payment: Payment) -> None:
    reply.event("deposit.session_expired", **_detail(payment))
    deposit = reply.lead.deposit
    if _is_current(reply, payment) and deposit is not None:
        # Only noted: the next reminder, `send_deposit` or client message makes a fresh link.
        deposit.expires_at = min(deposit.expires_at or reply.now, reply.now)


def _refunded(reply: Reply, payment: Payment) -> None:
    lead = reply.lead
    deposit = lead.deposit
    reply.event("payment.refunded", **_detail(payment))
    refunded = payment.amount_pence or 0
    if deposit is not None:
        # The amount is the running total, so the largest seen is the truth whatever the order.
        deposit.refunded_pence = refunded = max(deposit.refunded_pence, refunded)
        whole = refunded >= (deposit.paid_pence or deposit.amount_pence)
        if whole and lead.status != Status.BOOKED and can_transition(lead.status, Status.REFUNDED):
            reply.move(Status.REFUNDED)
    reply.tell_artist("artist.refunded", amount=format_money(refunded, reply.policy.currency))


_HANDLERS: dict[str, Callable[[Reply, Payment], None]] = {
    PaymentKind.PAID: _paid,
    PaymentKind.PENDING: _pending,
    PaymentKind.FAILED: _failed,
    PaymentKind.EXPIRED: _expired,
    PaymentKind.REFUNDED: _refunded,
}
