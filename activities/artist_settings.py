"""The artist's settings version in force, for a lead starting: it keeps the version in its
workflow state (`Policy.settings_version`), so a save in the studio changes the next lead only
and a running lead replays exactly as it ran."""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity

from consultation.artist_settings import ArtistSettings
from stores.artist_settings import SettingsStore


@dataclass
class SettingsInForce:
    version: int
    settings: dict[str, Any]  # `ArtistSettings.to_mapping()`, validated when it was saved


class SettingsActivities:
    def __init__(
        self, sessions: async_sessionmaker, artist_id: str, defaults: ArtistSettings
    ) -> None:
        self.store = SettingsStore(sessions, artist_id)
        self.defaults = defaults.to_mapping()

    @activity.defn(name="settings_in_force")
    async def settings_in_force(self, lead_id: str) -> SettingsInForce:
        """The newest version (the install's defaults as version 1 on a fresh database)."""
        saved = await self.store.in_force(self.defaults)
        return SettingsInForce(saved.version, saved.settings)
