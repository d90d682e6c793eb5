"""The tables. Times are UTC timestamptz; provider ids are unique, so dedupe is a constraint."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class Contact(Base):
    """A WhatsApp user. The only place a phone number is stored; Temporal sees `key` only."""

    __tablename__ = "contacts"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    wa_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    user_id: Mapped[str | None] = mapped_column(String(128), unique=True)  # business-scoped id
    profile_name: Mapped[str] = mapped_column(String(256), default="")
    opted_out: Mapped[bool] = mapped_column(default=False)
    opted_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_inbound_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When a turn of the contact's lead was last projected: what the relay handed over before
    # then has been read (admission, api/relay.py).
    last_read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LeadRecord(Base):
    """Read model of one enquiry, projected from its workflow. `version` orders the writes."""

    __tablename__ = "leads"

    lead_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    contact_key: Mapped[str] = mapped_column(String(64), index=True)
    workflow_id: Mapped[str] = mapped_column(String(128))
    run_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), index=True)
    step: Mapped[int] = mapped_column(Integer, default=0)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    parsed: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    estimate: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    handover_reason: Mapped[str | None] = mapped_column(Text)
    taken_over: Mapped[bool] = mapped_column(default=False)  # the artist answers in person
    # Since when the client has waited on the artist (handed over or taken over), for the inbox.
    waiting_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class InboundMessage(Base):
    """Inbound dedupe (one row per provider message id) and the relay's queue: the webhook
    stores a row and answers; the relay hands `pending` rows to their workflows, per contact in
    `sent_at` order, and marks them `signalled`. The intake wakes its own process's relay; a
    row given back to the queue (released, replayed) NOTIFYs `inbound_messages` (migration
    0018), since another process may do that."""

    __tablename__ = "inbound_messages"
    __table_args__ = (
        CheckConstraint(
            "state IN ('pending', 'paused', 'told', 'signalled', 'refused')",
            name="inbound_messages_state_known",
        ),
        Index(
            "ix_inbound_messages_waiting",
            "task_queue",
            "contact_key",
            "sent_at",
            "received_at",
            "message_id",
            postgresql_where=text("state IN ('pending', 'paused')"),
        ),
        # The relay's claim: waiting messages in arrival order, so it stops at the first heads.
        Index(
            "ix_inbound_messages_arrival",
            "task_queue",
            "received_at",
            postgresql_where=text("state IN ('pending', 'paused')"),
        ),
        Index("ix_inbound_messages_signalled", "task_queue", "signalled_at"),
    )

    message_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    contact_key: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)  # the normalised Inbound
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    signalled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # pending | paused (automation paused: the workflow gets a pause notice, not the message) | told
    # (waiting for /admin/paused/release) | signalled | refused (could never be handed over)
    state: Mapped[str] = mapped_column(Text, server_default="pending")
    sent_at: Mapped[int] = mapped_column(BigInteger, server_default="0")  # provider timestamp
    task_queue: Mapped[str] = mapped_column(Text, server_default="leads")  # where to start it


class OutboundMessage(Base):
    """Every message we send (or decided not to), keyed by an id the workflow derives, so an
    activity retry never sends twice. The sandbox adapter's outbox for the demo page too."""

    __tablename__ = "outbound_messages"

    id: Mapped[str] = mapped_column(String(256), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)  # demo page ordering
    contact_key: Mapped[str | None] = mapped_column(String(64), index=True)
    recipient: Mapped[str] = mapped_column(String(16))  # client | artist
    lead_id: Mapped[str | None] = mapped_column(String(64), index=True)
    key: Mapped[str] = mapped_column(String(64), default="")
    body: Mapped[str] = mapped_column(Text)
    message: Mapped[dict[str, Any]] = mapped_column(JSONB)  # the Outbound as sent
    # SENDING (a call to Graph began at `attempted_at`; it may have gone out) | SENT | TEMPLATE
    # | FAILED | SKIPPED
    status: Mapped[str] = mapped_column(String(16))
    attempted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivery: Mapped[str | None] = mapped_column(String(16))  # sent | delivered | read | failed
    provider_message_id: Mapped[str | None] = mapped_column(String(256), unique=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SystemEvent(Base):
    __tablename__ = "system_events"
    __table_args__ = (Index("ix_system_events_lead_created", "lead_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    level: Mapped[str] = mapped_column(String(8))
    type: Mapped[str] = mapped_column(String(64), index=True)
    lead_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # Set by writers that may retry (activities): a retry then adds nothing twice.
    source: Mapped[str | None] = mapped_column(String(300), unique=True)


class ActionToken(Base):
    """A one-tap link for the artist. Only the token's SHA-256 is stored."""

    __tablename__ = "action_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    lead_id: Mapped[str] = mapped_column(String(64), index=True)
    workflow_id: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    issued_status: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ProviderEvent(Base):
    """Provider webhook dedupe (Stripe event ids)."""

    __tablename__ = "provider_events"

    provider: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    lead_id: Mapped[str | None] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    signalled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The Checkout Session a "paid" event pays for: a second one for it is a repeat.
    paid_session: Mapped[str | None] = mapped_column(String(255), index=True)


class CheckoutSessionRow(Base):
    """A sandbox Checkout Session, for the demo's local payment page."""

    __tablename__ = "checkout_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lead_id: Mapped[str] = mapped_column(String(64), index=True)
    workflow_id: Mapped[str] = mapped_column(String(128))
    amount_pence: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="gbp")
    description: Mapped[str] = mapped_column(Text, server_default="")
    status: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Attachment(Base):
    """A file a client sent (by WhatsApp media id) and the copy we keep in our own storage:
    Meta's copy expires. `media_id` is unique, so an image is downloaded and stored once."""

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint(
            "status IN ('PENDING', 'STORED', 'FAILED')", name="attachments_status_known"
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    lead_id: Mapped[str] = mapped_column(Text, index=True)
    media_id: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str | None] = mapped_column(Text)
    mime_type: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(Text)
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(Text)  # PENDING | STORED | FAILED
    storage: Mapped[str | None] = mapped_column(Text)  # local | supabase
    object_key: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    stored_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LeadLogRow(Base):
    """Which row of the Google Sheets lead log holds each lead, and the lead version it holds:
    an update never searches the sheet, and an older row never overwrites a newer one."""

    __tablename__ = "lead_log_rows"

    lead_id: Mapped[str] = mapped_column(Text, primary_key=True)
    sheet_row: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
