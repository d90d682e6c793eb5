"""Choosing a time and booking it (reference §13–§14, and the "Phase 2" it never built).

After approval the client is offered free times; their pick is held in PostgreSQL while they
pay; the paid hold becomes a calendar event and the lead is BOOKED, with reminders before the
appointment. Pure like the rest of the core: the lead says what it needs next (`next_need`) and
the workflow fulfils it with an activity and hands the result back (`offer`, `held`,
`released`, `booked`), each a Turn.
"""

from consultation.booking.appointment import call_off, move, timers
from consultation.booking.choosing import on_message
from consultation.booking.holds import after_payment, bind_session, give_up_hold, held_text
from consultation.booking.needs import (
    CHOOSING,
    HOLDING,
    BookHold,
    CancelBooking,
    FindTimes,
    MakeCheckout,
    Need,
    PlaceHold,
    ReleaseHold,
    event_id,
    needs_checkout,
    next_need,
    rules_of,
)
from consultation.booking.results import (
    booked,
    calendar_failed,
    checkout_failed,
    held,
    offer,
    released,
    taken_out,
)
from consultation.booking.rounds import new_round, restart
from consultation.booking.windows import windows_to_artist
from consultation.booking.wording import checkout_description

__all__ = [
    "CHOOSING",
    "HOLDING",
    "BookHold",
    "CancelBooking",
    "FindTimes",
    "MakeCheckout",
    "Need",
    "PlaceHold",
    "ReleaseHold",
    "after_payment",
    "bind_session",
    "booked",
    "calendar_failed",
    "call_off",
    "checkout_failed",
    "event_id",
    "give_up_hold",
    "held",
    "held_text",
    "checkout_description",
    "move",
    "needs_checkout",
    "new_round",
    "next_need",
    "offer",
    "on_message",
    "released",
    "restart",
    "rules_of",
    "taken_out",
    "timers",
    "windows_to_artist",
]
