"""Logs: one JSON object a line in production (for a log pipeline), plain readable lines under
`make run`. Every record, ours or a library's (uvicorn, Temporal, SQLAlchemy), goes through the
standard library's root logger into structlog's formatter, which adds what is bound for the
current request or activity (`request_id`, `workflow_id`, `lead_id`) and masks anything shaped
like a phone number, as a second line of defence behind never logging one."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, Literal

import structlog
from structlog.contextvars import bind_contextvars, bound_contextvars, merge_contextvars
from structlog.typing import EventDict

__all__ = ["bind_contextvars", "bound_contextvars", "configure", "mask_numbers"]

LogFormat = Literal["json", "plain"]

# WhatsApp ids and E.164 numbers: 11 to 15 digits in a row (with an optional +). Shorter runs
# (epoch seconds, amounts in pence, ports) are left alone, and so are digits inside a word or a
# hex id (a request id is not a phone number).
PHONE_SHAPED = re.compile(r"(?<![0-9A-Za-z])\+?\d{11,15}(?![0-9A-Za-z])")


def mask_numbers(_logger: Any, _method: str, event: EventDict) -> EventDict:
    for key, value in event.items():
        if isinstance(value, str) and PHONE_SHAPED.search(value):
            event[key] = PHONE_SHAPED.sub("[number]", value)
    return event


def _process_name(name: str):
    def add(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> EventDict:
        event.setdefault("process", name)
        return event  # type: ignore[return-value]

    return add


def configure(process: str, log_format: LogFormat, level: int = logging.INFO) -> None:
    """Route every log record of this process through one formatter. Idempotent."""
    shared = [
        merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        _process_name(process),
        structlog.stdlib.ExtraAdder(),  # a record's `extra={...}` becomes fields
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            mask_numbers,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.set_name("inkflow")
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if h.get_name() != "inkflow"] + [handler]
    root.setLevel(level)
    # uvicorn's own handlers would print its lines a second time, unformatted; its access log
    # carries raw paths (the artist's link tokens): requests are logged by route template
    # instead (telemetry.requests).
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    # httpx logs every call's full URL at INFO: Meta's media URLs and signed storage links
    # are credentials for as long as they live.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
