"""What the API records about each request, as ASGI middleware: a request id (the caller's
`X-Request-ID` when it is a plain token, else a new one) bound to every log line written while
the request runs and echoed in the answer, Prometheus' rate and latency, and one log line, all
under the route's template (`/a/{token}`), never the raw path, which can carry a secret."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from telemetry.logs import bound_contextvars
from telemetry.metrics import HTTP_REQUESTS, HTTP_SECONDS

log = logging.getLogger("inkflow.http")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UNMATCHED = "unmatched"
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Probes and scrapes would drown the log: counted, not logged.
QUIET = {"/health", "/ready", "/metrics"}


def request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            given = value.decode("latin-1")
            if REQUEST_ID.fullmatch(given):
                return given
    return uuid.uuid4().hex


class HttpTelemetry:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = request_id(scope)
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        with bound_contextvars(request_id=rid):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                route = getattr(scope.get("route"), "path", None) or UNMATCHED
                method = scope.get("method", "")
                seconds = time.perf_counter() - started
                HTTP_REQUESTS.labels(method, route, str(status)).inc()
                HTTP_SECONDS.labels(method, route).observe(seconds)
                if route not in QUIET:
                    log.info(
                        "%s %s %s %.1f ms", method, route, status, seconds * 1000,
                        extra={"route": route, "status": status},
                    )  # fmt: skip
