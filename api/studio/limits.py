"""Sign-in attempts, limited per client address (every attempt) and per account (failed
passwords and links asked for), counted in PostgreSQL so the limit holds across replicas: the
shared-store counter beside the per-process one of `api/rate_limits.py`, with the same refusal
(`TooMany`) and the same Retry-After."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from api.deps import EdgeState
from api.rate_limits import TooMany, retry_after
from stores import studio as store

__all__ = ["TooMany", "bucket", "check", "count"]


def bucket(kind: str, value: str) -> str:
    # Hashed: the table never holds a client's address.
    return hashlib.sha256(f"{kind}:{value.lower()}".encode()).hexdigest()


async def check(state: EdgeState, *buckets: str) -> None:
    """Raise TooMany when any bucket has used up its attempts in the window."""
    settings = state.settings
    window = timedelta(minutes=settings.STUDIO_SIGNIN_WINDOW_MINUTES)
    now = datetime.now(UTC)
    async with state.sessions() as session:
        for name in buckets:
            seen = await store.attempts_since(session, name, now - window)
            if len(seen) >= settings.STUDIO_SIGNIN_ATTEMPTS:
                oldest = seen[len(seen) - settings.STUDIO_SIGNIN_ATTEMPTS]
                raise TooMany(
                    retry_after(oldest.timestamp(), window.total_seconds(), now.timestamp())
                )


async def count(state: EdgeState, *buckets: str) -> None:
    window = timedelta(minutes=state.settings.STUDIO_SIGNIN_WINDOW_MINUTES)
    async with state.sessions.begin() as session:
        for name in buckets:
            await store.count_attempt(session, name, datetime.now(UTC) - window)
