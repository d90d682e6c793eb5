"""A stretch of time, and its form in PostgreSQL (a half-open `tstzrange`)."""

# Annotations here are evaluated (no `from __future__ import annotations`): `Span` travels in
# activity payloads, and Temporal's converter resolves type hints on every payload.

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.dialects.postgresql import Range


@dataclass
class Span:
    """A stretch of time, tz-aware (UTC)."""

    start: datetime
    end: datetime


def span_of(during: Range[datetime]) -> Span:
    assert during.lower is not None and during.upper is not None  # the span check ensures it
    return Span(during.lower.astimezone(UTC), during.upper.astimezone(UTC))


def range_of(start: datetime, end: datetime) -> Range[datetime]:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("calendar times must be tz-aware")
    return Range(start, end, bounds="[)")
