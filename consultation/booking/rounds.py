"""A fresh round of times: the workflow reads the calendar and `offer` sends them."""

from __future__ import annotations

from consultation.reply import Reply


def restart(reply: Reply, intro: str) -> None:
    """A fresh round of times: the workflow reads the calendar and `offer` sends them."""
    b = reply.lead.booking
    b.offered, b.seen, b.candidates, b.failures = [], [], [], 0
    b.picked, b.rebook = None, False
    b.wants_slots, b.intro = True, intro


def new_round(reply: Reply, intro: str) -> None:
    """Times offered afresh, and the deposit's reminders and expiry counted from this offer."""
    deposit = reply.lead.deposit
    if deposit is not None and deposit.paid_at is None:
        deposit.sent_at, deposit.reminders_sent = None, 0
    restart(reply, intro)
