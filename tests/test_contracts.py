"""Payloads that cross the workflow boundary keep evaluated annotations: Temporal's converter
resolves type hints on every payload, and string annotations made decoding ~4x slower."""

import dataclasses

import pytest

from activities.contracts import LeadSnapshot, SendRequest, SendResult
from activities.lead_log import LeadLogBatch, LeadRow
from activities.links import IssueLinks
from activities.media import StoredMedia, StoreMedia
from activities.payments import CheckoutRequest, CheckoutSession
from consultation.lead import Deposit, Estimate, Event, Lead, Payment, Policy, TourStop
from consultation.messages import Inbound, Media, Outbound, Template
from workflows.contracts import ActionRequest, ActionResult, Carried, LeadInput

PAYLOADS = [
    Lead, Deposit, Estimate, Event, Payment, Policy, TourStop, Inbound, Media, Outbound, Template,
    ActionRequest, ActionResult, Carried, LeadInput, LeadSnapshot, SendRequest, SendResult,
    CheckoutRequest, CheckoutSession, IssueLinks, StoreMedia, StoredMedia, LeadRow, LeadLogBatch,
]  # fmt: skip


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda cls: cls.__name__)
def test_payload_annotations_are_evaluated_types(payload: type) -> None:
    assert dataclasses.is_dataclass(payload)
    strings = [f.name for f in dataclasses.fields(payload) if isinstance(f.type, str)]
    assert strings == [], f"{payload.__name__} has string annotations: {strings}"
