"""What became of a turn's messages, fed back by the workflow once they were sent, so the lead
counts the reminders that reached someone rather than those that were merely due.

A reminder's timer moves on whatever happened to its message (one that could not go out now,
say for want of an approved template, would not go out on a retry either), so the schedule's
counters (`Deposit.reminders_sent`, `Lead.artist_nudges` ...) say which reminders fell due;
`Lead.reminders_delivered` says which were sent."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime

from consultation.lead import Lead, Policy, Turn
from consultation.reply import Reply

# How the send path reports a message (activities' SendResult.status), plus GAVE_UP: the
# workflow's own verdict when WhatsApp kept failing through every retry.
DELIVERED = frozenset({"SENT", "TEMPLATE"})

# Message keys that are reminders, to the client or to the artist.
REMINDERS = frozenset(
    {
        "reminder.1",
        "deposit.reminder",
        "booking.offer.reminder",
        "booking.reminder",
        "booking.windows.reminder",
        "artist.approval_nudge",
        "artist.booking_reminder",
        "artist.booking_reminder.choosing",
    }
)


@dataclass(frozen=True)
class Sent:
    """One message of a turn and what the send path made of it."""

    key: str
    status: str  # SENT | TEMPLATE | SKIPPED | FAILED | GAVE_UP

    @property
    def delivered(self) -> bool:
        return self.status in DELIVERED


def count(lead: Lead, results: list[Sent], now: datetime, policy: Policy) -> Turn | None:
    """The lead with its reminders counted as they went: each one sent adds to
    `reminders_delivered`, each one that did not is recorded as a warning. None when the turn
    sent no reminder (nothing to change, nothing to record)."""
    reminders = [result for result in results if result.key in REMINDERS]
    if not reminders:
        return None
    reply = Reply(deepcopy(lead), now, policy)
    tally = reply.lead.reminders_delivered
    for result in reminders:
        if result.delivered:
            tally[result.key] = tally.get(result.key, 0) + 1
        else:
            reply.event("reminder.not_sent", "WARN", message=result.key, status=result.status)
    return reply.turn()
