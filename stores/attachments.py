"""Files clients sent, one row per WhatsApp media id: PENDING while a copy is being made,
STORED once it is in our storage, FAILED when no attempt will follow."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker

from models import Attachment


class Stored(NamedTuple):
    object_key: str
    size_bytes: int


class Attachments:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    async def claim(
        self,
        lead_id: str,
        media_id: str,
        kind: str,
        mime_type: str,
        sha256: str,
        storage: str,
    ) -> Stored | None:
        """Count this attempt on the media's row (made on first sight), or the stored copy
        when there is one in `storage`: a retried or repeated call then neither downloads nor
        uploads again."""
        statement = insert(Attachment).values(
            lead_id=lead_id,
            media_id=media_id,
            kind=kind,
            mime_type=mime_type or None,
            sha256=sha256 or None,
            status="PENDING",
            attempts=1,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[Attachment.media_id],
            # FAILED goes back to PENDING: a new schedule of the activity is a decision to
            # try again. A copy in another storage (the setting changed) is made again.
            set_={"attempts": Attachment.attempts + 1, "status": "PENDING"},
            where=or_(Attachment.status != "STORED", Attachment.storage.is_distinct_from(storage)),
        )
        async with self.sessions.begin() as session:
            claimed = await session.execute(statement.returning(Attachment.media_id))
            if claimed.first() is not None:
                return None
            row = (
                await session.execute(
                    select(Attachment.object_key, Attachment.size_bytes).where(
                        Attachment.media_id == media_id
                    )
                )
            ).one()
        return Stored(row.object_key, row.size_bytes)

    async def stored(
        self, media_id: str, storage: str, content_type: str, digest: str, key: str, size: int
    ) -> None:
        values = {
            "status": "STORED",
            "storage": storage,
            "object_key": key,
            "mime_type": content_type,
            "sha256": digest,
            "size_bytes": size,
            "last_error": None,
            "stored_at": func.now(),
        }
        async with self.sessions.begin() as session:
            await session.execute(
                update(Attachment).where(Attachment.media_id == media_id).values(values)
            )

    async def failed(self, media_id: str, error: str, *, final: bool) -> None:
        values = {"status": "FAILED" if final else "PENDING", "last_error": error}
        async with self.sessions.begin() as session:
            await session.execute(
                update(Attachment).where(Attachment.media_id == media_id).values(values)
            )
