"""The inbox in real Chromium at phone (390×844) and desktop (1280×800) sizes: sign in (the
inbox is the landing page), open a handed-over client's conversation, reply, see the client's
answer arrive without a reload, hand back to the bot. Screenshots go to docs/ (the README shows
them)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.browser.demo_page import chromium, watch_errors
from tests.conftest import Stack, eventually
from tests.e2e.test_takeover import handed_over, texts_to
from tests.studio.conftest import ARTIST_PASSWORD, Studio
from tests.whatsapp_client import say, status_is

pytestmark = pytest.mark.asyncio(loop_scope="session")

DOCS = Path(__file__).resolve().parents[2] / "docs"
PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=800)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def sign_in(page: Page, base_url: str) -> None:
    await page.goto(f"{base_url}/studio/signin")
    await page.get_by_label("Account").fill("artist")
    await page.get_by_label("Password").fill(ARTIST_PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page).to_have_url(f"{base_url}/studio/inbox")
    await expect(page.get_by_role("heading", name="Inbox")).to_be_visible()


@pytest.mark.parametrize("size", ["phone", "desktop"])
async def test_answering_a_handed_over_client_from_the_inbox(
    size: str, browser: Browser, studio: Studio, stack: Stack, sessions
) -> None:
    phone, lead = await handed_over(stack, sessions)
    ref = lead.lead_id[:8]
    viewport = PHONE if size == "phone" else DESKTOP
    context = await browser.new_context(viewport=viewport, device_scale_factor=2)
    page = await context.new_page()
    errors = watch_errors(page)
    await sign_in(page, studio.base_url)

    waiting = page.get_by_test_id("needing").locator(f'a[data-lead="{ref}"]')
    await expect(waiting).to_contain_text("waiting")
    await page.screenshot(path=DOCS / f"studio-inbox-{size}.png")
    await waiting.click()
    await expect(page).to_have_url(f"{studio.base_url}/studio/inbox/{lead.lead_id}")
    chat = page.get_by_test_id("conversation")
    await expect(chat.locator('[data-side="client"]').last).to_contain_text(
        "Can I talk to a real person?"
    )

    words = f"Hi! Sam here, happy to help {uuid.uuid4().hex[:4]}"
    await page.get_by_test_id("reply-text").fill(words)
    await page.get_by_test_id("send").click()
    await expect(page.get_by_test_id("outcome")).to_have_text("Sent to the client.")
    # The reply shows once the workflow has sent it; the client's answer without a reload.
    await expect(chat.locator('[data-side="artist"]').last).to_contain_text(words, timeout=30_000)
    await eventually(lambda: words in texts_to(stack, phone), timeout=30)
    answer = f"Great, I'm free Friday {uuid.uuid4().hex[:4]}"
    await say(stack, phone, answer)
    await expect(chat.locator('[data-side="client"]').last).to_contain_text(answer, timeout=30_000)
    # Another client asks for the artist meanwhile: the nav's badge shows it without a reload.
    await handed_over(stack, sessions)
    badge = page.locator('[data-badge="handovers"]')
    await expect(badge).to_be_visible(timeout=30_000)
    assert int(await badge.text_content() or "0") >= 1

    # The header is as the page was rendered (just after the send): fresh once reloaded.
    await page.reload()
    await expect(page.get_by_test_id("status")).to_contain_text("bot paused")
    await expect(page.get_by_test_id("paused")).to_be_visible()
    await page.screenshot(path=DOCS / f"studio-conversation-{size}.png")

    await page.get_by_test_id("hand-back").click()
    await expect(page.get_by_test_id("outcome")).to_have_text("Handed back to the bot.")
    await eventually(lambda: status_is(stack, sessions, phone, "QUALIFYING"), timeout=30)
    assert texts_to(stack, phone).count(words) == 1
    assert phone not in page.url
    assert errors == []
    await context.close()
