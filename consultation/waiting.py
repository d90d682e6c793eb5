"""No lead stuck: the timers of leads that wait on someone with no other timer of their own.

- A lead that has waited on the artist for `stale_after_days` goes STALE (unless the client has
  paid: money held is never left to go stale; the daily digest keeps listing it). The client
  writing again is welcomed back (`engine`), with their answers kept.
- COLLECTING_TIME_WINDOWS (nothing free in the calendar): the artist hears of it on entry (with
  links to offer times again or decline), the client is reminded once after
  `windows_reminder_hours` of silence, and after `windows_wait_hours` the artist is handed
  whatever times came in, so the lead joins the artist's queue rather than waiting forever.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from consultation import outbound
from consultation.booking import windows_to_artist
from consultation.lead import Lead, Policy
from consultation.reply import Reply
from consultation.statuses import Status
from consultation.templates import template

Timer = tuple[datetime, Callable[[Reply], None]]
HOUR = timedelta(hours=1)

# Statuses where nothing moves until the artist acts (the daily digest lists them).
ON_ARTIST = frozenset(
    {
        Status.PENDING_APPROVAL,
        Status.NEEDS_FOLLOW_UP,
        Status.NEEDS_ARTIST_REPLY,
        Status.DEPOSIT_EXPIRED,
        Status.BOOKING_PENDING,
    }
)
# And where the artist may act while the client is the one asked (the digest lists these too).
DIGEST = ON_ARTIST | {Status.COLLECTING_TIME_WINDOWS}


def timers(lead: Lead, policy: Policy) -> list[Timer]:
    since = lead.status_since
    if since is None:
        return []
    if lead.status == Status.COLLECTING_TIME_WINDOWS:
        return _window_timers(lead, policy)
    if lead.status in ON_ARTIST and not paid(lead):
        return [(since + timedelta(days=policy.stale_after_days), _go_stale)]
    return []


def paid(lead: Lead) -> bool:
    return lead.deposit is not None and lead.deposit.paid_at is not None


def _go_stale(reply: Reply) -> None:
    lead = reply.lead
    before = lead.status
    lead.handover_reason = lead.handover_kind = lead.handover_from = None
    reply.move(Status.STALE)
    state = reply.say(f"state.{before.lower()}")
    reply.tell_artist("artist.stale", days=reply.policy.stale_after_days, state=state)
    reply.event("lead.stale", **{"from": before})


# -- no free times: collecting the client's preferred times --------------------------------------


def _window_timers(lead: Lead, policy: Policy) -> list[Timer]:
    since = lead.status_since
    assert since is not None
    timers: list[Timer] = [(since + policy.windows_wait_hours * HOUR, _windows_overdue)]
    last = max(since, lead.last_client_at or since)
    if lead.reminders_sent == 0:  # reset by each client message
        timers.insert(0, (last + policy.windows_reminder_hours * HOUR, _remind_windows))
    return timers


def _remind_windows(reply: Reply) -> None:
    lead = reply.lead
    lead.reminders_sent = 1
    fallback = template("consultation_reminder", reply.policy.artist_name)
    body = reply.say("booking.windows.reminder")
    reply.send(outbound.text("client", body, "booking.windows.reminder", fallback))
    reply.event("booking.windows_reminder", collected=str(len(lead.booking.windows)))


def _windows_overdue(reply: Reply) -> None:
    count = len(reply.lead.booking.windows)
    hours = reply.policy.windows_wait_hours
    windows_to_artist(
        reply, f"Waited {hours}h for preferred times: {count} given - no calendar slots available"
    )
