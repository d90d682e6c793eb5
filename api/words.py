"""The words the artist's pages use for statuses and decisions: words, never codes."""

from __future__ import annotations

import re

STATUS_WORDS = {
    "NEW": "New",
    "QUALIFYING": "Answering questions",
    "PENDING_APPROVAL": "Awaiting approval",
    "AWAITING_DEPOSIT": "Awaiting deposit",
    "DEPOSIT_PAID": "Deposit paid",
    "BOOKING_PENDING": "Paid, awaiting a date",
    "BOOKED": "Booked",
    "NEEDS_ARTIST_REPLY": "Needs your reply",
    "NEEDS_FOLLOW_UP": "Budget follow-up",
    "REJECTED": "Declined",
    "ABANDONED": "Stopped replying",
    "STALE": "Gone quiet",
    "OPTOUT": "Unsubscribed",
    "TOUR_CONVERSION_OFFERED": "Deciding on a tour city",
    "WAITLISTED": "Waitlisted",
    "COLLECTING_TIME_WINDOWS": "Sharing free times",
    "DEPOSIT_EXPIRED": "Deposit expired",
    "REFUNDED": "Refunded",
    "CANCELLED": "Cancelled",
}

# The pipeline's tabs, in the order a lead moves through them; the rest follow.
PIPELINE_ORDER = [
    "PENDING_APPROVAL", "NEEDS_ARTIST_REPLY", "NEEDS_FOLLOW_UP", "AWAITING_DEPOSIT",
    "DEPOSIT_EXPIRED", "COLLECTING_TIME_WINDOWS", "DEPOSIT_PAID", "BOOKING_PENDING", "BOOKED",
    "QUALIFYING", "TOUR_CONVERSION_OFFERED", "STALE", "WAITLISTED", "ABANDONED", "REJECTED",
    "CANCELLED", "REFUNDED", "OPTOUT", "NEW",
]  # fmt: skip

# decision → (button, what happens), as on the lead page.
ACTION_WORDS = {
    "approve": ("Approve", "The client picks a time, then gets the deposit link."),
    "approve_anyway": ("Approve anyway", "Approve although the budget is under your minimum."),
    "resume": ("Hand back to the bot", "The bot carries on where it stopped."),
    "send_deposit": ("Send deposit link again", "The client gets a working deposit link."),
    "mark_booked": ("Mark booked", "The client gets a booking confirmation."),
    "offer_times": ("Offer new times", "The client is offered free times again."),
    "cancel_booking": ("Cancel booking", "The client is told and the time is freed."),
    "reject": ("Decline", "The client is told kindly that you can't take it on."),
    "hand_back": ("Hand back to the bot", "The bot carries on where the consultation stood."),
    "reopen": (
        "Ask the client to write back",
        "The client gets the approved message asking them to reply, which lets yours reach them.",
    ),
}

SIZE_WORDS = {"SMALL": "Small", "MEDIUM": "Medium", "LARGE": "Large", "XL": "Extra large"}
REGION_WORDS = {"UK": "UK", "EUROPE": "Europe", "ROW": "Rest of the world"}

_CODES = re.compile(r"\b(" + "|".join(sorted(STATUS_WORDS, key=len, reverse=True)) + r")\b")


def status_words(status: str | None) -> str:
    if not status:
        return ""
    return STATUS_WORDS.get(status, status.replace("_", " ").capitalize())


def in_words(text: str) -> str:
    """`text` with every status code in it written as words (a workflow's refusal names the
    statuses by their codes)."""
    return _CODES.sub(lambda match: status_words(match.group(1)).lower(), text)


# Whose move it is, for the badge's colour: the artist's, the client's, settled, or over.
_TONES = {
    "you": {"PENDING_APPROVAL", "NEEDS_ARTIST_REPLY", "NEEDS_FOLLOW_UP", "BOOKING_PENDING",
            "DEPOSIT_PAID", "DEPOSIT_EXPIRED"},
    "client": {"NEW", "QUALIFYING", "AWAITING_DEPOSIT", "TOUR_CONVERSION_OFFERED",
               "COLLECTING_TIME_WINDOWS"},
    "done": {"BOOKED"},
}  # fmt: skip


def tone(status: str) -> str:
    return next((name for name, statuses in _TONES.items() if status in statuses), "closed")


def event_words(type_: str, detail: dict[str, object]) -> str:
    """A system event as a line of the lead's timeline ("Deposit: paid", "Status: Awaiting
    approval → Awaiting deposit"); its code stays on the page as data for ops."""
    if type_ == "lead.status":
        return f"Status: {status_words(str(detail.get('from', '')))} → " + status_words(
            str(detail.get("to", ""))
        )
    if type_ in ("artist.decision", "studio.decision"):
        action = ACTION_WORDS.get(str(detail.get("action", "")), (str(detail.get("action")),))[0]
        who = f" ({detail['account']})" if type_ == "studio.decision" else ""
        refused = " — not done" if detail.get("done") == "False" else ""
        return f"Decision{who}: {action}{refused}"
    group, _, name = type_.partition(".")
    return f"{group.capitalize()}: {name.replace('_', ' ')}" if name else type_
