"""Marketing consent (with its evidence), segments, campaigns and their frozen audiences."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class MarketingConsent(Base):
    """A contact's current marketing consent. Separate from `contacts.opted_out` (the service
    conversation): a client can book and still say no to promotions."""

    __tablename__ = "marketing_consents"

    contact_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    granted: Mapped[bool] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    how: Mapped[str] = mapped_column(Text)  # "button:marketing_yes", "word:STOP", "meta:131050"


class ConsentEvent(Base):
    """The evidence: every grant and withdrawal, when, how, and the exact wording shown."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    contact_key: Mapped[str] = mapped_column(String(64), index=True)
    granted: Mapped[bool] = mapped_column()
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    how: Mapped[str] = mapped_column(Text)
    wording: Mapped[str] = mapped_column(Text, default="")
    # The inbound message that carried it: a redelivered message records nothing twice.
    message_id: Mapped[str | None] = mapped_column(String(256), unique=True)


class Segment(Base):
    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    filters: Mapped[dict[str, Any]] = mapped_column(JSONB)  # campaigns.SegmentFilter.to_json
    # The tour stop it was suggested for (`TourStop` as a mapping); a campaign to it announces it.
    tour_stop: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Campaign(Base):
    """What the artist composed. Progress lives in the campaign's workflow (and its search
    attributes); results are counted from its recipients."""

    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    template: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16), default="en_GB")
    # Template parameters in order; "{name}" is replaced per recipient by their profile name.
    params: Mapped[list[str]] = mapped_column(JSONB, default=list)
    segment_id: Mapped[int | None] = mapped_column(BigInteger)
    filters: Mapped[dict[str, Any]] = mapped_column(JSONB)  # the segment as it was when sent
    scheduled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Sent at this hour of each recipient's own day (on or after `scheduled_at`), or None.
    local_hour: Mapped[int | None] = mapped_column(SmallInteger)
    # The tour stop it announces: a waitlisted recipient's "yes" books them in for it.
    tour_stop: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    workflow_id: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CampaignRecipient(Base):
    """One recipient of a campaign, frozen at its start. `state` is where their send stands;
    the send itself is an `outbound_messages` row (`outbound_id`), which makes it idempotent."""

    __tablename__ = "campaign_recipients"
    __table_args__ = (
        Index(
            "ix_campaign_recipients_due",
            "campaign_id",
            "contact_key",
            postgresql_where=text("state = 'pending'"),
        ),
    )

    campaign_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    contact_key: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    # pending | sent | deferred (131049: once more after retry_at) | failed | skipped
    state: Mapped[str] = mapped_column(String(16), server_default="pending")
    reason: Mapped[str | None] = mapped_column(Text)  # campaigns.Outcome, or why skipped
    attempt: Mapped[int] = mapped_column(Integer, server_default="1")
    retry_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The recipient's time zone, and when their send is due (a campaign at a local hour).
    zone: Mapped[str | None] = mapped_column(Text)
    send_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outbound_id: Mapped[str | None] = mapped_column(String(256))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Tracking, set at the edge within the attribution window after `sent_at`.
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opted_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
