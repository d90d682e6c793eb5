"""The keys that seal workflow payloads: one random data key per contact (or scope), stored
only wrapped by a master key (envelope encryption). Deleting a row makes that contact's payloads
in Temporal unreadable for good."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, LargeBinary, String, func
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class PayloadKey(Base):
    __tablename__ = "payload_keys"

    # A contact's key (the HMAC id Temporal already sees), or "_shared" for payloads that belong
    # to no contact (the lead log's batches, the digest).
    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    master_key_id: Mapped[str] = mapped_column(String(32))  # which master key wrapped it
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)  # nonce + AES-GCM(data key)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
