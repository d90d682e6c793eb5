"""Master keys (from the settings, with ids for rotation) and the data keys they wrap (one per
contact, random, stored wrapped in PostgreSQL). Nothing re-derives a data key: deleting its row
is final."""

from __future__ import annotations

import base64
import os
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.ext.asyncio import async_sessionmaker

from stores.payload_keys import PayloadKeys

NONCE = 12
# A data key read from PostgreSQL is kept this long in each process: erasure deletes the row,
# and other processes stop using their copy within this time.
CACHE_SECONDS = 60.0


class Erased(Exception):
    """The scope's data key is gone: its payloads can never be read again."""


@dataclass(frozen=True)
class MasterKeys:
    """`id:base64key,...` (32-byte keys), the first one current: new data keys are wrapped
    with it, and older ids stay to unwrap keys until they are re-wrapped."""

    keys: dict[str, bytes]
    current: str

    @classmethod
    def parse(cls, setting: str) -> MasterKeys:
        keys: dict[str, bytes] = {}
        for entry in (e.strip() for e in setting.split(",") if e.strip()):
            key_id, _, encoded = entry.partition(":")
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            if not key_id or len(raw) != 32:
                raise ValueError("each master key is `id:` and 32 bytes in base64")
            keys[key_id] = raw
        if not keys:
            raise ValueError("no master key given")
        return cls(keys, next(iter(keys)))

    @staticmethod
    def new_key() -> str:
        return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")

    def wrap(self, scope: str, data_key: bytes) -> tuple[str, bytes]:
        nonce = os.urandom(NONCE)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, data_key, scope.encode())
        return self.current, nonce + sealed

    def unwrap(self, scope: str, master_key_id: str, wrapped: bytes) -> bytes:
        master = self.keys.get(master_key_id)
        if master is None:
            raise KeyError(f"master key {master_key_id!r} is not configured")
        return AESGCM(master).decrypt(wrapped[:NONCE], wrapped[NONCE:], scope.encode())


class Keyring:
    def __init__(self, masters: MasterKeys, sessions: async_sessionmaker) -> None:
        self.masters = masters
        self.store = PayloadKeys(sessions)
        self._cache: dict[str, tuple[bytes, float]] = {}

    async def data_key(self, scope: str, *, create: bool, fresh: bool = False) -> bytes:
        """The scope's data key, made on first use when `create`; `fresh` skips this process's
        cache (the codec endpoint: an erasure elsewhere shows at once)."""
        cached = None if fresh else self._cache.get(scope)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        found = await self.store.find(scope)
        if found is None:
            if not create:
                raise Erased(scope)
            found = await self.store.add(scope, *self.masters.wrap(scope, os.urandom(32)))
        key = self.masters.unwrap(scope, *found)
        self._cache[scope] = (key, time.monotonic() + CACHE_SECONDS)
        return key

    async def erase(self, scope: str) -> bool:
        self._cache.pop(scope, None)
        return await self.store.erase(scope)

    async def rewrap(self) -> int:
        """Wrap every data key with the current master key (after adding a new one first in
        the setting); the old master key can then be removed. Returns how many were re-wrapped."""
        count = 0
        for scope, old_id, wrapped in await self.store.wrapped_by_others(self.masters.current):
            if old_id not in self.masters.keys:
                continue  # wrapped by a master key no longer configured: unreadable already
            data_key = self.masters.unwrap(scope, old_id, wrapped)
            await self.store.rewrap(scope, old_id, *self.masters.wrap(scope, data_key))
            count += 1
        return count
