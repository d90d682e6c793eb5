"""Reference images: the two-step download from the fake Graph API with its checks, the local
and Supabase stores (a fake Storage API on loopback), and the `store_media` activity's row in
a real PostgreSQL across retries."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.errors import ProviderError
from activities.media import (
    GraphMedia,
    LocalStorage,
    MediaActivities,
    StoreMedia,
    SupabaseStorage,
    digest_matches,
    object_key,
)
from models import Attachment
from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.supabase_storage import FakeSupabase

JPEG = b"\xff\xd8\xff\xe0" + b"swallow on a wrist" * 50
SERVICE_KEY = "test-service-key"


def new_media_id() -> str:
    """Meta's ids are digits; unique per test because the fake Graph API is shared."""
    return str(uuid.uuid4().int)[:16]


class Requests:
    """What our HTTP client sent, seen through httpx's event hook (paths only)."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.authorizations: list[str] = []

    async def __call__(self, request: httpx.Request) -> None:
        self.paths.append(request.url.path)
        self.authorizations.append(request.headers.get("authorization", ""))

    def downloads(self) -> int:
        return sum("/attachments/" in path for path in self.paths)


@pytest.fixture
def seen() -> Requests:
    return Requests()


@pytest.fixture
async def graph_media(graph: FakeGraphApi, seen: Requests) -> AsyncIterator[GraphMedia]:
    async with httpx.AsyncClient(event_hooks={"request": [seen]}) as client:
        yield GraphMedia(base_url=graph.base_url, access_token="test-token", client=client)


@pytest.fixture
def supabase() -> Iterator[FakeSupabase]:
    with FakeSupabase(service_role_key=SERVICE_KEY) as fake:
        yield fake


@pytest.fixture
async def bucket(supabase: FakeSupabase) -> AsyncIterator[SupabaseStorage]:
    storage = SupabaseStorage(supabase.base_url, SERVICE_KEY, "reference-images")
    yield storage
    await storage.aclose()


async def row(sessions, media_id: str):
    async with sessions() as session:
        found = select(Attachment.__table__).where(Attachment.media_id == media_id)
        return (await session.execute(found)).one()


# -- download ---------------------------------------------------------------------------------


async def test_media_is_fetched_in_two_steps_with_the_bearer_token(
    graph: FakeGraphApi, graph_media: GraphMedia, seen: Requests
) -> None:
    media_id = new_media_id()
    graph.add_media(media_id, JPEG, "image/jpeg")
    data, content_type = await graph_media.fetch(media_id)
    assert (data, content_type) == (JPEG, "image/jpeg")
    assert seen.paths == [f"/v21.0/{media_id}", f"/whatsapp_business/attachments/{media_id}"]
    assert seen.authorizations == ["Bearer test-token"] * 2


async def test_bytes_that_do_not_match_metas_sha256_are_refused_for_good(
    graph: FakeGraphApi,
) -> None:
    media_id = new_media_id()
    graph.add_media(media_id, JPEG, "image/jpeg")

    async def swap_before_download(request: httpx.Request) -> None:
        # The bytes change between the lookup (which gave the sha256) and the download.
        if "/attachments/" in request.url.path:
            graph.add_media(media_id, b"something else entirely", "image/jpeg")

    async with httpx.AsyncClient(event_hooks={"request": [swap_before_download]}) as client:
        media = GraphMedia(base_url=graph.base_url, access_token="test-token", client=client)
        with pytest.raises(ProviderError, match="sha256") as refused:
            await media.fetch(media_id)
    assert not refused.value.retryable


def test_metas_sha256_may_come_in_hex_or_base64() -> None:
    digest = hashlib.sha256(JPEG).digest()
    assert digest_matches(JPEG, digest.hex())
    assert digest_matches(JPEG, digest.hex().upper())
    assert digest_matches(JPEG, base64.b64encode(digest).decode())
    assert not digest_matches(JPEG, hashlib.sha256(b"other").hexdigest())
    assert not digest_matches(JPEG, "not a digest at all")


async def test_media_over_the_size_limit_is_refused_before_downloading(
    graph: FakeGraphApi, seen: Requests
) -> None:
    media_id = new_media_id()
    graph.add_media(media_id, JPEG, "image/jpeg")
    async with httpx.AsyncClient(event_hooks={"request": [seen]}) as client:
        media = GraphMedia(
            base_url=graph.base_url, access_token="test-token", max_bytes=100, client=client
        )
        with pytest.raises(ProviderError, match="over the limit") as refused:
            await media.fetch(media_id)
    assert not refused.value.retryable
    assert seen.downloads() == 0  # Meta's file_size was enough to say no


async def test_a_download_whose_content_length_is_over_the_limit_is_not_read(
    graph: FakeGraphApi,
) -> None:
    media_id = new_media_id()
    graph.add_media(media_id, b"tiny", "image/jpeg")

    async def grow_before_download(request: httpx.Request) -> None:
        # Meta's lookup said 4 bytes; the download then announces far more.
        if "/attachments/" in request.url.path:
            graph.add_media(media_id, JPEG, "image/jpeg")

    async with httpx.AsyncClient(event_hooks={"request": [grow_before_download]}) as client:
        media = GraphMedia(
            base_url=graph.base_url, access_token="test-token", max_bytes=100, client=client
        )
        with pytest.raises(ProviderError, match=f"{len(JPEG)} bytes, over the limit") as refused:
            await media.fetch(media_id)
    assert not refused.value.retryable


async def test_a_body_larger_than_announced_is_cut_off_at_the_limit() -> None:
    # Meta announces a small file but the download streams more, with no Content-Length.
    sent = []

    async def endless() -> AsyncIterator[bytes]:
        for _ in range(100):
            sent.append(1)
            yield b"x" * 1024

    def meta(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v21.0/123":
            url = "https://lookaside.test/whatsapp_business/attachments/123"
            return httpx.Response(200, json={"url": url, "mime_type": "image/jpeg", "id": "123"})
        return httpx.Response(200, content=endless())

    async with httpx.AsyncClient(transport=httpx.MockTransport(meta)) as client:
        media = GraphMedia(
            base_url="https://graph.test", access_token="t", max_bytes=10_000, client=client
        )
        with pytest.raises(ProviderError, match="over the size limit") as refused:
            await media.fetch("123")
    assert not refused.value.retryable
    assert len(sent) < 100  # stopped reading, not buffered the whole body first


async def test_media_unknown_to_meta_is_not_retried(graph_media: GraphMedia) -> None:
    with pytest.raises(ProviderError) as refused:
        await graph_media.fetch(new_media_id())
    assert not refused.value.retryable


# -- storage ----------------------------------------------------------------------------------


async def test_local_storage_writes_the_file_under_its_folder(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path, "https://ink.example/")
    url = await storage.put("leads/lead-1/abc.jpg", JPEG, "image/jpeg")
    assert url == "https://ink.example/media/leads/lead-1/abc.jpg"
    assert (tmp_path / "leads" / "lead-1" / "abc.jpg").read_bytes() == JPEG
    assert [p.name for p in (tmp_path / "leads" / "lead-1").iterdir()] == ["abc.jpg"]


async def test_local_storage_never_writes_outside_its_folder(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "media", "https://ink.example")
    with pytest.raises(ProviderError) as refused:
        await storage.put("leads/../../escape.jpg", JPEG, "image/jpeg")
    assert not refused.value.retryable
    assert not (tmp_path / "escape.jpg").exists()


async def test_local_storage_deletes_a_copy_and_a_missing_one_is_no_error(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path, "https://ink.example/")
    await storage.put("leads/lead-1/abc.jpg", JPEG, "image/jpeg")
    await storage.delete("leads/lead-1/abc.jpg")
    assert not (tmp_path / "leads" / "lead-1" / "abc.jpg").exists()
    await storage.delete("leads/lead-1/abc.jpg")  # erasure retried: already gone
    with pytest.raises(ProviderError):
        await storage.delete("../outside.jpg")


async def test_supabase_delete_removes_the_object(
    supabase: FakeSupabase, bucket: SupabaseStorage
) -> None:
    await bucket.put("leads/lead-2/x.jpg", JPEG, "image/jpeg")
    assert "leads/lead-2/x.jpg" in supabase.objects
    await bucket.delete("leads/lead-2/x.jpg")
    assert "leads/lead-2/x.jpg" not in supabase.objects
    await bucket.delete("leads/lead-2/x.jpg")  # gone already: still fine
    assert supabase.requests[-1].method == "DELETE"


async def test_supabase_upload_sends_the_key_and_upsert_and_returns_a_signed_url(
    supabase: FakeSupabase, bucket: SupabaseStorage
) -> None:
    url = await bucket.put("leads/lead-1/abc.jpg", JPEG, "image/jpeg")

    assert supabase.objects["leads/lead-1/abc.jpg"].data == JPEG
    assert supabase.objects["leads/lead-1/abc.jpg"].content_type == "image/jpeg"
    upload, signing = supabase.requests
    assert upload.path == "/storage/v1/object/reference-images/leads/lead-1/abc.jpg"
    assert upload.headers["authorization"] == f"Bearer {SERVICE_KEY}"
    assert upload.headers["apikey"] == SERVICE_KEY
    assert upload.headers["x-upsert"] == "true"
    assert upload.headers["content-type"] == "image/jpeg"
    assert signing.path == "/storage/v1/object/sign/reference-images/leads/lead-1/abc.jpg"

    prefix = f"{supabase.base_url}/storage/v1/object/sign/reference-images/leads/lead-1/abc.jpg"
    assert url.startswith(prefix + "?token=")
    async with httpx.AsyncClient() as browser:  # the artist opens the link, no key needed
        opened = await browser.get(url)
    assert opened.content == JPEG


async def test_a_wrong_supabase_key_is_not_retried(supabase: FakeSupabase) -> None:
    storage = SupabaseStorage(supabase.base_url, "wrong-key")
    with pytest.raises(ProviderError, match="403") as refused:
        await storage.put("leads/lead-1/abc.jpg", JPEG, "image/jpeg")
    await storage.aclose()
    assert not refused.value.retryable  # Storage says 403 inside an HTTP 400
    assert supabase.objects == {}


async def test_supabase_outages_and_rate_limits_are_retried(
    supabase: FakeSupabase, bucket: SupabaseStorage
) -> None:
    for status in (503, 429):
        supabase.fail_next(status)
        with pytest.raises(ProviderError, match=str(status)) as failed:
            await bucket.put("leads/lead-1/abc.jpg", JPEG, "image/jpeg")
        assert failed.value.retryable


def test_the_object_key_is_the_lead_and_the_content_hash_with_an_extension() -> None:
    digest = hashlib.sha256(JPEG).hexdigest()
    assert object_key("lead-1", digest, "image/jpeg") == f"leads/lead-1/{digest}.jpg"
    assert object_key("lead-1", digest, "image/webp") == f"leads/lead-1/{digest}.webp"
    assert object_key("lead-1", digest, "application/pdf") == f"leads/lead-1/{digest}.pdf"
    assert object_key("lead-1", digest, "x-unknown/thing") == f"leads/lead-1/{digest}"


# -- the activity -----------------------------------------------------------------------------


async def test_storing_twice_downloads_once(
    graph: FakeGraphApi, graph_media: GraphMedia, seen: Requests, sessions, tmp_path: Path
) -> None:
    media_id = new_media_id()
    graph.add_media(media_id, JPEG, "image/jpeg")
    activities = MediaActivities(sessions, graph_media, LocalStorage(tmp_path, "https://ink.ex"))
    request = StoreMedia(lead_id="lead-twice", media_id=media_id, kind="image")

    first = await ActivityEnvironment().run(activities.store_media, request)
    second = await ActivityEnvironment().run(activities.store_media, request)

    digest = hashlib.sha256(JPEG).hexdigest()
    assert first == second
    assert first.url == f"https://ink.ex/media/leads/lead-twice/{digest}.jpg"
    assert first.size_bytes == len(JPEG)
    assert seen.downloads() == 1
    stored = await row(sessions, media_id)
    assert (stored.status, stored.attempts, stored.storage) == ("STORED", 1, "local")
    assert (stored.sha256, stored.mime_type, stored.size_bytes) == (digest, "image/jpeg", len(JPEG))
    assert stored.object_key == f"leads/lead-twice/{digest}.jpg"
    assert stored.stored_at is not None and stored.last_error is None


async def test_a_storage_outage_is_retried_and_recorded_until_it_passes(
    graph: FakeGraphApi,
    graph_media: GraphMedia,
    supabase: FakeSupabase,
    bucket: SupabaseStorage,
    sessions,
) -> None:
    media_id = new_media_id()
    graph.add_media(media_id, JPEG, "image/jpeg")
    activities = MediaActivities(sessions, graph_media, bucket)
    request = StoreMedia(lead_id="lead-outage", media_id=media_id, kind="image")

    supabase.fail_next(503)
    with pytest.raises(ApplicationError) as failed:
        await ActivityEnvironment().run(activities.store_media, request)
    assert not failed.value.non_retryable
    assert failed.value.type == "MediaRetry"
    pending = await row(sessions, media_id)
    assert (pending.status, pending.attempts) == ("PENDING", 1)
    assert "503" in pending.last_error

    retry = ActivityEnvironment()
    retry.info = dataclasses.replace(retry.info, attempt=2)
    stored = await retry.run(activities.store_media, request)
    assert stored.url.startswith(f"{supabase.base_url}/storage/v1/object/sign/")
    done = await row(sessions, media_id)
    assert (done.status, done.attempts, done.last_error) == ("STORED", 2, None)


async def test_the_fifth_failed_attempt_marks_the_media_failed(
    graph: FakeGraphApi,
    graph_media: GraphMedia,
    supabase: FakeSupabase,
    bucket: SupabaseStorage,
    sessions,
) -> None:
    media_id = new_media_id()
    graph.add_media(media_id, JPEG, "image/jpeg")
    activities = MediaActivities(sessions, graph_media, bucket)
    request = StoreMedia(lead_id="lead-failed", media_id=media_id, kind="image")

    supabase.fail_next(503, times=5)
    for attempt in range(1, 6):
        environment = ActivityEnvironment()
        environment.info = dataclasses.replace(environment.info, attempt=attempt)
        with pytest.raises(ApplicationError):
            await environment.run(activities.store_media, request)
        status = (await row(sessions, media_id)).status
        assert status == ("FAILED" if attempt == 5 else "PENDING")
    failed = await row(sessions, media_id)
    assert failed.attempts == 5
    assert supabase.objects == {}


async def test_media_meta_refuses_is_marked_failed_at_once(
    graph_media: GraphMedia, sessions, tmp_path: Path
) -> None:
    media_id = new_media_id()  # never registered: Graph answers "does not exist"
    activities = MediaActivities(sessions, graph_media, LocalStorage(tmp_path, "https://ink.ex"))
    request = StoreMedia(lead_id="lead-gone", media_id=media_id, kind="image")
    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(activities.store_media, request)
    assert refused.value.non_retryable
    assert refused.value.type == "MediaRejected"
    gone = await row(sessions, media_id)
    assert (gone.status, gone.attempts) == ("FAILED", 1)
    assert "does not exist" in gone.last_error
