"""Reference images the client sends, copied out of WhatsApp into storage we control: downloaded
from the Graph API in two steps (platform_facts B5), kept in a local folder or a Supabase
bucket, and tracked one row per media id in `attachments`.

Meta's copy is short-lived (the download URL lasts about 5 minutes, the media id 7 days), so
the copy is made as soon as the image arrives and the artist is only ever given our link.
"""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

import asyncio
import base64
import binascii
import hashlib
import mimetypes
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from urllib.parse import quote

import httpx
from sqlalchemy import DateTime, Integer, Text, column, func, or_, select, table, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.whatsapp_cloud import classify

DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's own limit for images is 5 MB; documents 100 MB
MAX_ATTEMPTS = 5  # the workflow's retry policy, when the activity's info does not carry one
SIGNED_URL_TTL = 7 * 24 * 60 * 60  # the artist may open a lead days after it came in
LAST_ERROR_LIMIT = 500
# Python's built-in table lacks these WhatsApp types. The built-in table, not the host's
# /etc/mime.types, so that an object key is the same on every machine.
EXTENSIONS = {"image/webp": ".webp", "audio/ogg": ".ogg"}
BUILT_IN_TYPES = mimetypes.MimeTypes()

attachments = table(
    "attachments",
    column("lead_id", Text),
    column("media_id", Text),
    column("kind", Text),
    column("mime_type", Text),
    column("sha256", Text),
    column("size_bytes", Integer),
    column("status", Text),
    column("storage", Text),
    column("object_key", Text),
    column("attempts", Integer),
    column("last_error", Text),
    column("stored_at", DateTime(timezone=True)),
)


