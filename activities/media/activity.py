"""`store_media`: a reference image the client sent, copied out of WhatsApp into storage we
control as soon as it arrives, and tracked one row per media id (`stores.attachments`). The
artist is only ever given our link."""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

import hashlib
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity

from activities.errors import ProviderError, provider_errors
from activities.media.storage import Storage, object_key
from stores.attachments import Attachments

MAX_ATTEMPTS = 5  # the workflow's retry policy, when the activity's info does not carry one
LAST_ERROR_LIMIT = 500


@dataclass
class StoreMedia:
    lead_id: str
    media_id: str
    kind: str
    mime_type: str = ""  # as the webhook announced it; Meta's media lookup has the final say
    sha256: str = ""


@dataclass
class StoredMedia:
    media_id: str
    url: str  # for the artist; a signed URL expires (SIGNED_URL_TTL)
    size_bytes: int


class Downloader(Protocol):
    async def fetch(self, media_id: str) -> tuple[bytes, str]: ...


class MediaActivities:
    def __init__(
        self,
        sessions: async_sessionmaker,
        downloader: Downloader,
        storage: Storage,
        *,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.attachments = Attachments(sessions)
        self.downloader = downloader
        self.storage = storage
        self.max_attempts = max_attempts

    @activity.defn(name="store_media")
    @provider_errors
    async def store_media(self, request: StoreMedia) -> StoredMedia:
        if not request.media_id:
            raise ProviderError("Media", "no media id", retryable=False)
        stored = await self.attachments.claim(
            request.lead_id,
            request.media_id,
            request.kind,
            request.mime_type,
            request.sha256,
            self.storage.name,
        )
        try:
            if stored is not None:
                url = await self.storage.link(stored.object_key)
                return StoredMedia(request.media_id, url, stored.size_bytes)
            data, content_type = await self.downloader.fetch(request.media_id)
            digest = hashlib.sha256(data).hexdigest()
            key = object_key(request.lead_id, digest, content_type)
            url = await self.storage.put(key, data, content_type)
        except ProviderError as error:
            if stored is None:
                await self.attachments.failed(
                    request.media_id, str(error)[:LAST_ERROR_LIMIT], final=self._final(error)
                )
            raise
        await self.attachments.stored(
            request.media_id, self.storage.name, content_type, digest, key, len(data)
        )
        return StoredMedia(request.media_id, url, len(data))

    def _final(self, error: ProviderError) -> bool:
        """Whether no attempt will follow this one."""
        if not error.retryable:
            return True
        info = activity.info()
        policy = info.retry_policy
        limit = (
            policy.maximum_attempts
            if policy is not None and policy.maximum_attempts > 0
            else self.max_attempts
        )
        return info.attempt >= limit
