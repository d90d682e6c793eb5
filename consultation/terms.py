"""The deposit's terms: how they read to the client, and how a request to move a booked
session fares under them (the notice given and the free moves already used)."""

from __future__ import annotations

from consultation.copy import render
from consultation.lead import Lead, Policy


def deposit_terms(policy: Policy) -> str:
    """The terms as shown with links, confirmations and reminders: the configured notice and
    number of free moves, unless the artist wrote their own."""
    if policy.deposit_policy:
        return policy.deposit_policy
    if policy.free_moves <= 0:
        return render("terms.deposit.no_moves")
    return render(
        "terms.deposit", moves=times(policy.free_moves), hours=policy.reschedule_notice_hours
    )


def move_verdict(lead: Lead, notice_hours: int, policy: Policy) -> str:
    """A booked client asks to move: ok (covered), late (too little notice) or used (the free
    moves are spent)."""
    if lead.booking.moves >= policy.free_moves:
        return "used"
    return "ok" if notice_hours >= policy.reschedule_notice_hours else "late"


def times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")