class MediaError(Exception):
    """A download or upload that failed. `retryable`: the network, an outage (5xx) or a rate
    limit (429); otherwise the media is refused (gone, too large, corrupt) or our credentials
    are, and trying again in five minutes will not help."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


# -- WhatsApp ---------------------------------------------------------------------------------


class GraphMedia:
    """Downloads media a client sent, by Meta's media id."""

    def __init__(
        self,
        *,
        base_url: str = "https://graph.facebook.com",
        api_version: str = "v21.0",
        access_token: str,
        max_bytes: int = DEFAULT_MAX_BYTES,
        timeout: float = 30.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = f"{base_url.rstrip('/')}/{api_version}"
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self.max_bytes = max_bytes
        self._timeout = timeout
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient()

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def fetch(self, media_id: str) -> tuple[bytes, str]:
        """The media's bytes and content type, checked against Meta's size and sha256."""
        meta = await self._metadata(media_id)
        url = meta.get("url")
        if not isinstance(url, str) or not url:
            raise MediaError("Graph answered without a download url", retryable=True)
        announced = meta.get("file_size")
        if isinstance(announced, int) and announced > self.max_bytes:
            raise MediaError(f"media is {announced} bytes, over the limit", retryable=False)
        data, served_type = await self._download(url)
        expected = meta.get("sha256")
        if isinstance(expected, str) and expected and not digest_matches(data, expected):
            # The bytes are not the ones the client sent: never show them to the artist.
            raise MediaError("downloaded media does not match Meta's sha256", retryable=False)
        mime_type = meta.get("mime_type")
        content_type = mime_type if isinstance(mime_type, str) and mime_type else served_type
        return data, content_type or "application/octet-stream"

    async def _metadata(self, media_id: str) -> dict[str, Any]:
        try:
            response = await self._client.get(
                f"{self._url}/{quote(media_id, safe='')}",
                headers=self._headers,
                timeout=self._timeout,
            )
        except httpx.TransportError as error:
            raise MediaError(
                f"Graph unreachable: {type(error).__name__}", retryable=True
            ) from error
        if response.status_code >= 400:
            # Graph's error codes say more than the HTTP status (rate limits come as 400s).
            refusal = classify(response)
            raise MediaError(f"Graph media lookup: {refusal}", retryable=refusal.kind == "retry")
        try:
            meta = response.json()
        except ValueError as error:
            raise MediaError("Graph answered with no JSON", retryable=True) from error
        if not isinstance(meta, dict):
            raise MediaError("Graph answered with no media object", retryable=True)
        return meta

    async def _download(self, url: str) -> tuple[bytes, str]:
        # The URL is only valid with the same bearer token, and may redirect (httpx drops the
        # token if a redirect leaves the host). The URL is never put in an error: it grants
        # access to the client's image for a few minutes.
        try:
            async with self._client.stream(
                "GET", url, headers=self._headers, timeout=self._timeout, follow_redirects=True
            ) as response:
                if response.status_code >= 400:
                    raise http_error("media download", response.status_code)
                length = response.headers.get("content-length", "")
                if length.isdigit() and int(length) > self.max_bytes:
                    raise MediaError(f"media is {length} bytes, over the limit", retryable=False)
                # Counted as it arrives: a missing or false Content-Length must not let an
                # endless body fill the worker's memory.
                chunks: list[bytes] = []
                received = 0
                async for chunk in response.aiter_bytes():
                    received += len(chunk)
                    if received > self.max_bytes:
                        raise MediaError("media is over the size limit", retryable=False)
                    chunks.append(chunk)
                return b"".join(chunks), response.headers.get("content-type", "")
        except httpx.TransportError as error:
            raise MediaError(f"media download: {type(error).__name__}", retryable=True) from error
        except httpx.RequestError as error:  # redirect loop, undecodable body
            raise MediaError(f"media download: {type(error).__name__}", retryable=False) from error


def digest_matches(data: bytes, expected: str) -> bool:
    """Whether `data` hashes to `expected`, given in hex or in base64 (webhook payloads carry
    base64, e.g. "ian…jM4k=")."""
    digest = hashlib.sha256(data).digest()
    if expected.lower() == digest.hex():
        return True
    try:
        return base64.b64decode(expected, validate=True) == digest
    except (binascii.Error, ValueError):
        return False


# -- storage ----------------------------------------------------------------------------------


class Storage(Protocol):
    """Where our copies live. `put` and `link` return a URL the artist can open."""

    name: str

    async def put(self, key: str, data: bytes, content_type: str) -> str: ...

    async def link(self, key: str) -> str: ...


class LocalStorage:
    """Files under one folder, served by our own app at `{public_base_url}/media/{key}`."""

    name = "local"

    def __init__(self, folder: Path, public_base_url: str) -> None:
        self.folder = folder.resolve()
        self.public_base_url = public_base_url.rstrip("/")

    async def put(self, key: str, data: bytes, content_type: str) -> str:
        # The content type lives in the key's extension: that is what a static file server
        # reads it from.
        path = self._path(key)
        try:
            await asyncio.to_thread(write_atomically, path, data)
        except OSError as error:  # a full or read-only disk: an operator can fix it in time
            raise MediaError(f"media folder: {error.strerror}", retryable=True) from error
        return await self.link(key)

    async def link(self, key: str) -> str:
        return f"{self.public_base_url}/media/{quote(key)}"

    def _path(self, key: str) -> Path:
        path = (self.folder / key).resolve()
        if not path.is_relative_to(self.folder):
            raise MediaError("object key leaves the media folder", retryable=False)
        return path


def write_atomically(path: Path, data: bytes) -> None:
    """Write then rename, so the file server never sends half an image."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class SupabaseStorage:
    """One private bucket in Supabase Storage, over its REST API; links are signed URLs."""

    name = "supabase"

    def __init__(
        self,
        url: str,
        service_role_key: str,
        bucket: str = "reference-images",
        *,
        signed_url_ttl: int = SIGNED_URL_TTL,
        timeout: float = 30.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._api = f"{url.rstrip('/')}/storage/v1"
        self.bucket = bucket
        self.signed_url_ttl = signed_url_ttl
        # Both headers, as supabase-js sends them: the gateway wants `apikey`, and the new
        # sb_secret_ keys are only accepted as a bearer when they equal the `apikey` header.
        self._headers = {"apikey": service_role_key, "Authorization": f"Bearer {service_role_key}"}
        self._timeout = timeout
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient()

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def put(self, key: str, data: bytes, content_type: str) -> str:
        # x-upsert: a retry after an upload whose answer was lost must not fail as a duplicate.
        headers = {**self._headers, "Content-Type": content_type, "x-upsert": "true"}
        await self._post("upload", self._object_url("object", key), content=data, headers=headers)
        return await self.link(key)

    async def link(self, key: str) -> str:
        body = await self._post(
            "signing",
            self._object_url("object/sign", key),
            json={"expiresIn": self.signed_url_ttl},
            headers=self._headers,
        )
        signed = body.get("signedURL") or body.get("signedUrl")
        if not isinstance(signed, str) or not signed:
            raise MediaError("Supabase answered without a signed URL", retryable=True)
        if signed.startswith(("http://", "https://")):
            return signed
        # Storage answers with a path relative to /storage/v1 ("/object/sign/...?token=...").
        return f"{self._api}/{signed.lstrip('/')}"

    def _object_url(self, route: str, key: str) -> str:
        return f"{self._api}/{route}/{quote(self.bucket, safe='')}/{quote(key)}"

    async def _post(self, what: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._client.post(url, timeout=self._timeout, **kwargs)
        except httpx.TransportError as error:
            raise MediaError(f"Supabase {what}: {type(error).__name__}", retryable=True) from error
        try:
            body = response.json()
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else {}
        if response.status_code >= 400:
            # Storage often answers HTTP 400 with the real status in the body
            # ({"statusCode": "404", "error": "Bucket not found", ...}).
            code = str(body.get("statusCode", ""))
            real = response.status_code == 400 and code.isdigit()
            status = int(code) if real else response.status_code
            detail = str(body.get("message") or body.get("error") or "")[:200]
            raise http_error(f"Supabase {what}", status, detail)
        return body


def http_error(what: str, status: int, detail: str = "") -> MediaError:
    """Outages, rate limits and timeouts are worth another try; other refusals are not."""
    message = f"{what} answered {status}" + (f": {detail}" if detail else "")
    return MediaError(message, retryable=status in (408, 429) or status >= 500)


def object_key(lead_id: str, sha256: str, content_type: str) -> str:
    """`leads/{lead_id}/{sha256}.{ext}`: by content, so the same image sent twice is one
    object, and with an extension so a file server and the artist's browser know its type."""
    mime = content_type.partition(";")[0].strip().lower()
    extension = EXTENSIONS.get(mime) or BUILT_IN_TYPES.guess_extension(mime) or ""
    return f"leads/{lead_id}/{sha256}{extension}"


# -- the activity -----------------------------------------------------------------------------


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


class Stored(NamedTuple):
    object_key: str
    size_bytes: int


class MediaActivities:
    def __init__(
        self,
        sessions: async_sessionmaker,
        downloader: Downloader,
        storage: Storage,
        *,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.sessions = sessions
        self.downloader = downloader
        self.storage = storage
        self.max_attempts = max_attempts

    @activity.defn(name="store_media")
    async def store_media(self, request: StoreMedia) -> StoredMedia:
        if not request.media_id:
            raise ApplicationError("no media id", type="MediaRejected", non_retryable=True)
        stored = await self._claim(request)
        try:
            if stored is not None:
                url = await self.storage.link(stored.object_key)
                return StoredMedia(request.media_id, url, stored.size_bytes)
            data, content_type = await self.downloader.fetch(request.media_id)
            digest = hashlib.sha256(data).hexdigest()
            key = object_key(request.lead_id, digest, content_type)
            url = await self.storage.put(key, data, content_type)
        except MediaError as error:
            if stored is None:
                await self._failed(request.media_id, error, final=self._final(error))
            raise ApplicationError(
                str(error),
                type="MediaRetry" if error.retryable else "MediaRejected",
                non_retryable=not error.retryable,
            ) from error
        await self._stored(request.media_id, content_type, digest, key, len(data))
        return StoredMedia(request.media_id, url, len(data))

    def _final(self, error: MediaError) -> bool:
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

    async def _claim(self, request: StoreMedia) -> Stored | None:
        """Count this attempt on the media's row (made on first sight), or the stored copy
        when there is one in the current storage: a retried or repeated call then neither
        downloads nor uploads again."""
        statement = insert(attachments).values(
            lead_id=request.lead_id,
            media_id=request.media_id,
            kind=request.kind,
            mime_type=request.mime_type or None,
            sha256=request.sha256 or None,
            status="PENDING",
            attempts=1,
        )
        statement = statement.on_conflict_do_update(
            index_elements=["media_id"],
            # FAILED goes back to PENDING: a new schedule of the activity is a decision to
            # try again. A copy in another storage (the setting changed) is made again.
            set_={"attempts": attachments.c.attempts + 1, "status": "PENDING"},
            where=or_(
                attachments.c.status != "STORED",
                attachments.c.storage.is_distinct_from(self.storage.name),
            ),
        )
        async with self.sessions.begin() as session:
            claimed = await session.execute(statement.returning(attachments.c.media_id))
            if claimed.first() is not None:
                return None
            row = (
                await session.execute(
                    select(attachments.c.object_key, attachments.c.size_bytes).where(
                        attachments.c.media_id == request.media_id
                    )
                )
            ).one()
        return Stored(row.object_key, row.size_bytes)

    async def _stored(
        self, media_id: str, content_type: str, digest: str, key: str, size: int
    ) -> None:
        values = {
            "status": "STORED",
            "storage": self.storage.name,
            "object_key": key,
            "mime_type": content_type,
            "sha256": digest,
            "size_bytes": size,
            "last_error": None,
            "stored_at": func.now(),
        }
        async with self.sessions.begin() as session:
            await session.execute(
                update(attachments).where(attachments.c.media_id == media_id).values(values)
            )

    async def _failed(self, media_id: str, error: MediaError, *, final: bool) -> None:
        values = {
            "status": "FAILED" if final else "PENDING",
            "last_error": str(error)[:LAST_ERROR_LIMIT],
        }
        async with self.sessions.begin() as session:
            await session.execute(
                update(attachments).where(attachments.c.media_id == media_id).values(values)
            )
