"""Marketing consent and its evidence. One write records the event and moves the current
consent, unless a later change is already recorded (webhooks can arrive out of order)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import ConsentEvent, MarketingConsent


async def record_consent(
    session: AsyncSession,
    contact_key: str,
    granted: bool,
    how: str,
    at: datetime,
    *,
    wording: str = "",
    message_id: str | None = None,
) -> bool:
    """Record a consent change in `session`; False when `message_id` was recorded already."""
    event = insert(ConsentEvent).values(
        contact_key=contact_key,
        granted=granted,
        at=at,
        how=how,
        wording=wording,
        message_id=message_id,
    )
    added = await session.scalar(
        event.on_conflict_do_nothing(index_elements=[ConsentEvent.message_id]).returning(
            ConsentEvent.id
        )
    )
    if added is None:
        return False
    current = insert(MarketingConsent).values(
        contact_key=contact_key, granted=granted, changed_at=at, how=how
    )
    await session.execute(
        current.on_conflict_do_update(
            index_elements=[MarketingConsent.contact_key],
            set_={"granted": granted, "changed_at": at, "how": how},
            where=MarketingConsent.changed_at <= at,
        )
    )
    return True


class Consents:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    async def change(
        self, contact_key: str, granted: bool, how: str, at: datetime, *, wording: str = "",
        message_id: str | None = None,
    ) -> bool:  # fmt: skip
        async with self.sessions.begin() as session:
            return await record_consent(
                session, contact_key, granted, how, at, wording=wording, message_id=message_id
            )

    async def granted(self, contact_key: str) -> bool:
        async with self.sessions() as session:
            value = await session.scalar(
                select(MarketingConsent.granted).where(MarketingConsent.contact_key == contact_key)
            )
        return bool(value)

    async def evidence(self, contact_key: str) -> list[ConsentEvent]:
        async with self.sessions() as session:
            rows = await session.scalars(
                select(ConsentEvent)
                .where(ConsentEvent.contact_key == contact_key)
                .order_by(ConsentEvent.at, ConsentEvent.id)
            )
            return list(rows)
