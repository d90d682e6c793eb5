"""Inputs, carried state, updates and the progress query of `CampaignWorkflow`. Names and fields
are history: fields are only ever added, with defaults."""

# Annotations evaluated (no `from __future__ import annotations`), as in activities/contracts.py.

from dataclasses import dataclass, field
from datetime import datetime

from campaigns import CampaignStatus, Window


@dataclass
class Carried:
    """What a run hands to the next through continue-as-new. The audience itself is in
    PostgreSQL, so this stays small whatever the campaign's size."""

    status: CampaignStatus = CampaignStatus.SCHEDULED
    frozen: bool = False
    total: int = 0
    template: str = ""
    language: str = "en_GB"
    params: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    window: Window = field(default_factory=Window)
    paused: bool = False
    cancelled: bool = False


@dataclass
class CampaignInput:
    campaign_id: str
    rate: float = 80.0  # messages per second; Meta's default throughput per number is 80
    messaging_limit: int | None = 250  # unique users per rolling 24 h (None: unlimited)
    # Each batch is this many seconds of sending at `rate` (capped at 1,000 recipients): long
    # enough that the pause between batches (a workflow task and a new activity, about 0.3 s)
    # costs little of the rate, short enough that pause and cancel act within seconds.
    batch_seconds: float = 10.0
    start_at: datetime | None = None  # None: now
    zone: str = "Europe/London"  # the artist's time zone (a local-hour send's fallback)
    # A run continues as new after this many batches (or sooner when Temporal suggests it).
    batches_per_run: int = 500
    carried: Carried | None = None


@dataclass
class Progress:
    status: CampaignStatus
    total: int
    sent: int
    failed: int
    deferred: int
    skipped: int
    pending: int
    next_send_at: datetime | None = None  # when a waiting campaign sends again


@dataclass
class Control:
    """The input of pause, resume and cancel (who asked, for the record)."""

    by: str = "studio"
