"""What a parsed WhatsApp message must look like before it is stored and handed to a workflow
(no I/O). Ids are stored exactly or not at all; texts are cleaned and cut, never refused.

PostgreSQL cannot store a NUL character nor an unpaired surrogate, and the columns for ids have
lengths; Temporal refuses payloads over its gRPC limits. A message that broke either used to fail
its whole delivery on every redelivery, so each message is fitted here, on its own.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from api.meta_payload import Contact, InboundMessage
from consultation.messages import MAX_TEXT, Inbound, Media
from models import Contact as ContactRow
from models import InboundMessage as InboundRow
from models import OutboundMessage as OutboundRow


def _length(column: Any) -> int:
    """A String column's length, so the limits here cannot drift from the schema."""
    length = column.type.length
    assert isinstance(length, int)
    return length


MAX_MESSAGE_ID = _length(InboundRow.__table__.c.message_id)
MAX_WA_ID = _length(ContactRow.__table__.c.wa_id)
MAX_USER_ID = _length(ContactRow.__table__.c.user_id)
MAX_NAME = _length(ContactRow.__table__.c.profile_name)
MAX_SENT_AT = 2**63 - 1  # a bigint column; a 20-digit timestamp would not fit
# A swipe-reply names one of our messages by its wamid: longer is not one of ours.
MAX_REPLY_TO = _length(OutboundRow.__table__.c.provider_message_id)


@dataclass(frozen=True)
class Fitted:
    """The message as it can be stored, or why it cannot (`refusal`, naming no content).
    `cut` maps each shortened field to its original length; `cleaned` counts the fields that
    lost characters PostgreSQL cannot store."""

    item: InboundMessage
    refusal: str = ""
    cut: dict[str, int] = field(default_factory=dict)
    cleaned: int = 0


def fit(item: InboundMessage) -> Fitted:
    sender, message = item.contact, item.message
    if problem := _bad_id("message id", message.message_id, MAX_MESSAGE_ID):
        return Fitted(item, refusal=problem)
    if problem := _bad_id("sender wa_id", sender.wa_id, MAX_WA_ID):
        return Fitted(item, refusal=problem)
    if problem := _bad_id("sender user id", sender.user_id, MAX_USER_ID):
        return Fitted(item, refusal=problem)

    cut: dict[str, int] = {}
    cleaned = [0]

    def text(name: str, value: str, limit: int = MAX_TEXT) -> str:
        storable = _storable(value)
        cleaned[0] += storable != value
        if len(storable) > limit:
            cut[name] = len(storable)
            storable = storable[:limit]
        return storable

    media = message.media
    if media is not None:
        media = Media(
            **{
                name: text(f"media.{name}", value)
                for name, value in dataclasses.asdict(media).items()
            }
        )
    sent_at = message.sent_at
    if not 0 <= sent_at <= MAX_SENT_AT:
        sent_at, cleaned[0] = 0, cleaned[0] + 1  # as if unreadable, like meta_payload does
    fitted = Inbound(
        message_id=message.message_id,
        sent_at=sent_at,
        kind=message.kind,
        text=text("text", message.text),
        choice_id=None if message.choice_id is None else text("choice_id", message.choice_id),
        media=media,
        reply_to=text("reply_to", message.reply_to, MAX_REPLY_TO),
    )
    contact = Contact(sender.wa_id, sender.user_id, text("name", sender.name, MAX_NAME))
    return Fitted(
        InboundMessage(contact, fitted, item.phone_number_id), cut=cut, cleaned=cleaned[0]
    )


def _bad_id(name: str, value: str | None, limit: int) -> str:
    if value is None:
        return ""
    if len(value) > limit:
        return f"{name} longer than {limit} characters"
    if _storable(value) != value:
        return f"{name} has characters PostgreSQL cannot store"
    return ""


def _storable(value: str) -> str:
    """Without NUL (PostgreSQL refuses it in text and jsonb) and with unpaired surrogates (JSON
    may escape them; UTF-8 cannot encode them) replaced."""
    return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
