"""A fake WhatsApp Cloud (Graph) API on loopback that validates sends like Meta, and builders
of the signed webhook deliveries Meta would POST to us: Meta's wire format both ways."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.fakes.loopback import LoopbackServer

# Meta's messages for the codes tests inject most (platform_facts B4, B7, B8).
ERROR_MESSAGES = {
    4: "(#4) Application request limit reached",
    190: "Invalid OAuth access token - Cannot parse access token",
    80007: "(#80007) Rate limit issues",
    130429: "(#130429) Rate limit hit",
    131000: "(#131000) Something went wrong",
    131008: "(#131008) Required parameter is missing",
    131009: "(#131009) Parameter value is not valid",
    131016: "(#131016) Service unavailable",
    131026: "(#131026) Message undeliverable",
    131047: "(#131047) Re-engagement message",
    131056: "(#131056) (Business Account, Consumer Account) pair rate limit hit",
    135000: "(#135000) Generic user error",
}


class FakeGraphApi(LoopbackServer):
    """The fake server. Use as a context manager, or `start()` / `stop()`."""

    def __init__(self, access_token: str = "test-token") -> None:
        self.access_token = access_token
        super().__init__()
        self._lock = threading.Lock()
        self._sent: list[dict[str, Any]] = []
        self._failures: deque[tuple[int, int]] = deque()
        self._media: dict[str, tuple[bytes, str]] = {}
        # Called (on the server's thread) with each accepted payload; the benchmark uses it to
        # time replies without polling.
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        # Seconds an accepted send waits before its answer: a slow Graph, so a client timeout
        # or a killed worker can land between Meta taking a message and the sender hearing so.
        self.response_delay = 0.0
        # Where Meta would POST the "sent" status of each accepted message (signed with the
        # app secret), echoing its biz_opaque_callback_data; None: no status webhooks.
        self._status_target: tuple[str, str] | None = None

    # -- test controls -------------------------------------------------------------------------

    @property
    def sent(self) -> list[dict[str, Any]]:
        """A snapshot of the message payloads accepted so far, oldest first."""
        with self._lock:
            return [{k: v for k, v in body.items() if k != "_wamid"} for body in self._sent]

    def wamid_of(self, outbound_id: str) -> str | None:
        """The message id Meta gave the first accepted send carrying `outbound_id`."""
        with self._lock:
            found = [b for b in self._sent if b.get("biz_opaque_callback_data") == outbound_id]
        return found[0]["_wamid"] if found else None

    def wamids_to(self, recipient: str) -> list[tuple[dict[str, Any], str]]:
        """Each accepted send to `recipient`, oldest first, with the message id Meta gave it
        (what a swipe-reply names as its `context.id`)."""
        with self._lock:
            return [
                ({k: v for k, v in body.items() if k != "_wamid"}, body["_wamid"])
                for body in self._sent
                if recipient in (body.get("to"), body.get("recipient"))
            ]

    def fail_next(self, code: int, times: int = 1, http_status: int = 400) -> None:
        """Answer the next `times` sends with a Graph error `code` and HTTP `http_status`."""
        with self._lock:
            self._failures.extend([(code, http_status)] * times)

    def sends_per_outbound_id(self) -> Counter[str]:
        """How many accepted sends carried each `biz_opaque_callback_data` (our outbound id)."""
        return Counter(str(body.get("biz_opaque_callback_data", "")) for body in self.sent)

    def report_statuses(self, webhook_url: str | None, app_secret: str = "") -> None:
        """POST a signed "sent" status to `webhook_url` for every message accepted from now
        on, as Meta does, with its biz_opaque_callback_data; None stops it."""
        with self._lock:
            self._status_target = (webhook_url, app_secret) if webhook_url else None

    def add_media(self, media_id: str, content: bytes, mime_type: str) -> None:
        with self._lock:
            self._media[media_id] = (content, mime_type)

    def clear(self) -> None:
        """Forget sent messages, pending failures and media; answer at once, report no statuses."""
        with self._lock:
            self._sent.clear()
            self._failures.clear()
            self._media.clear()
            self._status_target = None
        self.response_delay = 0.0

    # -- the Graph API -------------------------------------------------------------------------

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{version}/{phone_number_id}/messages")
        async def send(request: Request) -> Response:
            if not self._authorised(request):
                return graph_error(190, http_status=401)
            with self._lock:
                failure = self._failures.popleft() if self._failures else None
            if failure is not None:
                return graph_error(failure[0], http_status=failure[1])
            try:
                body = await request.json()
            except ValueError:
                return graph_error(131008, details="Request body is not JSON")
            invalid = validate(body) if isinstance(body, dict) else (131008, "not an object")
            if invalid is not None:
                return graph_error(invalid[0], details=invalid[1])
            wamid = f"wamid.{uuid.uuid4().hex}"
            with self._lock:
                self._sent.append({**body, "_wamid": wamid})
                target = self._status_target
            for listener in self.listeners:
                listener(body)
            recipient = str(body.get("to") or body.get("recipient"))
            if target is not None:
                status = status_update(wamid, "sent", recipient_id=recipient)
                if "biz_opaque_callback_data" in body:
                    status["biz_opaque_callback_data"] = body["biz_opaque_callback_data"]
                # Meta's webhook comes on its own, whatever happens to the sender's connection.
                threading.Thread(target=_post_status, args=(*target, status), daemon=True).start()
            if self.response_delay:
                await asyncio.sleep(self.response_delay)
            id_key = "wa_id" if "to" in body else "user_id"
            return JSONResponse(
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": recipient, id_key: recipient}],
                    "messages": [{"id": wamid}],
                }
            )

        @app.get("/{version}/{media_id}")
        async def media_url(media_id: str, request: Request) -> Response:
            if not self._authorised(request):
                return graph_error(190, http_status=401)
            with self._lock:
                media = self._media.get(media_id)
            if media is None:
                return graph_error(100, details=f"Object with ID '{media_id}' does not exist")
            content, mime_type = media
            return JSONResponse(
                {
                    "url": f"{self.base_url}/whatsapp_business/attachments/{media_id}",
                    "mime_type": mime_type,
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "file_size": len(content),
                    "id": media_id,
                    "messaging_product": "whatsapp",
                }
            )

        @app.get("/whatsapp_business/attachments/{media_id}")
        async def media_bytes(media_id: str, request: Request) -> Response:
            # Meta's download URL also wants the bearer token, not just the URL.
            if not self._authorised(request):
                return Response(status_code=401)
            with self._lock:
                media = self._media.get(media_id)
            if media is None:
                return Response(status_code=404)
            return Response(content=media[0], media_type=media[1])

        return app

    def _authorised(self, request: Request) -> bool:
        expected = f"Bearer {self.access_token}".encode()
        received = request.headers.get("authorization", "").encode()
        return hmac.compare_digest(expected, received)


def _post_status(url: str, app_secret: str, status: dict[str, Any]) -> None:
    raw = json.dumps(inbound_delivery([], statuses=[status])).encode()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, app_secret)}
    # Meta retries failed deliveries for days; a few quick tries stand in for that here.
    for _ in range(20):
        try:
            if httpx.post(url, content=raw, headers=headers, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)


def graph_error(code: int, *, http_status: int = 400, details: str = "") -> JSONResponse:
    """A Graph API error response, shaped like Meta's."""
    error: dict[str, Any] = {
        "message": ERROR_MESSAGES.get(code, f"(#{code}) Injected error"),
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": uuid.uuid4().hex[:22],
    }
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return JSONResponse({"error": error}, status_code=http_status)


