"""The artist's settings, one row per saved version (migration 0011), their calendar feed and
how the last read of their Google Calendar went."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Identity,
    Integer,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ArtistSettingsVersion(Base):
    """Never updated: a save adds the next version, so the audit page can show every change
    and a lead that took version n can always be explained."""

    __tablename__ = "artist_settings_versions"
    __table_args__ = (
        UniqueConstraint("artist_id", "version", name="artist_settings_versions_numbered"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    artist_id: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB)  # `ArtistSettings.to_mapping()`
    saved_by: Mapped[str] = mapped_column(Text)  # artist | manager | install (the defaults)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CalendarFeed(Base):
    """The secret in the artist's feed URL. Kept as it is, not hashed: it is a read-only
    address the artist copies into their calendar app and may need to see again; rotating
    it replaces it, and the old address stops working."""

    __tablename__ = "calendar_feeds"

    artist_id: Mapped[str] = mapped_column(Text, primary_key=True)
    secret: Mapped[str] = mapped_column(Text)
    rotated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CalendarRead(Base):
    """The last read of the artist's Google Calendar by a booking (one row per artist,
    overwritten), so the studio can say whether the calendar is being read."""

    __tablename__ = "calendar_reads"

    artist_id: Mapped[str] = mapped_column(Text, primary_key=True)
    calendar_id: Mapped[str] = mapped_column(Text)
    ok: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(Text, server_default="")  # why it failed
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
