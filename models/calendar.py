"""The artist's calendar: slots held and booked (one exclusion constraint keeps them apart),
and the PostgreSQL calendar's busy blocks and appointments (migration 0005)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Identity, Index, Text, func, text
from sqlalchemy.dialects.postgresql import TSTZRANGE, ExcludeConstraint, Range
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

# Bounded, non-empty, half-open `[start, end)`: touching spans never overlap (migration 0005).
SPAN_VALID = (
    "lower(during) IS NOT NULL AND upper(during) IS NOT NULL AND lower(during) < upper(during)"
    " AND lower_inc(during) AND NOT upper_inc(during)"
)


class CalendarHold(Base):
    """A slot held while the client pays, then booked; one row per working day of a session.
    Two 'held' or 'booked' rows for one artist can never overlap: the exclusion constraint."""

    __tablename__ = "calendar_holds"
    __table_args__ = (
        CheckConstraint(
            "state IN ('held', 'booked', 'released', 'lapsed')", name="calendar_holds_state_known"
        ),
        CheckConstraint(SPAN_VALID, name="calendar_holds_span_valid"),
        ExcludeConstraint(
            ("artist_id", "="),
            ("during", "&&"),
            using="gist",
            where=text("state IN ('held', 'booked')"),
            name="calendar_holds_no_overlap",
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    hold_id: Mapped[str] = mapped_column(Text, index=True)
    lead_id: Mapped[str] = mapped_column(Text)
    artist_id: Mapped[str] = mapped_column(Text, server_default="artist")
    during: Mapped[Range[datetime]] = mapped_column(TSTZRANGE)
    state: Mapped[str] = mapped_column(Text)  # held | booked | released | lapsed
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set when booked, kept when the booking is cancelled: the feed shows it as cancelled.
    booked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    calendar_token: Mapped[str | None] = mapped_column(Text)  # the client's .ics link
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CalendarBusy(Base):
    """A stretch the artist is busy, in the PostgreSQL calendar (set from the admin API)."""

    __tablename__ = "calendar_busy"
    __table_args__ = (
        CheckConstraint(SPAN_VALID, name="calendar_busy_span_valid"),
        Index("ix_calendar_busy_artist_during", "artist_id", "during", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    artist_id: Mapped[str] = mapped_column(Text, server_default="artist")
    during: Mapped[Range[datetime]] = mapped_column(TSTZRANGE)
    note: Mapped[str] = mapped_column(Text, server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CalendarEventRow(Base):
    """An appointment in the PostgreSQL calendar; `event_id` is derived in the workflow."""

    __tablename__ = "calendar_events"
    __table_args__ = (
        CheckConstraint(SPAN_VALID, name="calendar_events_span_valid"),
        CheckConstraint(
            "status IN ('confirmed', 'cancelled')", name="calendar_events_status_known"
        ),
        Index("ix_calendar_events_artist_during", "artist_id", "during", postgresql_using="gist"),
    )

    event_id: Mapped[str] = mapped_column(Text, primary_key=True)
    artist_id: Mapped[str] = mapped_column(Text, server_default="artist")
    during: Mapped[Range[datetime]] = mapped_column(TSTZRANGE)
    title: Mapped[str] = mapped_column(Text, server_default="")
    description: Mapped[str] = mapped_column(Text, server_default="")
    lead_id: Mapped[str | None] = mapped_column(Text)
    workflow_id: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default="confirmed")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
