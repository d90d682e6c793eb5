"""WhatsApp's customer-service window: free-form messages reach a contact for 24 h after their
last message to us; outside it only an approved template may be sent."""

from __future__ import annotations

from datetime import datetime, timedelta

WINDOW = timedelta(hours=24)


def is_open(last_message_at: datetime | None, now: datetime) -> bool:
    """Whether a free-form message may go to a contact whose last message came at
    `last_message_at` (None: they never wrote)."""
    return last_message_at is not None and now < last_message_at + WINDOW
