"""Inputs and outputs of the lead workflow and its activities: one small dataclass each, so they
can grow (with defaults) without breaking running workflows."""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

from dataclasses import dataclass, field
from datetime import datetime

from consultation.core import Event, Inbound, Lead, Outbound, Payment, Policy


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


@dataclass
class SendRequest:
    outbound_id: str  # derived in the workflow, so a retried activity never sends twice
    contact_key: str
    lead_id: str
    message: Outbound
    window_open: bool  # the client's 24 h window; closed → template or nothing


@dataclass
class SendResult:
    status: str  # SENT | TEMPLATE | SKIPPED | FAILED
    provider_message_id: str | None = None
    detail: str = ""


@dataclass
class LeadSnapshot:
    """The lead as it is now, with the events of the turn that made it so."""

    contact_key: str
    workflow_id: str
    run_id: str
    lead: Lead
    events: list[Event] = field(default_factory=list)
    log: bool = False  # the status changed: update the lead log too


@dataclass
class Delivery:
    """What a turn leaves behind: the lead projected first, then its replies sent in order."""

    snapshot: LeadSnapshot
    sends: list[SendRequest] = field(default_factory=list)


@dataclass
class OptOutChange:
    contact_key: str
    opted_out: bool
