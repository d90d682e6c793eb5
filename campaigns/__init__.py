"""Campaigns, the pure part: marketing consent words, segment filters, the pacing plan under
WhatsApp's limits, and what a failed send means. No I/O: the workflow, the activities and the
studio all decide with these."""

from campaigns.consent import ConsentChange, consent_change
from campaigns.outcomes import Outcome, classify
from campaigns.pacing import (
    MESSAGING_LIMITS,
    Plan,
    Window,
    batch_size,
    daily_limit,
    plan,
)
from campaigns.segments import SegmentFilter, tour_stop_segment
from campaigns.status import CampaignStatus
from campaigns.templates import MARKETING_TEMPLATES, fill

__all__ = [
    "MARKETING_TEMPLATES",
    "CampaignStatus",
    "fill",
    "tour_stop_segment",
    "MESSAGING_LIMITS",
    "ConsentChange",
    "Outcome",
    "Plan",
    "SegmentFilter",
    "Window",
    "batch_size",
    "classify",
    "consent_change",
    "daily_limit",
    "plan",
]
