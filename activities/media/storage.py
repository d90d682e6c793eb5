"""Where our copies of a client's media live: a local folder served by our own app, or a private
Supabase Storage bucket. Failures are `ProviderError`s of provider "Media": `retryable` for the
network, an outage (5xx) or a rate limit (429); otherwise the media is refused (gone, too large,
corrupt) or our credentials are, and trying again in five minutes will not help."""

import asyncio
import mimetypes
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from activities.errors import ProviderError

SIGNED_URL_TTL = 7 * 24 * 60 * 60  # the artist may open a lead days after it came in
# Python's built-in table lacks these WhatsApp types. The built-in table, not the host's
# /etc/mime.types, so that an object key is the same on every machine.
EXTENSIONS = {"image/webp": ".webp", "audio/ogg": ".ogg"}
BUILT_IN_TYPES = mimetypes.MimeTypes()


class Storage(Protocol):
    """Where our copies live. `put` and `link` return a URL the artist can open."""

    name: str

    async def put(self, key: str, data: bytes, content_type: str) -> str: ...

    async def link(self, key: str) -> str: ...

    async def delete(self, key: str) -> None:
        """Remove our copy (erasure); a copy already gone is not an error."""


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
            raise ProviderError(
                "Media", f"media folder: {error.strerror}", retryable=True
            ) from error
        return await self.link(key)

    async def link(self, key: str) -> str:
        return f"{self.public_base_url}/media/{quote(key)}"

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.folder / key).resolve()
        if not path.is_relative_to(self.folder):
            raise ProviderError("Media", "object key leaves the media folder", retryable=False)
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
            raise ProviderError("Media", "Supabase answered without a signed URL", retryable=True)
        if signed.startswith(("http://", "https://")):
            return signed
        # Storage answers with a path relative to /storage/v1 ("/object/sign/...?token=...").
        return f"{self._api}/{signed.lstrip('/')}"

    async def delete(self, key: str) -> None:
        # Storage's bulk delete: the bucket, and the keys as "prefixes" (missing ones are fine).
        url = f"{self._api}/object/{quote(self.bucket, safe='')}"
        await self._post("delete", url, method="DELETE", json={"prefixes": [key]},
                         headers=self._headers)  # fmt: skip

    def _object_url(self, route: str, key: str) -> str:
        return f"{self._api}/{route}/{quote(self.bucket, safe='')}/{quote(key)}"

    async def _post(
        self, what: str, url: str, method: str = "POST", **kwargs: Any
    ) -> dict[str, Any]:
        try:
            response = await self._client.request(method, url, timeout=self._timeout, **kwargs)
        except httpx.TransportError as error:
            raise ProviderError(
                "Media", f"Supabase {what}: {type(error).__name__}", retryable=True
            ) from error
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


def http_error(what: str, status: int, detail: str = "") -> ProviderError:
    """Outages, rate limits and timeouts are worth another try; other refusals are not."""
    message = f"{what} answered {status}" + (f": {detail}" if detail else "")
    return ProviderError("Media", message, retryable=status in (408, 429) or status >= 500)


def object_key(lead_id: str, sha256: str, content_type: str) -> str:
    """`leads/{lead_id}/{sha256}.{ext}`: by content, so the same image sent twice is one
    object, and with an extension so a file server and the artist's browser know its type."""
    mime = content_type.partition(";")[0].strip().lower()
    extension = EXTENSIONS.get(mime) or BUILT_IN_TYPES.guess_extension(mime) or ""
    return f"leads/{lead_id}/{sha256}{extension}"
