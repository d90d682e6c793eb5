"""The settings versions in PostgreSQL: a fresh install's first read stores the defaults as
version 1 (once, however many read at once), each save is the next number, and a save based on
an older version is refused rather than silently undoing the one in between."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from stores.artist_settings import SettingsStore, StaleVersion

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_versions_are_numbered_and_a_stale_save_is_refused(sessions) -> None:
    store = SettingsStore(sessions, f"artist-{uuid.uuid4().hex[:8]}")
    defaults = {"artist_name": "Sam"}
    firsts = await asyncio.gather(*(store.in_force(defaults) for _ in range(5)))
    assert {first.version for first in firsts} == {1}
    assert firsts[0].saved_by == "install"

    assert await store.save({"artist_name": "Sam Rivers"}, "artist", based_on=1) == 2
    with pytest.raises(StaleVersion):
        await store.save({"artist_name": "Sammy"}, "manager", based_on=1)
    current = await store.in_force(defaults)
    assert (current.version, current.settings, current.saved_by) == (
        2, {"artist_name": "Sam Rivers"}, "artist",
    )  # fmt: skip
    assert [saved.version for saved in await store.history()] == [2, 1]
