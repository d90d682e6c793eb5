"""Inputs and outputs of the activities the lead workflow calls on every turn: sending a reply,
projecting the lead, the contact's opt-out. They sit with the activities (the bottom), so no
activity imports `workflows/`; fields are only ever added, with defaults."""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

from dataclasses import dataclass, field
from enum import StrEnum

from consultation.lead import Event, Lead
from consultation.messages import Outbound


class SendStatus(StrEnum):
    """What became of one outbound message. Stored in `outbound_messages.status` and carried in
    histories: values are only ever added."""

    SENT = "SENT"
    TEMPLATE = "TEMPLATE"  # the 24 h window was closed: sent as an approved template
    SKIPPED = "SKIPPED"  # not sent, on purpose (opted out, no template, unknown contact)
    FAILED = "FAILED"  # Meta refused it
    SENDING = "SENDING"  # a call to Graph began at `attempted_at`: it may have gone out
    RETRYING = "RETRYING"  # the last call certainly did not go out: send at once on retry


# A send in one of these is over: a retry returns it as it is.
DONE = frozenset({SendStatus.SENT, SendStatus.TEMPLATE, SendStatus.SKIPPED, SendStatus.FAILED})


@dataclass
class SendRequest:
    outbound_id: str  # derived in the workflow, so a retried activity never sends twice
    contact_key: str
    lead_id: str
    message: Outbound
    window_open: bool  # the client's 24 h window; closed → template or nothing


@dataclass
class SendResult:
    status: SendStatus  # SENT | TEMPLATE | SKIPPED | FAILED
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
