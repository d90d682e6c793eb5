"""The WhatsApp Cloud API adapter: our `Outbound` as Meta's JSON, sent over aiohttp, with Graph
errors turned into four kinds the messaging activity can act on.

aiohttp rather than the httpx the rest of the product uses: a reply's send is the hottest call
there is, and aiohttp spends about a quarter of httpx's CPU on it (bench/RESULTS.md, issue 14)."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, Literal

import aiohttp
from opentelemetry import trace

from activities.errors import ProviderError
from consultation.messages import (
    MAX_BODY,
    MAX_BUTTON_TITLE,
    MAX_LIST_BUTTON,
    MAX_ROW_DESCRIPTION,
    MAX_ROW_TITLE,
    MAX_TEXT,
    Outbound,
)

SendErrorKind = Literal["template_required", "unreachable", "retry", "rejected"]

# Graph error codes (platform_facts B4, B7, B8). Anything not listed is judged by HTTP status.
TEMPLATE_REQUIRED = 131047  # more than 24 h since the client last wrote
UNREACHABLE = 131026  # not on WhatsApp, old client, or terms not accepted
RETRY_CODES = frozenset(
    {
        130429,  # throughput limit of the business number
        131056,  # pair rate limit: too many messages to one user
        131000,  # unknown error
        131016,  # service unavailable
        135000,  # generic error
        80007,  # WABA rate limit
        4,  # app call limit
    }
)
MAX_SECTION_TITLE = 24
MAX_CALLBACK_DATA = 512  # Meta's limit for biz_opaque_callback_data
# Meta rejects template parameters that are empty or hold new lines, tabs or 5+ spaces in a row.
TEMPLATE_PARAM_SPACING = re.compile(r"[\n\t]+| {5,}")
# BSUIDs look like "US.13491208655302741918" (country, dot, id); phone numbers are digits only.
BSUID = re.compile(r"^[A-Z]{2}\.[A-Za-z0-9.]+$")
# Graph error text can quote the recipient's number; errors end up in logs and rows.
PHONE_LIKE = re.compile(r"\+?\d[\d ]{6,}\d")
# aiohttp has no instrumentation in this OpenTelemetry release: the send makes its own client
# span (a no-op unless tracing is on, telemetry/tracing.py).
tracer = trace.get_tracer(__name__)


class SendError(ProviderError):
    """A send that did not happen. `kind` says what to do: fall back to a template, mark the
    contact unreachable, retry later, or give up on this message."""

    def __init__(
        self, kind: SendErrorKind, code: int | None, detail: str, *, maybe_sent: bool = False
    ) -> None:
        super().__init__(
            "WhatsApp", f"{kind} ({code}): {detail}", retryable=kind == "retry", code=code
        )
        self.kind: SendErrorKind = kind
        self.detail = detail
        # The request may have reached Meta (a read timeout, a dropped answer): only a status
        # webhook can tell whether it went out.
        self.maybe_sent = maybe_sent


class CloudApi:
    """Sends messages from one business phone number through the Graph API."""

    # Meta echoes `biz_opaque_callback_data` on the status webhooks of every message it took.
    confirms_by_status = True

    def __init__(
        self,
        *,
        base_url: str = "https://graph.facebook.com",
        api_version: str = "v21.0",
        phone_number_id: str,
        access_token: str,
        timeout: float = 10.0,
        client: aiohttp.ClientSession | None = None,
    ) -> None:
        self._url = f"{base_url.rstrip('/')}/{api_version}/{phone_number_id}/messages"
        self._headers = {"Authorization": f"Bearer {access_token}"}
        # Connecting, and each read of the answer, may take this long: a connection that could
        # not be made sent nothing; an answer that never came may hide a message Meta took.
        self._timeout = aiohttp.ClientTimeout(connect=timeout, sock_read=timeout)
        self._owns_client = client is None
        self._client = client

    async def __aenter__(self) -> CloudApi:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_client and self._client is not None:
            await self._client.close()

    async def send(
        self, to: str, message: Outbound, *, as_template: bool = False, callback_data: str = ""
    ) -> str:
        """Send `message` to a wa_id or BSUID; returns Meta's message id (`wamid.…`).
        `callback_data` (our outbound id) comes back on the message's status webhooks."""
        body = payload(to, message, as_template=as_template)
        if callback_data:
            body["biz_opaque_callback_data"] = callback_data[:MAX_CALLBACK_DATA]
        if self._client is None:  # our own, opened in the event loop that sends
            self._client = aiohttp.ClientSession()
        try:
            with tracer.start_as_current_span("POST", kind=trace.SpanKind.CLIENT) as span:
                span.set_attribute("url.full", self._url)
                async with self._client.post(
                    self._url, json=body, headers=self._headers, timeout=self._timeout
                ) as response:
                    status, content = response.status, await response.read()
                span.set_attribute("http.response.status_code", status)
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as error:
            # No connection, so nothing reached Meta: safe to send again.
            raise SendError("retry", None, type(error).__name__) from error
        except (aiohttp.ClientError, TimeoutError) as error:
            # A read timeout may hide a message Meta did accept: the caller looks for its status
            # webhook before sending again (losing a message is worse than a late one).
            raise SendError("retry", None, type(error).__name__, maybe_sent=True) from error
        if status >= 400:
            raise classify(status, content)
        try:
            return str(json.loads(content)["messages"][0]["id"])
        except (ValueError, LookupError, TypeError) as error:
            # Accepted (2xx) but unreadable: retrying could send the message twice.
            raise SendError("rejected", None, "no message id in Graph response") from error


