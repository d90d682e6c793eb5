"""The /demo page in real Chromium against the real stack: the client's phone drives a whole
consultation (typing and tapping reply buttons / list rows), the status badge follows the lead and
the artist's phone receives the summary."""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Locator, Page, async_playwright, expect

from consultation.copy import COPY
from consultation.questions import KEYS
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

# What the client answers to each question (by key), and the title of the reply button or list
# row to tap instead when the question offers one (matched case-insensitively).
ANSWERS: dict[str, tuple[str, str | None]] = {
    "idea": ("A fine line swallow with a sprig of lavender", None),
    "placement": ("Inner forearm", "forearm"),
    "dimensions": ("10x12cm", None),
    "style": ("Fine line", "fine line"),
    "complexity": ("2", "medium detail"),
    "coverup": ("No", "no"),
    "reference_images": ("no", None),
    "budget": ("2k", None),
    "location_city": ("Leeds", None),
    "location_country": ("United Kingdom", None),
    "instagram_handle": ("@inky_demo", None),  # made unique per run below
    "travel_city": ("same", None),
    "timing": ("Next 2-4 weeks", "next 2-4 weeks"),
}
# The question copy identifies which question a bubble asks; the page shows it verbatim.
QUESTION_TEXT = {key: " ".join(COPY[f"question.{key}"].split()) for key in KEYS}
SUMMARY_OPENING = " ".join(COPY["summary"].split("{summary}")[0].split())
CONFIRM_HINTS = (COPY["summary.confirm_button"].lower(), "confirm")
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
    await expect(phone_input).to_have_value(re.compile(r"^\+4477009\d{5}$"))
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


def best_match(titles: list[str], hints: tuple[str, ...]) -> int | None:
    """The index of the title equal to a hint, else of the first one containing a hint."""
    folded = [title.strip().lower() for title in titles]
    for hint in hints:
        if hint in folded:
            return folded.index(hint)
    for hint in hints:
        for index, title in enumerate(folded):
            if hint in title:
                return index
    return None


async def tap_choice(page: Page, hints: tuple[str, ...]) -> str | None:
    """Tap the reply button or list row (in the latest bot message) whose title matches one of
    `hints`; returns the tapped title, or None when there is nothing to tap."""
    latest = bot_bubbles(page).last
    buttons = latest.get_by_test_id("choice")
    index = best_match(await buttons.all_inner_texts(), hints)
    if index is not None:
        title = (await buttons.nth(index).inner_text()).strip()
        await buttons.nth(index).click()
        return title
    opener = latest.get_by_test_id("list-button")
    if await opener.count():
        await opener.click()
        sheet = page.get_by_role("dialog")
        rows = sheet.get_by_test_id("choice")
        await expect(rows.first).to_be_visible()
        await expect(rows.first).to_be_focused()  # keyboard users land in the list
        index = best_match(await rows.locator(".title").all_inner_texts(), hints)
        if index is not None:
            title = (await rows.nth(index).locator(".title").inner_text()).strip()
            await rows.nth(index).click()
            await expect(sheet).to_be_hidden()
            return title
        await page.keyboard.press("Escape")
        await expect(sheet).to_be_hidden()
    return None


async def latest_turn(page: Page) -> str:
    """The text of the bot's messages since the client's last one."""
    return await page.get_by_test_id("client-chat").evaluate(
        """chat => {
            const bubbles = [...chat.querySelectorAll('[data-testid="bubble"]')];
            let first = bubbles.length;
            while (first > 0 && bubbles[first - 1].dataset.from === "bot") first--;
            return bubbles.slice(first).map((bubble) => bubble.innerText).join("\\n");
        }"""
    )


def question_in(text: str) -> str | None:
    """The key of the question a bot message asks (the last one in it, when several)."""
    flat = " ".join(text.split())
    found = [(flat.rfind(question), key) for key, question in QUESTION_TEXT.items()]
    position, key = max(found)
    return key if position >= 0 else None


async def test_demo_page_runs_a_whole_consultation_to_pending_approval(
    browser: Browser, stack: Stack
) -> None:
    phone = new_phone()
    page, errors = await open_demo(browser, stack, phone)
    client = page.get_by_test_id("client-chat").locator(
        '[data-testid="bubble"][data-from="client"]'
    )
    status = page.get_by_test_id("lead-status")
    await expect(status).to_have_attribute("data-status", "")

    await type_message(page, "Hi", with_enter=True)
    await expect(client.first.locator(".text")).to_have_text("Hi")
    bots = await settled_count(page, bot_bubbles(page), 0)
    await expect(status).to_have_text("QUALIFYING")
    lead_id = await page.get_by_test_id("lead-id").get_attribute("data-lead-id")
    assert lead_id
    # The artist's phone shows every lead's messages (earlier tests' too): find this lead's by
    # its reference.
    ours = artist_bubbles(page).filter(has_text=f"Lead {lead_id[:8]}")

    handle = f"@inky_{random.randint(10000, 99999)}"
    answers = {**ANSWERS, "instagram_handle": (handle, None)}
    taps: list[str] = []
    asked: list[str] = []
    while True:
        latest = await latest_turn(page)
        if SUMMARY_OPENING in " ".join(latest.split()):
            break
        key = question_in(latest)
        assert key is not None, f"not a question the test knows: {latest!r}"
        assert asked.count(key) < 2, f"asked {key} again: {latest!r} after {asked}"
        asked.append(key)
        text, hint = answers[key]
        tapped = await tap_choice(page, (hint,)) if hint else None
        if tapped:
            taps.append(tapped)
            await expect(client.last.locator(".text")).to_have_text(tapped)
        else:
            await type_message(page, text, with_enter=len(asked) % 2 == 1)
            await expect(client.last.locator(".text")).to_have_text(text)
        bots = await settled_count(page, bot_bubbles(page), bots)
        # Still qualifying, and nothing about this lead has gone to the artist yet.
        await expect(status).to_have_text("QUALIFYING")
        await expect(ours).to_have_count(0)
    assert asked[0] == "idea" and "timing" in asked
    assert len(taps) >= 3, f"expected to tap buttons and list rows, tapped {taps}"

    # The last answer brings the summary to confirm, with buttons; the artist still has nothing.
    summary = await latest_turn(page)
    assert "£2,000" in summary and handle in summary
    await expect(bot_bubbles(page).last.get_by_test_id("choice").first).to_be_visible()
    if not await tap_choice(page, CONFIRM_HINTS):
        await type_message(page, "confirm", with_enter=True)

    await expect(status).to_have_attribute("data-status", "PENDING_APPROVAL", timeout=20_000)
    await expect(status).to_have_text("PENDING_APPROVAL")
    await settled_count(page, bot_bubbles(page), bots)
    await expect(ours).to_have_count(1, timeout=20_000)
    await expect(ours).to_contain_text(handle)
    await expect(ours).to_contain_text("£2,000")

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
