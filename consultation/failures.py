"""What it means when a booking need could not be fulfilled: the workflow asked the calendar,
Stripe or our database for what `booking.next_need` wanted, and every retry failed."""

from __future__ import annotations

from datetime import datetime

from consultation import booking
from consultation.lead import Lead, Policy, Turn


def failed(
    lead: Lead, need: booking.Need, reason: str, now: datetime, policy: Policy
) -> Turn | None:
    """The turn for `need` given up on after `reason`; None for a need that is never given up
    on (releasing a hold is our own database, retried without limit), whose failure stands."""
    match need:
        case booking.ReleaseHold():
            return None
        case booking.MakeCheckout():
            return booking.checkout_failed(lead, reason, now, policy)
        case booking.BookHold():
            return booking.booked(lead, False, [], reason, now, policy)
        case booking.CancelBooking():
            hold_id = need.appointment.hold_id
            return booking.taken_out(lead, hold_id, now, policy, error=reason)
        case booking.FindTimes() | booking.PlaceHold():
            return booking.calendar_failed(lead, reason, now, policy)
