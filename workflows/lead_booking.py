"""The booking needs of a lead (`booking.next_need`: times to offer, a pick to hold, a hold to
release, a link to make, a paid hold to book, a booking to take out) carried out through
activities, one small function per kind of need. What each result, or a step given up on after
every retry, means is the core's decision."""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.calendar import (
        BookRequest,
        BusyRequest,
        CalendarActivities,
        CancelRequest,
        HoldRequest,
    )
    from activities.payments import CheckoutRequest, PaymentActivities
    from consultation.core import Lead, Policy, Turn, artist, booking, calendar_rules, failures
    from stores.spans import Span
    from workflows import calls


async def fulfil(lead: Lead, need: booking.Need, policy: Policy, base_url: str) -> Turn:
    """The turn that carries `need` out, or that says what its failure means."""
    try:
        match need:
            case booking.FindTimes():
                return await find_times(lead, need, policy)
            case booking.PlaceHold():
                return await place_hold(lead, need, policy)
            case booking.ReleaseHold():
                return await release_hold(lead, need, policy)
            case booking.CancelBooking():
                return await cancel_booking(lead, need, policy)
            case booking.MakeCheckout():
                return await make_checkout(lead, need, policy, base_url)
            case booking.BookHold():
                return await book_hold(lead, need, policy, base_url)
    except ActivityError as error:
        turn = failures.failed(lead, need, str(error.cause or error), workflow.now(), policy)
        if turn is None:
            raise
        return turn


async def find_times(lead: Lead, need: booking.FindTimes, policy: Policy) -> Turn:
    # The calendar rules are the lead's settings version's (in its policy); a run from before
    # leads took a version uses those that came back with the busy times. Either way they are
    # in history, so an edit cannot change what a running lead already decided on replay.
    view = await workflow.execute_activity_method(
        CalendarActivities.calendar_view,
        BusyRequest(lead.lead_id, need.start, need.end),
        **calls.CALENDAR,
    )
    spans = [(span.start, span.end) for span in view.busy]
    rules = calendar_rules.from_history(policy.rules or view.rules)
    return booking.offer(lead, spans, workflow.now(), policy, rules)


async def place_hold(lead: Lead, need: booking.PlaceHold, policy: Policy) -> Turn:
    held = await workflow.execute_activity_method(
        CalendarActivities.place_hold,
        HoldRequest(need.hold_id, lead.lead_id, _spans(need.spans), need.expires_at),
        **calls.CALENDAR,
    )
    return booking.held(lead, need.hold_id, need.expires_at, held.won, workflow.now(), policy)


async def release_hold(lead: Lead, need: booking.ReleaseHold, policy: Policy) -> Turn:
    await workflow.execute_activity_method(
        CalendarActivities.release_hold, need.hold.hold_id, **calls.DB_LONG
    )
    paid = lead.deposit is not None and lead.deposit.paid_at is not None
    if need.hold.session_id and not paid:
        await _expire_checkout(need.hold.session_id)
    return booking.released(lead, need.hold.hold_id, workflow.now(), policy)


async def _expire_checkout(session_id: str) -> None:
    """Close the link of a released hold. A session already completed (a payment on its way)
    cannot be expired: that payment takes the slot back if it is still free."""
    try:
        await workflow.execute_activity_method(
            PaymentActivities.expire_checkout, session_id, **calls.CHECKOUT
        )
    except ActivityError as error:
        workflow.logger.warning("checkout not expired: %s", error.cause or error)


async def cancel_booking(lead: Lead, need: booking.CancelBooking, policy: Policy) -> Turn:
    appointment = need.appointment
    await workflow.execute_activity_method(
        CalendarActivities.cancel_booking,
        CancelRequest(appointment.hold_id, appointment.event_ids),
        **calls.CALENDAR,
    )
    return booking.taken_out(lead, appointment.hold_id, workflow.now(), policy)


async def make_checkout(
    lead: Lead, need: booking.MakeCheckout, policy: Policy, base_url: str
) -> Turn:
    deposit = lead.deposit
    assert deposit is not None
    session = await workflow.execute_activity_method(
        PaymentActivities.create_checkout,
        CheckoutRequest(
            lead_id=lead.lead_id,
            workflow_id=workflow.info().workflow_id,
            amount_pence=deposit.amount_pence,
            description=booking.checkout_description(lead),
            # Derived here, so a retried activity never creates a second session.
            idempotency_key=f"{lead.lead_id}:deposit:{deposit.attempt + 1}",
            expires_at=need.expires_at,  # the hold's end: the link lives as long as the hold
            success_url=f"{base_url}/payment/success",
            cancel_url=f"{base_url}/payment/cancelled",
            reuse_session_id=deposit.session_id,
            currency=lead.currency.lower(),
        ),
        **calls.CHECKOUT,
    )
    return artist.deposit_link(
        lead, session.session_id, session.url, session.expires_at, workflow.now(), policy
    )


async def book_hold(lead: Lead, need: booking.BookHold, policy: Policy, base_url: str) -> Turn:
    # The client's "add to calendar" link: a random token (the run's seeded random, so replay
    # makes the same one), stored with the booking; no phone number or lead id in the URL.
    token = workflow.uuid4().hex
    done = await workflow.execute_activity_method(
        CalendarActivities.book_slot,
        BookRequest(
            need.hold.hold_id,
            lead.lead_id,
            workflow.info().workflow_id,
            need.event_id,
            _spans(need.spans),
            need.title,
            need.description,
            calendar_token=token,
        ),
        **calls.BOOK,
    )
    link = f"{base_url}/calendar/event/{token}.ics" if token else ""
    return booking.booked(
        lead, done.booked, done.event_ids, done.reason, workflow.now(), policy, link
    )


def _spans(intervals: list[tuple[datetime, datetime]]) -> list[Span]:
    return [Span(start, end) for start, end in intervals]
