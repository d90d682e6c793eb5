"""A fake Supabase Storage REST API on loopback, for one private bucket: upload an object, sign
a URL for it, open the signed URL, and delete objects. It checks the service key and answers
errors the way Storage does (often HTTP 400 with the real status in the body)."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.fakes.loopback import LoopbackServer

ERROR_NAMES = {403: "Unauthorized", 404: "not_found", 409: "Duplicate", 429: "too_many_requests"}


@dataclass(frozen=True)
class StoredObject:
    data: bytes
    content_type: str


@dataclass(frozen=True)
class Seen:
    """One request the fake received: what a test checks headers on."""

    method: str
    path: str
    headers: dict[str, str]


class FakeSupabase(LoopbackServer):
    """The fake server. Use as a context manager, or `start()` / `stop()`."""

    def __init__(
        self, service_role_key: str = "test-service-key", bucket: str = "reference-images"
    ) -> None:
        self.service_role_key = service_role_key
        self.bucket = bucket
        super().__init__()
        self._lock = threading.Lock()
        self._objects: dict[str, StoredObject] = {}
        self._tokens: dict[str, tuple[str, float]] = {}  # token → (key, expires at)
        self._requests: list[Seen] = []
        self._failures: deque[int] = deque()

    # -- test controls -------------------------------------------------------------------------

    @property
    def objects(self) -> dict[str, StoredObject]:
        """A snapshot of the bucket, by object key."""
        with self._lock:
            return dict(self._objects)

    @property
    def requests(self) -> list[Seen]:
        with self._lock:
            return list(self._requests)

    def fail_next(self, status: int, times: int = 1) -> None:
        """Answer the next `times` API requests (upload or sign) with HTTP `status`."""
        with self._lock:
            self._failures.extend([status] * times)

    # -- Storage's REST API --------------------------------------------------------------------

    def _app(self) -> FastAPI:
        app = FastAPI()

        # Declared before the upload route, which would otherwise take "sign/..." as a bucket.
        @app.post("/storage/v1/object/sign/{bucket}/{key:path}")
        async def sign(bucket: str, key: str, request: Request) -> Response:
            refused = self._refuse(request, bucket)
            if refused is not None:
                return refused
            try:
                body = await request.json()
            except ValueError:
                body = None
            expires_in = body.get("expiresIn") if isinstance(body, dict) else None
            if not isinstance(expires_in, int) or isinstance(expires_in, bool) or expires_in < 1:
                return storage_error(400, "expiresIn must be a positive integer", status="400")
            with self._lock:
                if key not in self._objects:
                    return storage_error(400, "Object not found", status="404")
                token = secrets.token_urlsafe(24)
                self._tokens[token] = (key, time.time() + expires_in)
            return JSONResponse({"signedURL": f"/object/sign/{bucket}/{key}?token={token}"})

        @app.post("/storage/v1/object/{bucket}/{key:path}")
        async def upload(bucket: str, key: str, request: Request) -> Response:
            refused = self._refuse(request, bucket)
            if refused is not None:
                return refused
            data = await request.body()
            content_type = request.headers.get("content-type", "text/plain;charset=UTF-8")
            upsert = request.headers.get("x-upsert", "false") == "true"
            with self._lock:
                if key in self._objects and not upsert:
                    return storage_error(400, "The resource already exists", status="409")
                self._objects[key] = StoredObject(data, content_type)
            return JSONResponse({"Key": f"{bucket}/{key}", "Id": secrets.token_hex(16)})

        @app.delete("/storage/v1/object/{bucket}")
        async def remove(bucket: str, request: Request) -> Response:
            # Storage's bulk delete: {"prefixes": [keys]}; answers the objects it removed.
            refused = self._refuse(request, bucket)
            if refused is not None:
                return refused
            body = await request.json()
            keys = body.get("prefixes") if isinstance(body, dict) else None
            if not isinstance(keys, list) or not keys:
                return storage_error(400, "prefixes must be a non-empty list", status="400")
            with self._lock:
                removed = [key for key in keys if self._objects.pop(key, None) is not None]
            return JSONResponse([{"name": key, "bucket_id": bucket} for key in removed])

        @app.get("/storage/v1/object/sign/{bucket}/{key:path}")
        async def open_signed(bucket: str, key: str, token: str = "") -> Response:
            with self._lock:
                granted = self._tokens.get(token)
                stored = self._objects.get(key)
            if granted is None or granted[0] != key or granted[1] < time.time():
                return storage_error(400, "invalid signature", status="403")
            if bucket != self.bucket or stored is None:
                return storage_error(400, "Object not found", status="404")
            return Response(content=stored.data, media_type=stored.content_type)

        return app

    def _refuse(self, request: Request, bucket: str) -> Response | None:
        """The error Storage would answer before looking at the request, if any."""
        with self._lock:
            self._requests.append(
                Seen(request.method, request.url.path, dict(request.headers.items()))
            )
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            return storage_error(failure, "Injected failure")
        expected = self.service_role_key.encode()
        apikey = request.headers.get("apikey", "").encode()
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ").encode()
        if not (hmac.compare_digest(expected, apikey) and hmac.compare_digest(expected, bearer)):
            return storage_error(400, "invalid signature", status="403")
        if bucket != self.bucket:
            return storage_error(400, "Bucket not found", status="404")
        return None


def storage_error(http_status: int, message: str, *, status: str = "") -> JSONResponse:
    """A Storage error body; `status` is the `statusCode` inside it (defaults to the HTTP one)."""
    code = status or str(http_status)
    body: dict[str, Any] = {
        "statusCode": code,
        "error": ERROR_NAMES.get(int(code), "Error"),
        "message": message,
    }
    return JSONResponse(body, status_code=http_status)
