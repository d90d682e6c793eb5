"""Leads at each point after the consultation, built through the real functions (no hand-set
statuses where a path exists), for the artist, deposit, timer and booking tests.

After approval the workflow fulfils what the lead needs next (`booking.next_need`): each step
helper here asserts the need is the one expected, then hands back the result as the workflow
would. `Workflow` does the same in a loop, with a fake calendar, for the longer journeys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from consultation import artist, booking, engine
from consultation.lead import Appointment, Lead, Payment, Policy, Turn
from consultation.messages import Inbound, InboundKind
from tests.core.chat import START, Chat

POLICY = Policy(artist_name="Sam")
Interval = tuple[datetime, datetime]


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def pending_approval(policy: Policy = POLICY, answers: list[str] | None = None) -> Lead:
    """A medium piece in Leeds (UK), £2,000 budget: £150 deposit."""
    chat = Chat(policy)
    chat.to_summary(answers)
    chat.tap("review_confirm")
    assert chat.lead.status == "PENDING_APPROVAL"
    return chat.lead


def approved(lead: Lead | None = None, hours: float = 0, policy: Policy = POLICY) -> Lead:
    """Approved: the deposit locked, the client about to be offered times."""
    return artist.decide(lead or pending_approval(policy), "approve", at(hours), policy).lead


# -- one need at a time ---------------------------------------------------------------------------


def offer(
    lead: Lead, hours: float = 0, busy: Sequence[Interval] = (), policy: Policy = POLICY
) -> Turn:
    """The workflow read the calendar (`busy`) and hands it to `booking.offer`."""
    need = booking.next_need(lead, at(hours), policy)
    assert isinstance(need, booking.FindTimes), need
    return booking.offer(lead, list(busy), at(hours), policy)


def client(
    lead: Lead,
    text: str,
    hours: float = 0,
    choice_id: str | None = None,
    policy: Policy = POLICY,
) -> Turn:
    """A message from the client (a list or button tap when `choice_id` is given)."""
    kind: InboundKind = "choice" if choice_id else "text"
    msg = Inbound("m", int(at(hours).timestamp()), kind=kind, text=text, choice_id=choice_id)
    return engine.handle(lead, msg, at(hours), policy)


def hold(lead: Lead, won: bool = True, hours: float = 0, policy: Policy = POLICY) -> Turn:
    """The workflow placed the hold on the client's pick (or lost it to someone faster)."""
    need = booking.next_need(lead, at(hours), policy)
    assert isinstance(need, booking.PlaceHold), need
    return booking.held(lead, need.hold_id, need.expires_at, won, at(hours), policy)


def link(lead: Lead, number: int = 1, hours: float = 0, policy: Policy = POLICY) -> Turn:
    """The workflow made the checkout for the held slot, living as long as the hold."""
    need = booking.next_need(lead, at(hours), policy)
    assert isinstance(need, booking.MakeCheckout), need
    assert booking.needs_checkout(lead)
    url = f"https://pay.example/cs_{number}"
    return artist.deposit_link(lead, f"cs_{number}", url, need.expires_at, at(hours), policy)


def release(lead: Lead, hours: float = 0, policy: Policy = POLICY) -> Turn:
    need = booking.next_need(lead, at(hours), policy)
    assert isinstance(need, booking.ReleaseHold), need
    return booking.released(lead, need.hold.hold_id, at(hours), policy)


def book(lead: Lead, ok: bool = True, hours: float = 0.5, policy: Policy = POLICY) -> Turn:
    """The workflow turned the paid hold into a calendar event (or found the slot gone)."""
    need = booking.next_need(lead, at(hours), policy)
    assert isinstance(need, booking.BookHold), need
    event_ids = [need.event_id] if ok else []
    return booking.booked(lead, ok, event_ids, "" if ok else "slot taken", at(hours), policy)


def paid(
    lead: Lead,
    event: str = "evt_1",
    amount: int | None = 15_000,
    hours: float = 0.5,
    session: str | None = "cs_1",
) -> Turn:
    payment = Payment(event, "paid", session, f"pi_{event}", amount)
    return artist.apply_payment(lead, payment, at(hours), POLICY)


# -- leads at each point --------------------------------------------------------------------------


def offered(hours: float = 0) -> Lead:
    """Approved and offered the free times at `hours` (an empty calendar); nothing picked."""
    return offer(approved(hours=hours), hours).lead