def classify(status: int, content: bytes) -> SendError:
    """The `SendError` for a Graph error response: its HTTP status and its body
    (`{"error": {"code", "message", ...}}`)."""
    try:
        error = json.loads(content).get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    code = error.get("code") if isinstance(error, dict) else None
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    detail = _error_detail(error) or f"HTTP {status}"
    if code == TEMPLATE_REQUIRED:
        return SendError("template_required", code, detail)
    if code == UNREACHABLE:
        return SendError("unreachable", code, detail)
    if code in RETRY_CODES or status >= 500 or status == 429:
        return SendError("retry", code, detail)
    return SendError("rejected", code, detail)


def payload(to: str, message: Outbound, *, as_template: bool = False) -> dict[str, Any]:
    """Meta's JSON for `message`. Texts are clipped to WhatsApp's limits here as a last line of
    defence; the number of buttons and rows is the message builder's job."""
    recipient_key = "recipient" if BSUID.match(to) else "to"
    head = {"messaging_product": "whatsapp", "recipient_type": "individual", recipient_key: to}
    if as_template:
        if message.template is None:
            raise SendError("rejected", None, "message has no template")
        template: dict[str, Any] = {
            "name": message.template.name,
            "language": {"code": message.template.language},
        }
        if message.template.params:
            parameters = [
                {"type": "text", "text": TEMPLATE_PARAM_SPACING.sub(" ", param).strip() or "-"}
                for param in message.template.params
            ]
            template["components"] = [{"type": "body", "parameters": parameters}]
        return {**head, "type": "template", "template": template}
    if message.rows:
        label = clip(message.list_button or "Choose", MAX_LIST_BUTTON)
        rows = [_row(row.id, row.title, row.description) for row in message.rows]
        action = {
            "button": label,
            "sections": [{"title": clip(label, MAX_SECTION_TITLE), "rows": rows}],
        }
        return {**head, "type": "interactive", "interactive": _interactive("list", message, action)}
    if message.buttons:
        buttons = [
            {"type": "reply", "reply": {"id": b.id, "title": clip(b.title, MAX_BUTTON_TITLE)}}
            for b in message.buttons
        ]
        interactive = _interactive("button", message, {"buttons": buttons})
        return {**head, "type": "interactive", "interactive": interactive}
    if image_id := message.extra.get("image_id"):
        # The artist's image for the client (`consultation.takeover`), with their caption.
        image = {"id": image_id, "caption": clip(message.text.strip(), MAX_TEXT)}
        return {**head, "type": "image", "image": {k: v for k, v in image.items() if v}}
    text = {"body": clip(message.text, MAX_TEXT), "preview_url": False}
    return {**head, "type": "text", "text": text}


def clip(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, ending with "…" when cut. The cut never splits an
    emoji sequence or an accented letter: a half ("👩" of "👩‍🎨") can mean something else."""
    if len(text) <= limit:
        return text
    end = limit - 1
    while end > 0 and (_continues(text[end]) or text[end - 1] == "\u200d"):
        end -= 1
    return text[:end].rstrip() + "…"


def _continues(char: str) -> bool:
    """Whether `char` belongs to the character before it (joiner, variation selector, skin
    tone or combining mark)."""
    return (
        char in "\u200d\ufe0e\ufe0f"
        or "\U0001f3fb" <= char <= "\U0001f3ff"
        or unicodedata.combining(char) != 0
    )


def _interactive(kind: str, message: Outbound, action: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "body": {"text": clip(message.text, MAX_BODY)}, "action": action}


def _row(row_id: str, title: str, description: str) -> dict[str, str]:
    row = {"id": row_id, "title": clip(title, MAX_ROW_TITLE)}
    if description:  # Meta rejects an empty description; leave it out instead
        row["description"] = clip(description, MAX_ROW_DESCRIPTION)
    return row


def _error_detail(error: Any) -> str:
    if not isinstance(error, dict):
        return ""
    data = error.get("error_data")
    details = data.get("details") if isinstance(data, dict) else None
    text = str(details or error.get("message") or "")
    return PHONE_LIKE.sub("[number]", text)[:300]