def validate(body: dict[str, Any]) -> tuple[int, str] | None:
    """(code, details) for a payload Meta would reject, None when it would accept it."""
    if body.get("messaging_product") != "whatsapp":
        return 131008, "messaging_product must be 'whatsapp'"
    if not (_text(body.get("to")) or _text(body.get("recipient"))):
        return 131008, "'to' or 'recipient' is required"
    kind = body.get("type")
    if kind == "text":
        text = _get(body, "text", "body")
        if not _text(text):
            return 131008, "text.body is required"
        return _too_long("text.body", text, 4096)
    if kind == "interactive":
        return _validate_interactive(body.get("interactive"))
    if kind == "template":
        return _validate_template(body.get("template"))
    if kind == "image":
        image = body.get("image")
        if not isinstance(image, dict) or not (_text(image.get("id")) or _text(image.get("link"))):
            return 131008, "image.id or image.link is required"
        return _too_long("image.caption", image.get("caption", ""), 1024)
    return 131009, f"type {kind!r} is not supported by the fake"


def _validate_interactive(interactive: Any) -> tuple[int, str] | None:
    body = _get(interactive, "body", "text")
    if not _text(body):
        return 131008, "interactive.body.text is required"
    if problem := _too_long("interactive.body.text", body, 1024):
        return problem
    kind = _get(interactive, "type")
    if kind == "button":
        buttons = _get(interactive, "action", "buttons")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            return 131009, "buttons: between 1 and 3 are allowed"
        titles = []
        for button in buttons:
            if _get(button, "type") != "reply" or not _text(_get(button, "reply", "id")):
                return 131009, "button: type 'reply' with an id is required"
            if problem := _too_long("button.id", _get(button, "reply", "id"), 256):
                return problem
            title = _get(button, "reply", "title")
            if not _text(title):
                return 131008, "button title is required"
            if problem := _too_long("button title", title, 20):
                return problem
            titles.append(title)
        if len(set(titles)) != len(titles):
            return 131009, "button titles must be unique"
        return None
    if kind == "list":
        return _validate_list(_get(interactive, "action"))
    return 131009, f"interactive.type {kind!r} is not supported by the fake"


