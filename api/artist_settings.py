"""The artist's settings version in force, for the edge's pages and feeds (the studio's
settings, calendar and the ICS files); the first read on a fresh install stores the defaults."""

from __future__ import annotations

from api.deps import EdgeState
from consultation.artist_settings import ArtistSettings
from stores.artist_settings import SavedVersion, SettingsStore


async def in_force(state: EdgeState) -> tuple[SavedVersion, ArtistSettings]:
    store = SettingsStore(state.sessions, state.settings.ARTIST_ID)
    saved = await store.in_force(state.settings.artist_defaults.to_mapping())
    return saved, ArtistSettings.from_mapping(saved.settings)
