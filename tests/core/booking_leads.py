"""Leads and readings shared by the booking core's tests (tests/core/test_booking*.py): times in
London, the one reply with a key, calendars, a tour, a lead booked on an offered option.

Leads are built through the real functions (tests/core/leads.py); `Workflow` fulfils each need
the core asks for as the Temporal workflow would, with a fake calendar. START is Thursday
1 May 2025, 1:00pm BST; the default offer to a medium piece on an empty calendar is:

    1. Fri 2 May, 1:00pm–4:00pm     5. Thu 8 May, 10:00am–1:00pm
    2. Sat 3 May, 1:30pm–4:30pm     6. Fri 9 May, 1:30pm–4:30pm
    3. Tue 6 May, 10:00am–1:00pm    7. Sat 10 May, 10:00am–1:00pm
    4. Wed 7 May, 1:30pm–4:30pm     8. Tue 13 May, 1:30pm–4:30pm
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from consultation import booking
from consultation.calendar_rules import BEFORE_HISTORY
from consultation.lead import Lead, Payment, Slot, TourStop, Turn
from consultation.messages import Outbound
from tests.core.chat import HAPPY_ANSWERS
from tests.core.leads import (
    POLICY,
    Workflow,
    approved,
    at,
    awaiting_deposit,
    book,
    paid,
    pending_approval,
)

# Leads here were offered times with no rules recorded, so they are decided with the week

# Leads here were offered times with no rules recorded, so they are decided with the week
# bundled before the rules travelled in history (Tue-Sat, 10:00-18:00): the scenarios' dates.
RULES = BEFORE_HISTORY
LONDON = ZoneInfo("Europe/London")
BUFFER = timedelta(minutes=RULES.buffer_minutes)


def london(y: int, m: int, d: int, h: int, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=LONDON)


def the(turn: Turn, key: str) -> Outbound:
    """The one reply with `key`."""
    found = [reply for reply in turn.replies if reply.key == key]
    assert len(found) == 1, [reply.key for reply in turn.replies]
    return found[0]


def only_day_free(day: date) -> list[tuple[datetime, datetime]]:
    """A calendar busy for weeks around START except on `day` (London)."""
    opens = datetime.combine(day, time(0), LONDON)
    return [(at(-24 * 30), opens), (opens + timedelta(days=1), at(24 * 60))]


def local_starts(slots: list[Slot]) -> list[str]:
    return [f"{slot.start.astimezone(LONDON):%a %d %H:%M}" for slot in slots]


def pay_workflow(lead: Lead, workflow: Workflow, now: datetime, event: str = "evt_1") -> Turn:
    """Paid through the link the fake workflow made (cs_w1, cs_w2 ...)."""
    session = f"cs_w{workflow.checkouts}"
    payment = Payment(event, "paid", session, f"pi_{event}", 15_000)
    return workflow.pay(lead, payment, now)


TOUR = replace(POLICY, tour=[TourStop("Berlin", "Germany", "2025-05-06", "2025-05-08")])
TOUR_DAYS = {date(2025, 5, 6), date(2025, 5, 7), date(2025, 5, 8)}


def on_tour() -> Lead:
    """A client in Berlin while the artist is there: the session is on the tour stop."""
    answers = [answer if answer != "Leeds, UK" else "Berlin, Germany" for answer in HAPPY_ANSWERS]
    lead = approved(pending_approval(TOUR, answers), policy=TOUR)
    assert lead.parsed.get("tour_city") == "Berlin"
    return lead


def booked_on(option: str, hours: float = 0.5) -> Lead:
    """Option `option` picked and held at START, paid and booked at `hours`."""
    lead = paid(awaiting_deposit(option), hours=hours).lead
    return book(lead, hours=hours).lead


def released_all(lead: Lead) -> Lead:
    while isinstance(need := booking.next_need(lead, at(0.2), POLICY), booking.ReleaseHold):
        lead = booking.released(lead, need.hold.hold_id, at(0.2), POLICY).lead
    return lead
