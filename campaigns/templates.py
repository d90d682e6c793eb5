"""The approved MARKETING templates a campaign may send. Each is registered at Meta with a
"Stop promotions" quick-reply button whose payload is `consent.STOP_PROMOTIONS`, so every
marketing message carries its own way out. A parameter written "{name}" in the studio is
filled per recipient with their WhatsApp profile name."""

from __future__ import annotations

# name → parameter names, in {{1}}, {{2}} ... order.
MARKETING_TEMPLATES: dict[str, tuple[str, ...]] = {
    "tour_announcement": ("client_name", "city", "dates"),
    "flash_day": ("client_name", "date", "details"),
    "studio_news": ("client_name", "news"),
}

PER_RECIPIENT_NAME = "{name}"


def fill(params: list[str], profile_name: str) -> tuple[str, ...]:
    """The parameters for one recipient: "{name}" becomes their first name (or "there")."""
    first = profile_name.split()[0] if profile_name.strip() else "there"
    return tuple(param.replace(PER_RECIPIENT_NAME, first) for param in params)