def _validate_list(action: Any) -> tuple[int, str] | None:
    label = _get(action, "button")
    if not _text(label):
        return 131008, "action.button is required"
    if problem := _too_long("action.button", label, 20):
        return problem
    sections = _get(action, "sections")
    if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
        return 131009, "sections: between 1 and 10 are allowed"
    rows = [row for section in sections for row in (_get(section, "rows") or [])]
    if not 1 <= len(rows) <= 10:
        return 131009, "rows: between 1 and 10 in total are allowed"
    for section in sections:
        title = _get(section, "title")
        if len(sections) > 1 and not _text(title):
            return 131008, "section title is required when there are several sections"
        if problem := _too_long("section title", title or "", 24):
            return problem
    ids = []
    for row in rows:
        row_id, title = _get(row, "id"), _get(row, "title")
        if not _text(row_id) or not _text(title):
            return 131008, "row id and title are required"
        description = _get(row, "description") or ""
        checks = [("row id", row_id, 200), ("row title", title, 24)]
        for name, value, limit in [*checks, ("row description", description, 72)]:
            if problem := _too_long(name, value, limit):
                return problem
        ids.append(row_id)
    if len(set(ids)) != len(ids):
        return 131009, "row ids must be unique"
    return None


def _validate_template(template: Any) -> tuple[int, str] | None:
    if not _text(_get(template, "name")) or not _text(_get(template, "language", "code")):
        return 131008, "template name and language.code are required"
    for component in _get(template, "components") or []:
        for parameter in _get(component, "parameters") or []:
            text = _get(parameter, "text")
            if _get(parameter, "type") != "text" or not _text(text):
                return 131008, "template text parameters need a non-empty text"
            if "\n" in text or "\t" in text or "     " in text:
                return 131009, "Param text cannot have new-line/tab characters or 5+ spaces"
    return None


