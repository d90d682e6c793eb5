"""No free times: the client's preferred time windows are collected for the artist (§13)."""

from __future__ import annotations

from consultation import outbound
from consultation.reply import Reply
from consultation.statuses import Status
from consultation.text import cap

WINDOWS_WANTED = 2  # preferred time windows to collect when nothing is free (§13)


def collect_windows(reply: Reply) -> None:
    lead = reply.lead
    lead.booking.windows = []
    lead.handover_from = lead.status
    lead.reminders_sent = 0  # the windows reminder (`waiting`) counts from here
    reply.move(Status.COLLECTING_TIME_WINDOWS)
    reply.send(outbound.text("client", reply.say("booking.no_slots"), "booking.no_slots"))
    # The artist may free a time or decline: told now, with the links that fit.
    reply.tell_artist("artist.no_slots")
    reply.event("booking.no_slots")


def take_window(reply: Reply, text: str) -> None:
    lead = reply.lead
    if text.strip():
        lead.booking.windows.append(cap(text.strip(), 200))
    count = len(lead.booking.windows)
    if count < WINDOWS_WANTED:
        remaining = WINDOWS_WANTED - count
        reply.send(
            outbound.text(
                "client",
                reply.say("booking.windows.more", remaining=remaining),
                "booking.windows.more",
            )
        )
        return
    reply.send(
        outbound.text(
            "client", reply.say("booking.windows.done", count=count), "booking.windows.done"
        )
    )
    windows_to_artist(
        reply, f"Collected {count} preferred time windows - no calendar slots available"
    )


def windows_to_artist(reply: Reply, reason: str) -> None:
    """The artist takes over with the times the client gave (NEEDS_ARTIST_REPLY)."""
    lead = reply.lead
    origin = lead.handover_from or Status.AWAITING_DEPOSIT
    reply.move(Status.NEEDS_ARTIST_REPLY)
    lead.handover_from, lead.handover_reason, lead.handover_kind = origin, reason, "time_windows"
    lead.last_status_reply_at = reply.now
    windows = "\n".join(f"• {window}" for window in lead.booking.windows) or "—"
    reply.tell_artist("artist.time_windows", windows=windows)
    reply.event("booking.windows_collected", count=str(len(lead.booking.windows)))
