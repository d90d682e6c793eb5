"""Leads at each point after the consultation, built through the real functions (no hand-set
statuses where a path exists), for the artist, deposit and timer tests."""

from __future__ import annotations

from datetime import timedelta

from consultation import artist
from consultation.lead import Lead, Payment, Policy, Turn
from tests.core.chat import START, Chat

POLICY = Policy(artist_name="Sam")
LIFETIME = timedelta(hours=23)  # the workflow's checkout session lifetime


def pending_approval() -> Lead:
    """A medium piece in Leeds (UK), £2,000 budget: £150 deposit."""
    chat = Chat(POLICY)
    chat.to_summary()
    chat.tap("review_confirm")
    assert chat.lead.status == "PENDING_APPROVAL"
    return chat.lead


def link(lead: Lead, number: int = 1, hours: float = 0) -> Turn:
    """The workflow's next step after a decision that asks for a link."""
    now = START + timedelta(hours=hours)
    assert artist.needs_checkout(lead, now)
    return artist.deposit_link(
        lead, f"cs_{number}", f"https://pay.example/cs_{number}", now + LIFETIME, now, POLICY
    )


def awaiting_deposit() -> Lead:
    """Approved at START, the first link sent at START."""
    approved = artist.decide(pending_approval(), "approve", START, POLICY).lead
    return link(approved).lead


def paid(lead: Lead, event: str = "evt_1", amount: int | None = 15_000, hours: float = 1) -> Turn:
    payment = Payment(event, "paid", "cs_1", f"pi_{event}", amount)
    return artist.apply_payment(lead, payment, START + timedelta(hours=hours), POLICY)


def booking_pending() -> Lead:
    return paid(awaiting_deposit()).lead


def keys(turn: Turn, to: str) -> list[str]:
    return [reply.key for reply in turn.replies if reply.to == to]


def events(turn: Turn) -> list[str]:
    return [event.type for event in turn.events]
