"""The studio's sign-in state: sessions, one-time sign-in links and sign-in attempts (for the
rate limit). Only hashes of the secrets handed to a browser or a WhatsApp message are stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Identity, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class StudioSession(Base):
    """A signed-in browser. The cookie holds a random token; this row its SHA-256. A session
    ends when idle too long, at its absolute expiry, or on sign-out (the row is deleted)."""

    __tablename__ = "studio_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account: Mapped[str] = mapped_column(String(16))  # artist | manager
    csrf_token: Mapped[str] = mapped_column(String(64))  # every form of this session carries it
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class StudioSignInLink(Base):
    """A one-time sign-in link sent to the artist's WhatsApp: single use, short-lived."""

    __tablename__ = "studio_signin_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StudioSignInAttempt(Base):
    """One sign-in attempt counted against a bucket (a hash of "ip:…" or "account:…"), so the
    limit holds across API replicas."""

    __tablename__ = "studio_signin_attempts"
    __table_args__ = (Index("ix_studio_signin_attempts_bucket_at", "bucket", "created_at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StudioSeen(Base):
    """When a studio account last looked at its inbox: the nav's badges count what came since."""

    __tablename__ = "studio_seen"

    account: Mapped[str] = mapped_column(String(16), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
