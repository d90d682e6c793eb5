"""The core's one face for the workflows: the modules whose decisions a workflow asks for, and
the types it carries between them. Everything here is pure; the workflow supplies `now`."""

from consultation import (
    arrival,
    artist,
    booking,
    calendar_rules,
    delivery,
    digest,
    engine,
    failures,
    outbound,
    takeover,
)
from consultation.artist_settings import ArtistSettings
from consultation.lead import Event, Lead, Payment, Policy, Turn
from consultation.messages import Inbound, Media, Outbound
from consultation.statuses import Status
from consultation.waiting import DIGEST

__all__ = [
    "ArtistSettings",
    "DIGEST",
    "Event",
    "Inbound",
    "Lead",
    "Media",
    "Outbound",
    "Payment",
    "Policy",
    "Status",
    "Turn",
    "arrival",
    "artist",
    "booking",
    "calendar_rules",
    "delivery",
    "digest",
    "engine",
    "failures",
    "outbound",
    "takeover",
]
