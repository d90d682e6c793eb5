"""Inputs and outputs of the lead workflow itself (start, signals, updates, continue-as-new):
one small dataclass each, so they can grow (with defaults) without breaking running workflows.
The activities' own contracts sit with them (`activities/contracts.py`)."""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

from dataclasses import dataclass, field
from datetime import datetime

from consultation.core import Inbound, Lead, Payment, Policy


@dataclass
class PauseNotice:
    """A message the edge stored but did not hand to the conversation (automation paused)."""

    message_id: str
    reason: str = "paused"


@dataclass
class Carried:
    """What a run hands to its continuation (continue-as-new)."""

    lead: Lead
    inbox: list[Inbound] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)  # recent inbound ids, oldest first
    sent: int = 0  # outbound messages so far; numbers the next outbound id
    paused: list[PauseNotice] = field(default_factory=list)  # pause notices not answered yet
    # When each queued message reached the workflow, by message id (`arrival.settles_at`).
    arrived: dict[str, datetime] = field(default_factory=dict)


@dataclass
class LeadInput:
    contact_key: str
    policy: Policy = field(default_factory=Policy)
    opted_out: bool = False  # from the contacts table: opt-out outlives a run
    carried: Carried | None = None
    public_base_url: str = "http://localhost:8000"  # for Stripe's success and cancel pages


@dataclass
class ActionRequest:
    """An artist's decision, from a one-tap link or the admin API."""

    action: (
        str  # approve | approve_anyway | reject | resume | send_deposit | mark_booked | offer_times
        # | cancel_booking
    )
    source: str = "admin"  # link | admin
    issued_status: str | None = None  # a link is only good in the status it was issued for


@dataclass
class ActionResult:
    done: bool
    status: str
    detail: str = ""