def held(text: str = "1", hours: float = 0) -> Lead:
    """The client picked option `text` and it is held; the checkout not made yet."""
    return hold(client(offered(hours), text, hours).lead, hours=hours).lead


def awaiting_deposit(text: str = "1", hours: float = 0) -> Lead:
    """Approved and offered at START, option 1 picked and held until START + 1 h, its link
    (cs_1) sent at START."""
    return link(held(text, hours), hours=hours).lead


def deposit_paid() -> Lead:
    """Paid through the hold's link at 0.5 h: the workflow is to book the held slot."""
    return paid(awaiting_deposit()).lead


def booked() -> Lead:
    """Paid at 0.5 h and booked: option 1, Fri 2 May 2025 1:00pm–4:00pm BST."""
    return book(deposit_paid()).lead


def booking_pending() -> Lead:
    """Paid at 0.5 h, but the held slot was gone by the time it was booked: the artist decides
    (status since 0.5 h), the hold released."""
    return release(book(deposit_paid(), ok=False).lead, hours=0.5).lead


# -- the workflow's loop --------------------------------------------------------------------------


@dataclass
class Workflow:
    """Fulfils each need as the workflow's activities would, with a fake calendar: `busy` is
    what free/busy returns, `won` whether a hold is placed, `book_ok` whether booking works."""

    busy: list[Interval] = field(default_factory=list)
    won: bool = True
    book_ok: bool = True
    policy: Policy = field(default_factory=lambda: POLICY)
    checkouts: int = 0
    needs: list[booking.Need] = field(default_factory=list)
    taken_out: list[Appointment] = field(default_factory=list)

    def run(self, turn: Turn, now: datetime) -> Turn:
        """`turn`, then every need its lead has, as one turn with all the replies and events."""
        lead, replies, events = turn.lead, list(turn.replies), list(turn.events)
        for _ in range(20):
            need = booking.next_need(lead, now, self.policy)
            if need is None:
                return Turn(lead, replies, events)
            self.needs.append(need)
            step = self._fulfil(lead, need, now)
            lead = step.lead
            replies += step.replies
            events += step.events
        raise AssertionError("the needs never settle")

    def _fulfil(self, lead: Lead, need: booking.Need, now: datetime) -> Turn:
        policy = self.policy
        if isinstance(need, booking.FindTimes):
            return booking.offer(lead, self.busy, now, policy)
        if isinstance(need, booking.PlaceHold):
            return booking.held(lead, need.hold_id, need.expires_at, self.won, now, policy)
        if isinstance(need, booking.ReleaseHold):
            return booking.released(lead, need.hold.hold_id, now, policy)
        if isinstance(need, booking.CancelBooking):
            self.taken_out.append(need.appointment)
            return booking.taken_out(lead, need.appointment.hold_id, now, policy)
        if isinstance(need, booking.MakeCheckout):
            self.checkouts += 1
            session = f"cs_w{self.checkouts}"
            url = f"https://pay.example/{session}"
            return artist.deposit_link(lead, session, url, need.expires_at, now, policy)
        ok = self.book_ok
        ids = [need.event_id] if ok else []
        return booking.booked(lead, ok, ids, "" if ok else "slot taken", now, policy)

    def say(self, lead: Lead, text: str, now: datetime, choice_id: str | None = None) -> Turn:
        kind: InboundKind = "choice" if choice_id else "text"
        msg = Inbound("m", int(now.timestamp()), kind=kind, text=text, choice_id=choice_id)
        return self.run(engine.handle(lead, msg, now, self.policy), now)

    def remind(self, lead: Lead, now: datetime) -> Turn:
        return self.run(engine.remind(lead, now, self.policy), now)

    def decide(self, lead: Lead, action: str, now: datetime) -> Turn:
        return self.run(artist.decide(lead, action, now, self.policy), now)

    def pay(self, lead: Lead, payment: Payment, now: datetime) -> Turn:
        return self.run(artist.apply_payment(lead, payment, now, self.policy), now)

    def resume(self, lead: Lead, now: datetime) -> Turn:
        return self.run(engine.resume(lead, now, self.policy), now)


# -- reading a turn -------------------------------------------------------------------------------


def keys(turn: Turn, to: str) -> list[str]:
    return [reply.key for reply in turn.replies if reply.to == to]


def events(turn: Turn) -> list[str]:
    return [event.type for event in turn.events]


def texts(turn: Turn, to: str = "client") -> str:
    return "\n".join(reply.text for reply in turn.replies if reply.to == to)
