"""The wrapped data keys that seal workflow payloads (`payload_keys`)."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker

from models import PayloadKey


class PayloadKeys:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    async def find(self, scope: str) -> tuple[str, bytes] | None:
        async with self.sessions() as session:
            row = await session.get(PayloadKey, scope)
            return (row.master_key_id, row.wrapped_key) if row else None

    async def add(self, scope: str, master_key_id: str, wrapped: bytes) -> tuple[str, bytes]:
        """Store a new wrapped key for `scope`, unless another process stored one first: the
        key stored is returned either way, so every process seals with the same key."""
        async with self.sessions.begin() as session:
            await session.execute(
                insert(PayloadKey)
                .values(scope=scope, master_key_id=master_key_id, wrapped_key=wrapped)
                .on_conflict_do_nothing()
            )
            row = (
                await session.execute(
                    select(PayloadKey.master_key_id, PayloadKey.wrapped_key).where(
                        PayloadKey.scope == scope
                    )
                )
            ).one()
            return row.master_key_id, row.wrapped_key

    async def erase(self, scope: str) -> bool:
        async with self.sessions.begin() as session:
            result = await session.execute(delete(PayloadKey).where(PayloadKey.scope == scope))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def wrapped_by_others(self, master_key_id: str) -> list[tuple[str, str, bytes]]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(PayloadKey.scope, PayloadKey.master_key_id, PayloadKey.wrapped_key).where(
                    PayloadKey.master_key_id != master_key_id
                )
            )
            return [(r.scope, r.master_key_id, r.wrapped_key) for r in rows]

    async def rewrap(self, scope: str, old_id: str, master_key_id: str, wrapped: bytes) -> None:
        async with self.sessions.begin() as session:
            await session.execute(
                update(PayloadKey)
                .where(PayloadKey.scope == scope, PayloadKey.master_key_id == old_id)
                .values(master_key_id=master_key_id, wrapped_key=wrapped)
            )
