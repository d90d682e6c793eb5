"""The /demo page in real Chromium against the real stack: the client's phone drives a whole
consultation (typing and tapping reply buttons / list rows), the status badge follows the lead and
the artist's phone receives the summary."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Locator, Page, async_playwright, expect

from tests.conftest import Stack

pytestmark = pytest.mark.asyncio(loop_scope="session")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = "/tmp/demo.png"

# What the client answers, in question order; the second item names the choice to tap when the
# bot offers reply buttons or list rows (matched against their titles, case-insensitively).
ANSWERS: list[tuple[str, str | None]] = [
    ("A fine line swallow with a sprig of lavender", None),
    ("Inner forearm", None),
    ("10x12cm", None),
    ("Fine line", None),
    ("2", "medium"),
    ("No", "no"),
    ("no", "no"),
    ("2k", None),
    ("Leeds", None),
    ("@inky_demo", None),
    ("same", "same"),
    ("Next 2-4 weeks", "2-4 weeks"),
]
CONFIRM_HINTS = ("confirm", "looks good", "yes", "correct", "all good")
SETTLE_MS = 1200  # the page polls every ~700 ms; a turn may send more than one message


def new_phone() -> str:
    return f"+4477009{random.randint(10000, 99999)}"


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


async def open_demo(browser: Browser, stack: Stack, phone: str) -> tuple[Page, list[str]]:
    page = await browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    await page.goto(f"{stack.base_url}/demo")
    phone_input = page.get_by_test_id("phone-input")
    # Prefilled with a fresh UK drama-range number.
    await expect(phone_input).to_have_value(r"^\+4477009\d{5}$")
    await phone_input.fill(phone)
    await expect(page.get_by_test_id("client-chat").get_by_test_id("bubble")).to_have_count(0)
    return page, errors


def bot_bubbles(page: Page) -> Locator:
    return page.get_by_test_id("client-chat").locator('[data-testid="bubble"][data-from="bot"]')


def artist_bubbles(page: Page) -> Locator:
    return page.get_by_test_id("artist-chat").get_by_test_id("bubble")


async def settled_count(
    page: Page, locator: Locator, more_than: int, timeout: float = 20_000
) -> int:
    """Wait until the locator matches more than `more_than` elements and has stopped growing."""
    await expect(locator).not_to_have_count(more_than, timeout=timeout)
    count = await locator.count()
    while True:
        await page.wait_for_timeout(SETTLE_MS)
        now = await locator.count()
        if now == count:
            assert count > more_than
            return count
        count = now


async def type_message(page: Page, text: str, *, with_enter: bool) -> None:
    box = page.get_by_test_id("message-input")
    await box.fill(text)
    if with_enter:
        await box.press("Enter")
    else:
        await page.get_by_test_id("send-button").click()
    await expect(box).to_have_value("")


async def tap_choice(page: Page, hints: tuple[str, ...]) -> str | None:
    """Tap the reply button or list row (in the latest bot message) whose title matches one of
    `hints`; returns the tapped title, or None when there is nothing to tap."""
    latest = bot_bubbles(page).last
    buttons = latest.get_by_test_id("choice")
    for index in range(await buttons.count()):
        title = (await buttons.nth(index).inner_text()).strip()
        if any(hint in title.lower() for hint in hints):
            await buttons.nth(index).click()
            return title
    opener = latest.get_by_test_id("list-button")
    if await opener.count():
        await opener.click()
        rows = page.get_by_role("dialog").get_by_test_id("choice")
        await expect(rows.first).to_be_visible()
        for index in range(await rows.count()):
            title = (await rows.nth(index).locator(".title").inner_text()).strip()
            if any(hint in title.lower() for hint in hints):
                await rows.nth(index).click()
                await expect(page.get_by_role("dialog")).to_be_hidden()
                return title
        await page.keyboard.press("Escape")
        await expect(page.get_by_role("dialog")).to_be_hidden()
    return None


async def test_demo_page_runs_a_whole_consultation_to_pending_approval(
    browser: Browser, stack: Stack
) -> None:
    phone = new_phone()
    page, errors = await open_demo(browser, stack, phone)
    client = page.get_by_test_id("client-chat").get_by_test_id("bubble")
    status = page.get_by_test_id("lead-status")
    await expect(status).to_have_attribute("data-status", "")
    artist_before = await artist_bubbles(page).count()  # earlier tests may have told the artist

    await type_message(page, "Hi", with_enter=True)
    await expect(client.first).to_have_attribute("data-from", "client")
    await expect(client.first.locator(".text")).to_have_text("Hi")
    bots = await settled_count(page, bot_bubbles(page), 0)
    await expect(status).to_have_text("QUALIFYING")

    taps: list[str] = []
    for number, (text, hint) in enumerate(ANSWERS):
        tapped = await tap_choice(page, (hint,)) if hint else None
        if tapped:
            taps.append(tapped)
            await expect(client.last.locator(".text")).to_have_text(tapped)
        else:
            await type_message(page, text, with_enter=number % 2 == 0)
            await expect(client.last.locator(".text")).to_have_text(text)
        bots = await settled_count(page, bot_bubbles(page), bots)
        if number < len(ANSWERS) - 1:
            # Still qualifying, and nothing has gone to the artist yet.
            await expect(status).to_have_text("QUALIFYING")
            assert await artist_bubbles(page).count() == artist_before
    assert taps, "no answer could be given by tapping a reply button or list row"

    # The last answer brings the summary to confirm; the artist still has nothing.
    assert await artist_bubbles(page).count() == artist_before
    summary = await bot_bubbles(page).last.inner_text()
    assert "2,000" in summary
    if not await tap_choice(page, CONFIRM_HINTS):
        await type_message(page, "confirm", with_enter=True)

    await expect(status).to_have_attribute("data-status", "PENDING_APPROVAL", timeout=20_000)
    await expect(status).to_have_text("PENDING_APPROVAL")
    await settled_count(page, bot_bubbles(page), bots)
    await settled_count(page, artist_bubbles(page), artist_before)
    artist_text = "\n".join(await artist_bubbles(page).all_inner_texts())
    assert "2,000" in artist_text

    await page.screenshot(path=SCREENSHOT)
    assert errors == []
    await page.close()


async def test_bubbles_show_text_safely_with_newlines_and_bold(
    browser: Browser, stack: Stack
) -> None:
    page, errors = await open_demo(browser, stack, new_phone())
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
