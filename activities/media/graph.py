"""Media a client sent, downloaded from the Graph API in two steps (platform_facts B5): Meta's
copy is short-lived (the download URL lasts about 5 minutes, the media id 7 days)."""

import base64
import binascii
import hashlib
from typing import Any
from urllib.parse import quote

import httpx

from activities.errors import ProviderError
from activities.media.storage import http_error
from activities.whatsapp_cloud import classify

DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's own limit for images is 5 MB; documents 100 MB


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
            raise ProviderError("Media", "Graph answered without a download url", retryable=True)
        announced = meta.get("file_size")
        if isinstance(announced, int) and announced > self.max_bytes:
            raise ProviderError(
                "Media", f"media is {announced} bytes, over the limit", retryable=False
            )
        data, served_type = await self._download(url)
        expected = meta.get("sha256")
        if isinstance(expected, str) and expected and not digest_matches(data, expected):
            # The bytes are not the ones the client sent: never show them to the artist.
            raise ProviderError(
                "Media", "downloaded media does not match Meta's sha256", retryable=False
            )
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
            raise ProviderError(
                "Media", f"Graph unreachable: {type(error).__name__}", retryable=True
            ) from error
        if response.status_code >= 400:
            # Graph's error codes say more than the HTTP status (rate limits come as 400s).
            refusal = classify(response.status_code, response.content)
            raise ProviderError(
                "Media", f"Graph media lookup: {refusal}", retryable=refusal.kind == "retry"
            )
        try:
            meta = response.json()
        except ValueError as error:
            raise ProviderError("Media", "Graph answered with no JSON", retryable=True) from error
        if not isinstance(meta, dict):
            raise ProviderError("Media", "Graph answered with no media object", retryable=True)
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
                    raise ProviderError(
                        "Media", f"media is {length} bytes, over the limit", retryable=False
                    )
                # Counted as it arrives: a missing or false Content-Length must not let an
                # endless body fill the worker's memory.
                chunks: list[bytes] = []
                received = 0
                async for chunk in response.aiter_bytes():
                    received += len(chunk)
                    if received > self.max_bytes:
                        raise ProviderError(
                            "Media", "media is over the size limit", retryable=False
                        )
                    chunks.append(chunk)
                return b"".join(chunks), response.headers.get("content-type", "")
        except httpx.TransportError as error:
            raise ProviderError(
                "Media", f"media download: {type(error).__name__}", retryable=True
            ) from error
        except httpx.RequestError as error:  # redirect loop, undecodable body
            raise ProviderError(
                "Media", f"media download: {type(error).__name__}", retryable=False
            ) from error


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
