"""Meta's WhatsApp webhook deliveries read into our own types (signature check and parsing, no
I/O); a part that cannot be read becomes a line in `Delivery.problems`, the rest still counts."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from consultation.messages import Inbound, Media

MEDIA_TYPES = frozenset({"image", "document", "video", "audio", "sticker"})
SIGNATURE_PREFIX = "sha256="
MAX_CALLBACK_DATA = 256  # our outbound ids fit `outbound_messages.id`


class MalformedDelivery(ValueError):
    """The body is not JSON, or not a WhatsApp Business Account envelope with an `entry` list."""


@dataclass(frozen=True)
class Contact:
    """Who sent a message. Either id may be missing: users with a username can have their phone
    number withheld (only `user_id`, the business-scoped user id, is sent), and older payloads
    carry no `user_id` at all."""

    wa_id: str | None
    user_id: str | None
    name: str = ""


@dataclass(frozen=True)
class InboundMessage:
    contact: Contact
    message: Inbound
    phone_number_id: str  # our business number it was sent to


@dataclass(frozen=True)
class StatusUpdate:
    """What happened to a message we sent: sent, delivered, read, played or failed."""

    message_id: str
    status: str
    timestamp: int
    recipient_id: str
    error_codes: tuple[int, ...] = ()
    # Our outbound id, sent as `biz_opaque_callback_data` and echoed by Meta ("" if none).
    callback_data: str = ""


@dataclass(frozen=True)
class Delivery:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    # Parts that could not be read, described by position (never by phone number).
    problems: list[str] = field(default_factory=list)


def verify_signature(raw_body: bytes, header: str | None, app_secret: str) -> bool:
    """Check `X-Hub-Signature-256: sha256=<hex>`, Meta's HMAC-SHA256 of the raw body."""
    if not header or not app_secret or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    received = header.removeprefix(SIGNATURE_PREFIX).strip().lower()
    # Bytes, not str: compare_digest refuses non-ASCII str, and a forged header may contain any.
    return hmac.compare_digest(expected.encode(), received.encode("utf-8", "replace"))


def parse_delivery(raw_body: bytes) -> Delivery:
    """Every message and status in one POST: Meta batches several entries, changes and messages,
    so nothing here looks at `[0]` only."""
    try:
        body = json.loads(raw_body)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise MalformedDelivery("body is not JSON") from error
    if not isinstance(body, dict) or not isinstance(body.get("entry"), list):
        raise MalformedDelivery("not an object with an 'entry' list")
    if body.get("object") != "whatsapp_business_account":
        raise MalformedDelivery("object is not 'whatsapp_business_account'")

    delivery = Delivery()
    for where, value in _message_values(body["entry"], delivery.problems):
        _read_value(where, value, delivery)
    return delivery


def _message_values(entries: list[Any], problems: list[str]) -> Iterator[tuple[str, dict]]:
    for e, entry in enumerate(entries):
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            problems.append(f"entry[{e}]: no 'changes' list")
            continue
        for c, change in enumerate(changes):
            where = f"entry[{e}].changes[{c}]"
            if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
                problems.append(f"{where}: no 'value' object")
                continue
            # Other subscribed fields (template status, account updates...) share the endpoint
            # but carry no conversation; they are expected, not problems.
            if change.get("field", "messages") == "messages":
                yield where, change["value"]


def _read_value(where: str, value: dict, delivery: Delivery) -> None:
    phone_number_id = _str(_obj(value, "metadata"), "phone_number_id")
    contacts = [c for c in _list(value, "contacts") if isinstance(c, dict)]
    for error in _list(value, "errors"):
        code = _error_code(error)
        delivery.problems.append(f"{where}: Meta reported error {code}")
    for m, raw in enumerate(_list(value, "messages")):
        item = _read_message(f"{where}.messages[{m}]", raw, contacts, delivery.problems)
        if item is not None:
            delivery.messages.append(InboundMessage(item[0], item[1], phone_number_id))
    for s, raw in enumerate(_list(value, "statuses")):
        status = _read_status(f"{where}.statuses[{s}]", raw, delivery.problems)
        if status is not None:
            delivery.statuses.append(status)


def _read_message(
    where: str, raw: Any, contacts: list[dict], problems: list[str]
) -> tuple[Contact, Inbound] | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: not an object")
        return None
    message_id = _str(raw, "id")
    if not message_id:
        problems.append(f"{where}: no message id")
        return None
    sender = _sender(raw, contacts)
    if sender is None:
        problems.append(f"{where}: no sender (neither 'from' nor a user id)")
        return None
    sent_at = _timestamp(raw.get("timestamp"))
    if sent_at is None:
        problems.append(f"{where}: unreadable timestamp")
    inbound, problem = _inbound(raw, message_id, sent_at or 0)
    if problem:
        problems.append(f"{where}: {problem}")
    return sender, inbound


