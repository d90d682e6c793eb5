"""Request limits per client, answered with 429 and a `Retry-After` that says when to try again.

Two counters share one policy and one refusal: this process's memory, for the hot paths (the
webhooks, the artist's `/a/` links, `/admin`, the codec), where a database write per request
would cost more than it guards (each replica allows the limit, so the cluster allows it times
the replicas); and PostgreSQL for studio sign-in (`api/studio/limits.py`), where the limit must
hold across replicas. Limits are `attempts/seconds` settings; `0` turns one off. Routers use
them through `api.deps.rate_limited`."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import PlainTextResponse, Response


@dataclass(frozen=True)
class Limit:
    attempts: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> Limit | None:
        """`30/60`: 30 requests in any 60 s; `0` or empty: no limit."""
        if not text.strip() or text.strip() == "0":
            return None
        attempts, _, seconds = text.partition("/")
        limit = cls(int(attempts), float(seconds or 60))
        if limit.attempts < 1 or limit.seconds <= 0:
            raise ValueError("a limit is `attempts/seconds`, both positive, or 0 for none")
        return limit


@dataclass
class TooMany(Exception):
    retry_after: int  # seconds


def retry_after(oldest: float, window: float, now: float) -> int:
    """Free again when the oldest attempt that counts leaves the window."""
    return max(1, math.ceil(oldest + window - now))


class SlidingWindow:
    """The last `attempts` request times per bucket, in this process."""

    MAX_BUCKETS = 50_000  # past this, idle buckets are dropped (bounded memory under a flood)

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}

    def hit(self, bucket: str, limit: Limit, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        hits = self._hits.setdefault(bucket, deque(maxlen=limit.attempts))
        if len(hits) == limit.attempts and now - hits[0] < limit.seconds:
            raise TooMany(retry_after(hits[0], limit.seconds, now))
        hits.append(now)
        if len(self._hits) > self.MAX_BUCKETS:
            self._forget_idle(now, limit.seconds)

    def _forget_idle(self, now: float, seconds: float) -> None:
        for name in [n for n, h in self._hits.items() if not h or now - h[-1] >= seconds]:
            del self._hits[name]


async def answer_too_many(request: Request, error: Exception) -> Response:
    assert isinstance(error, TooMany)
    return PlainTextResponse(
        f"Too many requests: try again in {error.retry_after} s.",
        status_code=429,
        headers={"Retry-After": str(error.retry_after)},
    )