def _get(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _too_long(name: str, value: Any, limit: int) -> tuple[int, str] | None:
    if isinstance(value, str) and len(value) <= limit:
        return None
    return 131009, f"{name} is longer than {limit} characters"


# -- inbound deliveries, as Meta POSTs them to our webhook ---------------------------------------


def sign(raw: bytes, secret: str) -> str:
    """The `X-Hub-Signature-256` header value Meta would send for `raw`."""
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def inbound_delivery(
    messages: list[dict[str, Any]],
    *,
    statuses: list[dict[str, Any]] | None = None,
    phone_number_id: str = "PNID",
    name: str = "Test client",
) -> dict[str, Any]:
    """One delivery with one change holding `messages` (and `statuses`), with a `contacts`
    entry for each distinct sender, as Meta sends it."""
    contacts: dict[tuple[str, str], dict[str, Any]] = {}
    for message in messages:
        wa_id, user_id = message.get("from", ""), message.get("from_user_id", "")
        contact: dict[str, Any] = {"profile": {"name": name}}
        if wa_id:
            contact["wa_id"] = wa_id
        if user_id:
            contact["user_id"] = user_id
        contacts.setdefault((wa_id, user_id), contact)
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": phone_number_id},
    }
    if messages:
        value["contacts"] = list(contacts.values())
        value["messages"] = messages
    if statuses:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA_ID", "changes": [{"field": "messages", "value": value}]}],
    }


def text_message(
    wa_id: str,
    body: str,
    *,
    message_id: str | None = None,
    timestamp: int | None = None,
    reply_to: str = "",
) -> dict[str, Any]:
    """A text; `reply_to`: a swipe-reply to the message with that id (Meta's `context`)."""
    message = _message(wa_id, "text", {"body": body}, message_id, timestamp)
    if reply_to:
        message["context"] = {"from": "15550001111", "id": reply_to}
    return message


def button_reply(
    wa_id: str,
    button_id: str,
    title: str,
    *,
    message_id: str | None = None,
    timestamp: int | None = None,
) -> dict[str, Any]:
    interactive = {"type": "button_reply", "button_reply": {"id": button_id, "title": title}}
    return _message(wa_id, "interactive", interactive, message_id, timestamp)


def list_reply(
    wa_id: str,
    row_id: str,
    title: str,
    description: str = "",
    *,
    message_id: str | None = None,
    timestamp: int | None = None,
) -> dict[str, Any]:
    reply = {"id": row_id, "title": title, "description": description}
    interactive = {"type": "list_reply", "list_reply": reply}
    return _message(wa_id, "interactive", interactive, message_id, timestamp)


def image_message(
    wa_id: str,
    media_id: str,
    *,
    caption: str = "",
    mime_type: str = "image/jpeg",
    sha256: str = "",
    message_id: str | None = None,
    timestamp: int | None = None,
) -> dict[str, Any]:
    digest = sha256 or hashlib.sha256(media_id.encode()).hexdigest()
    image = {"id": media_id, "mime_type": mime_type, "sha256": digest}
    if caption:
        image["caption"] = caption
    return _message(wa_id, "image", image, message_id, timestamp)


def status_update(
    message_id: str,
    status: str,
    *,
    recipient_id: str,
    timestamp: int | None = None,
    error_codes: tuple[int, ...] = (),
) -> dict[str, Any]:
    """One entry of `value.statuses`: what happened to a message we sent."""
    update: dict[str, Any] = {
        "id": message_id,
        "status": status,
        "timestamp": str(timestamp if timestamp is not None else int(time.time())),
        "recipient_id": recipient_id,
    }
    if error_codes:
        update["errors"] = [
            {"code": code, "title": ERROR_MESSAGES.get(code, "Error")} for code in error_codes
        ]
    return update


def _message(
    wa_id: str, kind: str, content: dict[str, Any], message_id: str | None, timestamp: int | None
) -> dict[str, Any]:
    return {
        "from": wa_id,
        "id": message_id or f"wamid.{uuid.uuid4().hex}",
        "timestamp": str(timestamp if timestamp is not None else int(time.time())),
        "type": kind,
        kind: content,
    }