def _sender(raw: dict, contacts: list[dict]) -> Contact | None:
    wa_id = _str(raw, "from") or None
    user_id = _str(raw, "from_user_id") or None
    # `contacts` describes the senders of this change; match ours by either id. A lone entry is
    # ours too (system messages and older payloads may carry one id on each side only).
    match = next(
        (
            c
            for c in contacts
            if (wa_id and _str(c, "wa_id") == wa_id) or (user_id and _str(c, "user_id") == user_id)
        ),
        contacts[0] if len(contacts) == 1 else {},
    )
    wa_id = wa_id or _str(match, "wa_id") or None
    user_id = user_id or _str(match, "user_id") or None
    if wa_id is None and user_id is None:
        return None
    return Contact(wa_id=wa_id, user_id=user_id, name=_str(_obj(match, "profile"), "name"))


def _inbound(raw: dict, message_id: str, sent_at: int) -> tuple[Inbound, str]:
    """Our `Inbound` for one message, and a problem to report ("" when none)."""
    inbound, problem = _content(raw, message_id, sent_at)
    # A swipe-reply names the message it answers: the artist's replies find their lead by it.
    reply_to = _str(_obj(raw, "context"), "id")
    return (dataclasses.replace(inbound, reply_to=reply_to) if reply_to else inbound), problem


def _content(raw: dict, message_id: str, sent_at: int) -> tuple[Inbound, str]:
    kind = _str(raw, "type") or "unknown"
    body = _obj(raw, kind)

    def unsupported(name: str) -> Inbound:
        return Inbound(message_id, sent_at, "unsupported", name)

    if kind == "text":
        return Inbound(message_id, sent_at, "text", _str(body, "body")), ""
    if kind == "interactive":
        reply_type = _str(body, "type") or "interactive"
        reply = _obj(body, reply_type)
        if reply_type in ("button_reply", "list_reply") and _str(reply, "id"):
            title, choice_id = _str(reply, "title"), _str(reply, "id")
            return Inbound(message_id, sent_at, "choice", title, choice_id=choice_id), ""
        # Flow completions (nfm_reply) and anything newer: name the interactive type.
        return unsupported(reply_type), ""
    if kind == "button":
        # A tap on a template's quick-reply button: its own type, not an interactive reply.
        text = _str(body, "text")
        choice_id = _str(body, "payload") or text
        return Inbound(message_id, sent_at, "choice", text, choice_id=choice_id), ""
    if kind in MEDIA_TYPES:
        media_id = _str(body, "id")
        if not media_id:
            return unsupported(kind), f"{kind} without a media id"
        media = Media(
            media_id=media_id,
            kind=kind,
            mime_type=_str(body, "mime_type"),
            sha256=_str(body, "sha256"),
            filename=_str(body, "filename"),
        )
        # The caption lives inside the media object (image.caption), not on the message.
        return Inbound(message_id, sent_at, "media", _str(body, "caption"), media=media), ""
    if kind == "reaction":
        # An empty emoji means the reaction was removed.
        return Inbound(message_id, sent_at, "reaction", _str(body, "emoji")), ""
    if kind == "location":
        return Inbound(message_id, sent_at, "location", _location(body)), ""
    if kind in ("unsupported", "unknown"):
        # Polls, edits and the like: Meta names the real type inside when it can.
        return unsupported(_str(body, "type") or kind), ""
    return unsupported(kind), ""


def _location(body: dict) -> str:
    lat, lon = body.get("latitude"), body.get("longitude")
    parts = [f"{lat},{lon}"] if _is_number(lat) and _is_number(lon) else []
    parts += [text for text in (_str(body, "name"), _str(body, "address")) if text]
    return "; ".join(parts)


def _read_status(where: str, raw: Any, problems: list[str]) -> StatusUpdate | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: not an object")
        return None
    message_id, status = _str(raw, "id"), _str(raw, "status")
    if not message_id or not status:
        problems.append(f"{where}: no message id or status")
        return None
    timestamp = _timestamp(raw.get("timestamp"))
    if timestamp is None:
        problems.append(f"{where}: unreadable timestamp")
    codes = tuple(code for code in map(_error_code, _list(raw, "errors")) if code is not None)
    return StatusUpdate(
        message_id=message_id,
        status=status,
        timestamp=timestamp or 0,
        # Phone-less (username) recipients are identified by their business-scoped id only.
        recipient_id=_str(raw, "recipient_id") or _str(raw, "recipient_user_id"),
        error_codes=codes,
        callback_data=_callback_data(raw),
    )


def _callback_data(raw: dict) -> str:
    """`biz_opaque_callback_data`, if it can be one of our outbound ids (at most 256 chars)."""
    value = _str(raw, "biz_opaque_callback_data")
    return value if len(value) <= MAX_CALLBACK_DATA else ""


def _timestamp(value: Any) -> int | None:
    """Epoch seconds; Meta sends them as a decimal string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdecimal() and len(value) <= 20:
        return int(value)
    return None


def _error_code(error: Any) -> int | None:
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _obj(container: dict, key: str) -> dict:
    value = container.get(key)
    return value if isinstance(value, dict) else {}


def _list(container: dict, key: str) -> list:
    value = container.get(key)
    return value if isinstance(value, list) else []


def _str(container: dict, key: str) -> str:
    value = container.get(key)
    return value if isinstance(value, str) else ""
