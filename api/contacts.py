"""Who a WhatsApp sender is: a stable key (keyed hash) so phone numbers never reach Temporal."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from api.meta_payload import Contact as Sender
from consultation.messages import Inbound


def contact_key(secret: str, identity: str) -> str:
    return hmac.new(secret.encode(), identity.encode(), hashlib.sha256).hexdigest()[:32]


def workflow_id(key: str) -> str:
    return f"lead-{key}"


@dataclass(frozen=True)
class Arrival:
    contact_key: str
    opted_out: bool
    new: bool  # first time this message id was seen (a redelivery is not)


# One round trip on the hot path: find the contact by either identity (Meta may withhold the
# phone number of users with a username) or create it, then store the message for dedupe and
# for the relay (the intake wakes its relay once committed). A new message from a contact that
# campaigns messaged within the attribution window counts as their reply (`replied_at`) and is
# stored tagged with the latest of them, for the lead; a redelivery counts nothing again.
ARRIVE = text(
    """
    WITH known AS (
        SELECT key FROM contacts
        WHERE (CAST(:user_id AS text) IS NOT NULL AND user_id = :user_id)
           OR (CAST(:wa_id AS text) IS NOT NULL AND wa_id = :wa_id)
        LIMIT 1
    ), contact AS (
        INSERT INTO contacts (key, wa_id, user_id, profile_name, last_inbound_at)
        SELECT COALESCE((SELECT key FROM known), :derived_key), :wa_id, :user_id, :name, now()
        ON CONFLICT (key) DO UPDATE SET
            wa_id = COALESCE(contacts.wa_id, excluded.wa_id),
            user_id = COALESCE(contacts.user_id, excluded.user_id),
            profile_name = CASE WHEN excluded.profile_name <> '' THEN excluded.profile_name
                                ELSE contacts.profile_name END,
            last_inbound_at = excluded.last_inbound_at
        RETURNING key, opted_out
    ), recent AS (
        SELECT r.campaign_id, r.sent_at FROM campaign_recipients r JOIN contact c
            ON r.contact_key = c.key
        WHERE r.state = 'sent' AND r.sent_at >= :campaigns_since
    ), answered AS (
        SELECT campaign_id FROM recent ORDER BY sent_at DESC LIMIT 1
    ), stored AS (
        INSERT INTO inbound_messages
            (message_id, contact_key, kind, payload, state, sent_at, task_queue)
        SELECT :message_id, key, :kind,
               CAST(:payload AS jsonb) || COALESCE(
                   (SELECT jsonb_build_object('campaign_id', campaign_id) FROM answered), '{}'
               ),
               :state, :sent_at, :task_queue
        FROM contact
        ON CONFLICT (message_id) DO NOTHING
        RETURNING message_id
    ), replied AS (
        UPDATE campaign_recipients r SET replied_at = now()
        FROM recent, contact c
        WHERE r.contact_key = c.key AND r.campaign_id = recent.campaign_id
          AND r.replied_at IS NULL AND EXISTS (SELECT 1 FROM stored)
    )
    SELECT contact.key, contact.opted_out, EXISTS (SELECT 1 FROM stored) AS new
    FROM contact
    """
)


async def arrive(
    db: AsyncSession | AsyncConnection,
    secret: str,
    sender: Sender,
    message: Inbound,
    *,
    paused: bool,
    task_queue: str,
    campaigns_since: datetime,
) -> Arrival:
    """Store one message for the relay: `paused` (automation paused) keeps it from the
    conversation; a campaign sent since `campaigns_since` is one it may answer."""
    identity = f"wa:{sender.wa_id}" if sender.wa_id else f"bsuid:{sender.user_id}"
    row = (
        await db.execute(
            ARRIVE,
            {
                "wa_id": sender.wa_id,
                "user_id": sender.user_id,
                "derived_key": contact_key(secret, identity),
                "name": sender.name[:256],
                "message_id": message.message_id,
                "kind": message.kind,
                "payload": json.dumps(dataclasses.asdict(message)),
                "state": "paused" if paused else "pending",
                "sent_at": message.sent_at,
                "task_queue": task_queue,
                "campaigns_since": campaigns_since,
            },
        )
    ).one()
    return Arrival(row.key, row.opted_out, row.new)


async def artist_seen(session: AsyncSession, secret: str, wa_id: str) -> None:
    """The artist wrote to the business number: their own 24 h window is open again."""
    await session.execute(
        text(
            """
            WITH known AS (
                UPDATE contacts SET last_inbound_at = now() WHERE wa_id = :wa_id RETURNING key
            )
            INSERT INTO contacts (key, wa_id, last_inbound_at)
            SELECT :key, :wa_id, now() WHERE NOT EXISTS (SELECT 1 FROM known)
            ON CONFLICT DO NOTHING
            """
        ),
        {"key": contact_key(secret, f"wa:{wa_id}"), "wa_id": wa_id},
    )
