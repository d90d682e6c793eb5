"""Studio sessions, one-time sign-in links and sign-in attempts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import StudioSession, StudioSignInAttempt, StudioSignInLink


async def add_session(session: AsyncSession, row: StudioSession) -> None:
    # A sign-in is a good moment to drop sessions that have run out.
    await session.execute(delete(StudioSession).where(StudioSession.expires_at < func.now()))
    session.add(row)


async def live_session(
    session: AsyncSession, token_hash: str, idle: timedelta
) -> StudioSession | None:
    """The session, unless it is past its expiry or idle for longer than `idle`."""
    now = datetime.now(UTC)
    row = await session.get(StudioSession, token_hash)
    if row is None or row.expires_at <= now or row.last_seen_at + idle <= now:
        return None
    return row


async def touch_session(session: AsyncSession, token_hash: str) -> None:
    await session.execute(
        update(StudioSession)
        .where(StudioSession.token_hash == token_hash)
        .values(last_seen_at=func.now())
    )


async def end_session(session: AsyncSession, token_hash: str) -> None:
    await session.execute(delete(StudioSession).where(StudioSession.token_hash == token_hash))


async def claim_link(session: AsyncSession, token_hash: str) -> StudioSignInLink | None:
    """Use a sign-in link once: of two clicks at once exactly one gets the row."""
    return await session.scalar(
        update(StudioSignInLink)
        .where(
            StudioSignInLink.token_hash == token_hash,
            StudioSignInLink.used_at.is_(None),
            StudioSignInLink.expires_at > func.now(),
        )
        .values(used_at=func.now())
        .returning(StudioSignInLink)
    )


async def attempts_since(session: AsyncSession, bucket: str, since: datetime) -> list[datetime]:
    """When each attempt in `bucket` since `since` was made, oldest first."""
    rows = await session.scalars(
        select(StudioSignInAttempt.created_at)
        .where(StudioSignInAttempt.bucket == bucket, StudioSignInAttempt.created_at > since)
        .order_by(StudioSignInAttempt.created_at)
    )
    return list(rows)


async def count_attempt(session: AsyncSession, bucket: str, forget_before: datetime) -> None:
    await session.execute(
        delete(StudioSignInAttempt).where(
            StudioSignInAttempt.bucket == bucket, StudioSignInAttempt.created_at < forget_before
        )
    )
    session.add(StudioSignInAttempt(bucket=bucket))
