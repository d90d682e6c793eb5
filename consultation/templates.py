"""The approved WhatsApp templates we send outside the 24 h customer-service window: one
registry of names and parameters, so the copy and Meta's approved list can be checked together."""

from __future__ import annotations

import re

from consultation.messages import Template

# name → parameter names, in {{1}}, {{2}} ... order.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "consultation_reminder": ("artist_name",),
    "enquiry_closed": ("artist_name",),
    "new_lead_for_artist": ("lead_ref", "headline"),
    "artist_handover": ("lead_ref", "reason"),
    "artist_update": ("lead_ref", "update"),
    "deposit_link": ("artist_name", "amount", "url", "expires"),
    "deposit_expired": ("artist_name",),
    "payment_received": ("artist_name", "amount"),
    "enquiry_declined": ("artist_name",),
    "booking_confirmed": ("artist_name",),
    "booking_times": ("artist_name",),
    "appointment_booked": ("artist_name", "when"),
    "appointment_reminder": ("artist_name", "when", "place"),
    "appointment_cancelled": ("artist_name", "when"),
    # The artist's reply could not reach a client whose 24 h window has shut: this asks them
    # to write back, which re-opens it (`consultation.takeover`).
    "artist_reply_waiting": ("artist_name",),
}

# Meta rejects template parameters with newlines, tabs or more than four spaces in a row, and
# caps their length; flatten and shorten rather than have the send fail.
MAX_PARAM = 200


def template(name: str, *params: str) -> Template:
    """A registered template with its parameters; a wrong name or count is a bug (ValueError)."""
    if name not in TEMPLATES:
        raise ValueError(f"unknown template {name!r}")
    if len(params) != len(TEMPLATES[name]):
        raise ValueError(f"template {name!r} takes {len(TEMPLATES[name])} parameters")
    flat = tuple(re.sub(r"\s+", " ", param).strip()[:MAX_PARAM] or "-" for param in params)
    return Template(name=name, params=flat)
