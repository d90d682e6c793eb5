"""The artist's settings versions: the one in force, a save (the next number), the history for
the audit page. A fresh install's first read stores the defaults as version 1, so every lead can
name the version it took."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from models import ArtistSettingsVersion
from models.base import autocommit


@dataclass
class SavedVersion:
    version: int
    settings: dict[str, Any]  # `ArtistSettings.to_mapping()`
    saved_by: str
    saved_at: datetime


# The version in force (the highest number), as the columns of a `SavedVersion`.
_row = ArtistSettingsVersion
_newest = (
    select(func.max(_row.version)).where(_row.artist_id == bindparam("artist_id")).scalar_subquery()
)
LATEST = select(_row.version, _row.settings, _row.saved_by, _row.saved_at).where(
    _row.artist_id == bindparam("artist_id"), _row.version == _newest
)


class StaleVersion(Exception):
    """Someone saved since this form was opened: saving would silently undo their change."""


class SettingsStore:
    def __init__(self, sessions: async_sessionmaker, artist_id: str = "artist") -> None:
        self.sessions = sessions
        self.db = autocommit(sessions)
        self.artist_id = artist_id

    async def in_force(self, defaults: dict[str, Any]) -> SavedVersion:
        """The latest version; on a fresh install `defaults` become version 1 first (two
        callers at once both insert "version 1" and one is a no-op: the constraint decides)."""
        if (latest := await self._latest()) is not None:
            return latest
        async with self.sessions.begin() as session:
            await session.execute(
                insert(ArtistSettingsVersion)
                .values(artist_id=self.artist_id, version=1, settings=defaults, saved_by="install")
                .on_conflict_do_nothing(constraint="artist_settings_versions_numbered")
            )
        latest = await self._latest()
        assert latest is not None
        return latest

    async def save(self, settings: dict[str, Any], saved_by: str, based_on: int) -> int:
        """Store `settings` as the version after `based_on`; StaleVersion when another save
        took that number first."""
        try:
            async with self.sessions.begin() as session:
                session.add(
                    ArtistSettingsVersion(
                        artist_id=self.artist_id,
                        version=based_on + 1,
                        settings=settings,
                        saved_by=saved_by,
                    )
                )
        except IntegrityError as error:
            raise StaleVersion() from error
        return based_on + 1

    async def history(self, limit: int = 50) -> list[SavedVersion]:
        """The newest versions first."""
        async with self.sessions() as session:
            rows = await session.scalars(
                select(ArtistSettingsVersion)
                .where(ArtistSettingsVersion.artist_id == self.artist_id)
                .order_by(ArtistSettingsVersion.version.desc())
                .limit(limit)
            )
            return [_saved(row) for row in rows]

    async def _latest(self) -> SavedVersion | None:
        # Read as every new lead starts: one statement in autocommit, one round trip.
        async with self.db.connect() as conn:
            row = (await conn.execute(LATEST, {"artist_id": self.artist_id})).first()
        return SavedVersion(*row) if row is not None else None


def _saved(row: ArtistSettingsVersion) -> SavedVersion:
    return SavedVersion(row.version, row.settings, row.saved_by, row.saved_at)
