"""Messages in and out of the conversation, in our own terms (not Meta's wire format).

These dataclasses cross the workflow boundary, so they stay plain, JSON-friendly and additive:
new fields get defaults so recorded histories keep deserialising.
"""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

from dataclasses import dataclass, field
from typing import Literal

InboundKind = Literal["text", "choice", "media", "reaction", "location", "unsupported"]
Recipient = Literal["client", "artist"]

# WhatsApp's interactive limits (platform_facts B6). Enforced when a message is built, so the
# API never has to reject one.
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_LIST_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_LIST_BUTTON = 20
MAX_BODY = 1024
MAX_TEXT = 4096
MAX_BUTTON_ID = 256
MAX_ROW_ID = 200


@dataclass(frozen=True)
class Media:
    """An image or document the client sent; `media_id` is Meta's id, not a URL."""

    media_id: str
    kind: str  # image | document | video | audio | sticker
    mime_type: str = ""
    sha256: str = ""
    filename: str = ""


@dataclass(frozen=True)
class Inbound:
    """One message from the client, normalised from any WhatsApp message type.

    - text: `text` is the body.
    - choice: a tapped reply button, list row or template button; `choice_id` is the id we
      gave it (or the template payload), `text` its title.
    - media: `media` is set, `text` is the caption (may be empty).
    - reaction: `text` is the emoji (empty when removed).
    - location: `text` is "lat,lon" plus name/address when given.
    - unsupported: a type we cannot read (polls, edits, ...); `text` names the type.
    `reply_to` is the id of the message it answers (a swipe-reply's `context.id`), if any.
    """

    message_id: str
    sent_at: int  # provider timestamp, epoch seconds
    kind: InboundKind = "text"
    text: str = ""
    choice_id: str | None = None
    media: Media | None = None
    # Written by the artist (a swipe-reply, `#ref` or the studio) for the client: the relay
    # queues it with the client's own messages so the workflow reads both in order.
    from_artist: bool = False
    reply_to: str = ""
    # The campaign this message answers (a reply within the attribution window after a
    # campaign's message), set by the edge: the lead is tagged with it.
    campaign_id: str = ""


@dataclass(frozen=True)
class Button:
    id: str
    title: str


@dataclass(frozen=True)
class ListRow:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Template:
    """An approved WhatsApp template, sent instead of free text outside the 24 h window."""

    name: str
    params: tuple[str, ...] = ()
    language: str = "en_GB"


@dataclass(frozen=True)
class Outbound:
    """One message the bot wants to send. Build it with `consultation.outbound` so the
    interactive limits above always hold."""

    to: Recipient
    text: str
    buttons: tuple[Button, ...] = ()
    rows: tuple[ListRow, ...] = ()
    list_button: str = ""
    template: Template | None = None
    # Stable meaning of the message ("question.budget", "reminder.1"), for logs and tests.
    key: str = ""
    extra: dict[str, str] = field(default_factory=dict)
