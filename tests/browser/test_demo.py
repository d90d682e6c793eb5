"""The /demo page in real Chromium against the demo stack (sandbox WhatsApp and Stripe): the
client's phone drives a whole consultation (typing and tapping reply buttons / list rows), the
status badge follows the lead and the artist's phone receives the summary."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Browser, expect

from models import SystemEvent
from tests.browser.demo_page import (
    artist_for,
    bot_bubbles,
    chromium,
    confirm_summary,
    consult,
    latest_turn,
    new_phone,
    open_demo,
    settled_count,
    type_message,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")

SCREENSHOT = "/tmp/demo.png"


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def test_demo_page_runs_a_whole_consultation_to_pending_approval(
    browser: Browser, demo: str
) -> None:
    page, errors = await open_demo(browser, demo, new_phone())
    status = page.get_by_test_id("lead-status")
    done = await consult(page)
    assert done.asked[0] == "idea" and "timing" in done.asked
    assert len(done.taps) >= 3, f"expected to tap buttons and list rows, tapped {done.taps}"

    # The last answer brings the summary to confirm, with buttons; the artist still has nothing.
    summary = await latest_turn(page)
    assert "£2,000" in summary and done.handle in summary
    await confirm_summary(page)

    await expect(status).to_have_attribute("data-status", "PENDING_APPROVAL", timeout=20_000)
    await expect(status).to_have_text("PENDING_APPROVAL")
    await settled_count(page, bot_bubbles(page), done.bots)
    ours = artist_for(page, done.lead_id)
    await expect(ours).to_have_count(1, timeout=20_000)
    await expect(ours).to_contain_text(done.handle)
    await expect(ours).to_contain_text("£2,000")
    # The artist's one-tap links are links, opening in a new tab.
    actions = ours.locator('a[data-kind="action"]')
    await expect(actions.first).to_be_visible()
    assert await actions.count() >= 2  # approve and reject
    for index in range(await actions.count()):
        assert await actions.nth(index).get_attribute("target") == "_blank"
        assert "/a/" in (await actions.nth(index).get_attribute("href") or "")

    await page.screenshot(path=SCREENSHOT)
    assert errors == []
    await page.close()


async def test_bubbles_show_text_safely_with_newlines_and_bold(browser: Browser, demo: str) -> None:
    page, errors = await open_demo(browser, demo, new_phone())
    typed = 'Hi <img src=x onerror="window.pwned=1"> *there*\nsecond line'
    await type_message(page, typed, with_enter=True)

    bubble = page.get_by_test_id("client-chat").get_by_test_id("bubble").first
    await expect(bubble).to_have_attribute("data-from", "client")
    text = bubble.locator(".text")
    await expect(text).to_contain_text('<img src=x onerror="window.pwned=1">')
    await expect(text.locator("strong")).to_have_text("there")
    assert "\nsecond line" in await text.inner_text()
    assert await page.locator("[data-testid=client-chat] img").count() == 0
    assert await page.evaluate("window.pwned === undefined")

    # Shift+Enter makes a new line; Enter alone sends.
    box = page.get_by_test_id("message-input")
    await box.fill("one")
    await box.press("Shift+Enter")
    await box.type("two")
    await expect(box).to_have_value("one\ntwo")
    assert errors == []
    await page.close()


async def test_links_stay_whole_and_open_in_a_new_tab(browser: Browser, demo: str) -> None:
    page, errors = await open_demo(browser, demo, new_phone())
    # Action tokens are URL-safe base64: "-_x_-" inside one must not turn into italics.
    action = f"{demo}/a/Ab-_cd_-Ef"
    checkout = f"{demo}/demo/checkout/cs_sandbox_0a1b"
    await type_message(page, f"_see_ {action} and *{checkout}*.", with_enter=True)
    text = page.get_by_test_id("client-chat").get_by_test_id("bubble").first.locator(".text")
    await expect(text.locator("em")).to_have_text("see")
    links = text.get_by_test_id("link")
    await expect(links).to_have_count(2)
    await expect(links.nth(0)).to_have_attribute("href", action)
    await expect(links.nth(0)).to_have_attribute("data-kind", "action")
    await expect(links.nth(0)).to_have_attribute("target", "_blank")
    await expect(text.locator("strong a")).to_have_attribute("href", checkout)
    await expect(links.nth(1)).to_have_attribute("data-kind", "checkout")
    assert await text.locator("em a").count() == 0
    assert errors == []
    await page.close()


async def test_system_events_are_listed_under_the_artist_chat(
    browser: Browser, demo: str, sessions
) -> None:
    # More events than the list holds, so it shows exactly its 30 newest.
    kind = f"test.demo_events.{uuid.uuid4().hex[:8]}"
    async with sessions.begin() as session:
        session.add_all(SystemEvent(level="INFO", type=kind, detail={"n": n}) for n in range(31))
    async with httpx.AsyncClient() as http:
        api = (await http.get(f"{demo}/demo/events")).json()["events"]
    assert len(api) == 30 and kind in {event["type"] for event in api}
    assert all(set(event) == {"at", "level", "type", "lead_id", "detail"} for event in api)
    page, errors = await open_demo(browser, demo, new_phone())
    await type_message(page, "Hi", with_enter=True)
    lead = page.get_by_test_id("lead-id")
    await expect(lead).not_to_have_attribute("data-lead-id", "", timeout=20_000)
    lead_id = await lead.get_attribute("data-lead-id")
    assert lead_id
    # A new lead records that qualifying started; the list shows it (newest first, polled).
    rows = page.get_by_test_id("system-events").get_by_test_id("event")
    ours = rows.filter(has_text=lead_id[:8])
    await expect(ours.first).to_be_visible(timeout=15_000)
    started = ours.and_(page.locator('[data-type="lead.qualifying_started"]'))
    await expect(started).to_have_count(1)
    await expect(started.locator(".lvl")).to_have_text("INFO")
    await expect(started.locator("time")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    await expect(rows).to_have_count(30)
    assert errors == []
    await page.close()
