"""Who a WhatsApp sender is: a stable key (keyed hash) so phone numbers never reach Temporal."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from sqlalchemy import false, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from api.meta_payload import Contact as Sender
from models import Contact


def contact_key(secret: str, identity: str) -> str:
    return hmac.new(secret.encode(), identity.encode(), hashlib.sha256).hexdigest()[:32]


def workflow_id(key: str) -> str:
    return f"lead-{key}"


async def remember(session: AsyncSession, secret: str, sender: Sender) -> Contact:
    """Find or create the contact for `sender`, linking its wa_id and business-scoped user id
    (Meta may withhold the phone number of users with a username, so either may be missing)."""
    known = await session.scalar(
        select(Contact).where(
            or_(
                Contact.user_id == sender.user_id if sender.user_id else false(),
                Contact.wa_id == sender.wa_id if sender.wa_id else false(),
            )
        )
    )
    now = datetime.now(UTC)
    if known is not None:
        known.wa_id = known.wa_id or sender.wa_id
        known.user_id = known.user_id or sender.user_id
        known.profile_name = sender.name[:256] or known.profile_name
        known.last_inbound_at = now
        return known
    identity = f"wa:{sender.wa_id}" if sender.wa_id else f"bsuid:{sender.user_id}"
    key = contact_key(secret, identity)
    await session.execute(
        insert(Contact)
        .values(key=key, wa_id=sender.wa_id, user_id=sender.user_id, profile_name=sender.name[:256])
        .on_conflict_do_nothing()
    )
    contact = await session.get(Contact, key)
    assert contact is not None
    contact.last_inbound_at = now
    return contact
