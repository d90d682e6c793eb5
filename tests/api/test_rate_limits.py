"""Per-client request limits through the real API: past the limit a client gets 429 with a
Retry-After that says when to try again, other clients are unaffected, each kind of route has
its own limit, and the studio's sign-in limiter answers with the same refusal."""

from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from api.rate_limits import Limit, SlidingWindow, TooMany
from settings import Settings
from tests.conftest import stack_settings

pytestmark = pytest.mark.asyncio(loop_scope="session")


def test_a_sliding_window_frees_a_slot_when_the_oldest_leaves_it() -> None:
    window, limit = SlidingWindow(), Limit(3, 10)
    for t in (0.0, 1.0, 2.0):
        window.hit("a", limit, now=t)
    with pytest.raises(TooMany) as refused:
        window.hit("a", limit, now=5.0)
    assert refused.value.retry_after == 5  # the hit at 0 s leaves the window at 10 s
    window.hit("b", limit, now=5.0)  # another client has its own count
    window.hit("a", limit, now=10.0)  # free again


def test_limits_are_settings_checked_at_start_up() -> None:
    assert Limit.parse("0") is None and Limit.parse("30/60") == Limit(30, 60)
    with pytest.raises(ValueError):
        Settings(_env_file=None, RATE_LIMIT_LINKS="lots")  # type: ignore[call-arg]


async def test_past_the_limit_a_client_is_told_when_to_retry(
    database_url, temporal_address, graph
) -> None:
    settings = stack_settings(
        database_url, temporal_address, graph,
        RATE_LIMIT_LINKS="2/60", RATE_LIMIT_ADMIN="3/60", RATE_LIMIT_WEBHOOKS="2/60",
    )  # fmt: skip
    app = create_app(settings)
    one = httpx.ASGITransport(app=app, client=("203.0.113.7", 5000))
    other = httpx.ASGITransport(app=app, client=("198.51.100.9", 5000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=one, base_url="http://api") as http,
        httpx.AsyncClient(transport=other, base_url="http://api") as elsewhere,
    ):
        links = [(await http.get("/a/not-a-real-token")).status_code for _ in range(3)]
        assert 429 not in links[:2] and links[2] == 429
        refused = await http.get("/a/not-a-real-token")
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert "try again" in refused.text
        # Another address still gets through.
        assert (await elsewhere.get("/a/not-a-real-token")).status_code != 429
        # Admin has its own count, checked before the key: a wrong key is limited too.
        wrong = {"X-Admin-API-Key": "guess"}
        answers = [(await http.get("/admin/leads", headers=wrong)).status_code for _ in range(4)]
        assert answers == [401, 401, 401, 429]
        hooks = [(await http.post("/webhooks/whatsapp", content=b"{}")).status_code
                 for _ in range(3)]  # fmt: skip
        assert 429 not in hooks[:2] and hooks[2] == 429
