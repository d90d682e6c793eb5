"""Signing in to the studio: passwords (argon2), one-time links sent to the artist's WhatsApp,
session cookies and their expiry, CSRF on every form, and the sign-in rate limit."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from api.studio.accounts import token_hash
from models import StudioSession, StudioSignInLink
from tests.conftest import ARTIST, Stack, eventually
from tests.studio.conftest import (
    MANAGER_PASSWORD,
    Studio,
    browser_like,
    csrf_of,
    serve,
    sign_in,
)
from tests.whatsapp_client import body_of, sent_to

pytestmark = pytest.mark.asyncio(loop_scope="session")
LINK = re.compile(r"/studio/signin/link/([A-Za-z0-9_\-]+)")


async def test_signed_out_visitors_are_sent_to_sign_in(studio: Studio) -> None:
    async with browser_like(studio.base_url) as http:
        for path in ("/studio", "/studio/leads/anything", "/studio/leads.csv"):
            response = await http.get(path)
            assert response.status_code == 303
            assert response.headers["location"] == "/studio/signin"
        page = await http.get("/studio/signin")
        assert page.status_code == 200
        assert "Send me a link on WhatsApp" in page.text
        assert page.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


async def test_password_sign_in_sets_a_session_cookie_with_safe_flags(studio: Studio) -> None:
    async with browser_like(studio.base_url) as http:
        response = await sign_in(http)
        assert response.headers["location"] == "/studio/inbox"  # the landing page
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("studio_session=")
        flags = {part.strip().lower() for part in cookie.split(";")}
        assert {"httponly", "samesite=lax", "path=/studio"} <= flags
        assert "secure" not in flags  # plain-HTTP loopback; production sets it (next test)
        pipeline = await http.get("/studio")
        assert pipeline.status_code == 200
        assert 'data-testid="account">artist<' in pipeline.text
        assert pipeline.headers["cache-control"] == "no-store"


async def test_cookies_are_secure_in_production_addresses(stack: Stack) -> None:
    async with serve(stack, PUBLIC_BASE_URL="https://studio.example") as https_studio:
        http = browser_like(https_studio.base_url)
        async with http:
            page = await http.get("/studio/signin")
            assert "secure" in page.headers["set-cookie"].lower()


async def test_the_manager_signs_in_with_their_own_password(studio: Studio) -> None:
    async with browser_like(studio.base_url) as http:
        await sign_in(http, "Manager", MANAGER_PASSWORD)  # the account name in any case
        assert 'data-testid="account">manager<' in (await http.get("/studio")).text


async def test_a_wrong_password_or_unknown_account_is_refused_alike(studio: Studio) -> None:
    async with browser_like(studio.base_url) as http:
        for login, password in (("artist", "not-the-password"), ("nobody", "whatever-it-is")):
            page = await http.get("/studio/signin")
            response = await http.post(
                "/studio/signin",
                data={"csrf": csrf_of(page.text), "login": login, "password": password},
            )
            assert response.status_code == 401
            assert "don&#39;t match" in response.text
            assert "studio_session" not in response.headers.get("set-cookie", "")
        assert (await http.get("/studio")).status_code == 303


async def test_forms_without_their_csrf_token_are_refused(studio: Studio) -> None:
    async with browser_like(studio.base_url) as http:
        await http.get("/studio/signin")  # has the sign-in cookie, but posts no field
        refused = await http.post("/studio/signin", data={"login": "artist", "password": "x"})
        assert refused.status_code == 403
        forged = await http.post(
            "/studio/signin", data={"csrf": "forged", "login": "artist", "password": "x"}
        )
        assert forged.status_code == 403

        await sign_in(http)
        assert (await http.post("/studio/signout")).status_code == 403
        wrong = await http.post("/studio/signout", data={"csrf": secrets.token_urlsafe(32)})
        assert wrong.status_code == 403
        assert (await http.get("/studio")).status_code == 200  # still signed in

        token = csrf_of((await http.get("/studio")).text)
        signed_out = await http.post("/studio/signout", data={"csrf": token})
        assert signed_out.status_code == 303
        assert (await http.get("/studio")).status_code == 303


async def test_sign_in_attempts_are_rate_limited_with_retry_after(stack: Stack) -> None:
    login = f"artist-{secrets.token_hex(4)}"  # this test's own account bucket
    async with serve(stack, STUDIO_SIGNIN_ATTEMPTS=3, STUDIO_ARTIST_LOGIN=login) as limited:
        async with browser_like(limited.base_url) as http:
            csrf = csrf_of((await http.get("/studio/signin")).text)
            for _ in range(3):
                wrong = await http.post(
                    "/studio/signin", data={"csrf": csrf, "login": login, "password": "guess"}
                )
                assert wrong.status_code == 401
            blocked = await http.post(
                "/studio/signin", data={"csrf": csrf, "login": login, "password": "guess"}
            )
            assert blocked.status_code == 429
            assert 0 < int(blocked.headers["retry-after"]) <= 15 * 60
            assert "Too many sign-in attempts" in blocked.text
        # From another address the artist's account is still locked against more guesses ...
        async with browser_like(limited.base_url) as other:
            csrf = csrf_of((await other.get("/studio/signin")).text)
            guess = await other.post(
                "/studio/signin", data={"csrf": csrf, "login": login, "password": "guess"}
            )
            assert guess.status_code == 429
            # ... while the manager's is not.
            await sign_in(other, "manager", MANAGER_PASSWORD)


async def test_sessions_expire_when_idle_and_at_their_end(studio: Studio, sessions) -> None:
    for late in ({"last_seen_at": datetime.now(UTC) - timedelta(hours=25)},
                 {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}):  # fmt: skip
        async with browser_like(studio.base_url) as http:
            response = await sign_in(http)
            cookie = response.cookies["studio_session"]
            assert (await http.get("/studio")).status_code == 200
            async with sessions.begin() as session:
                await session.execute(
                    update(StudioSession)
                    .where(StudioSession.token_hash == token_hash(cookie))
                    .values(**late)
                )
            expired = await http.get("/studio")
            assert expired.status_code == 303
            assert expired.headers["location"] == "/studio/signin"


async def test_a_whatsapp_link_signs_the_artist_in_once(studio: Studio, stack: Stack) -> None:
    async with browser_like(studio.base_url) as http:
        before = len(sent_to(stack, ARTIST))
        page = await http.get("/studio/signin")
        asked = await http.post("/studio/signin/link", data={"csrf": csrf_of(page.text)})
        assert asked.status_code == 200
        assert "sent a sign-in link to the artist" in asked.text

        def link() -> str | None:
            for message in sent_to(stack, ARTIST)[before:]:
                if found := LINK.search(body_of(message)):
                    return found.group(1)
            return None

        token = await eventually(link, timeout=20)
        # Opening the link (or a preview of it) does not sign in; the button does.
        confirm = await http.get(f"/studio/signin/link/{token}")
        assert confirm.status_code == 200
        assert "studio_session" not in confirm.headers.get("set-cookie", "")
        used = await http.post(f"/studio/signin/link/{token}", data={"csrf": csrf_of(confirm.text)})
        assert used.status_code == 303
        assert (await http.get("/studio")).status_code == 200

    async with browser_like(studio.base_url) as again:
        page = await again.get(f"/studio/signin/link/{token}")
        assert page.status_code == 410 and "already used" in page.text
        csrf = csrf_of((await again.get("/studio/signin")).text)
        reused = await again.post(f"/studio/signin/link/{token}", data={"csrf": csrf})
        assert reused.status_code == 410
        assert (await again.get("/studio")).status_code == 303


async def test_an_expired_or_made_up_link_does_not_sign_in(studio: Studio, sessions) -> None:
    token = secrets.token_urlsafe(32)
    async with sessions.begin() as session:
        session.add(
            StudioSignInLink(
                token_hash=token_hash(token),
                account="artist",
                expires_at=datetime.now(UTC) - timedelta(minutes=1),
            )
        )
    async with browser_like(studio.base_url) as http:
        csrf = csrf_of((await http.get("/studio/signin")).text)
        expired = await http.post(f"/studio/signin/link/{token}", data={"csrf": csrf})
        assert expired.status_code == 410 and "expired" in expired.text
        made_up = await http.post(f"/studio/signin/link/{token[:-4]}AAAA", data={"csrf": csrf})
        assert made_up.status_code == 404
        assert (await http.get("/studio")).status_code == 303
