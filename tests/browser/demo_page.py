"""Shared helpers for the browser tests: Debian's Chromium under async Playwright, and the /demo
page's client phone driven as a person would (typing, tapping reply buttons and list rows)."""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from playwright.async_api import Browser, Locator, Page, async_playwright, expect

from consultation.copy import COPY
from consultation.questions import KEYS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

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
    "instagram_handle": ("@inky_demo", None),  # made unique per run by `consult`
    "travel_city": ("same", None),
    "timing": ("Next 2-4 weeks", "next 2-4 weeks"),
}
# The question copy identifies which question a bubble asks; the page shows it verbatim.
QUESTION_TEXT = {key: " ".join(COPY[f"question.{key}"].split()) for key in KEYS}
SUMMARY_OPENING = " ".join(COPY["summary"].split("{summary}")[0].split())
CONFIRM_HINTS = (COPY["summary.confirm_button"].lower(), "confirm")
SETTLE_MS = 1200  # the page polls every ~700 ms; a turn may send more than one message


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


def new_phone() -> str:
    return f"+4477009{random.randint(10000, 99999)}"


def watch_errors(page: Page) -> list[str]:
    """What goes wrong on `page`, collected as it happens: uncaught exceptions, console errors
    and failed responses ("<status> <url>"; a missing /favicon.ico is no failure)."""
    errors: list[str] = []

    def console(msg) -> None:
        # Chromium logs every 4xx/5xx as "Failed to load resource"; the response says which.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(msg.text)

    def response(answer) -> None:
        if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
            errors.append(f"{answer.status} {answer.url}")

    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", console)
    page.on("response", response)
    return errors


async def open_demo(browser: Browser, base_url: str, phone: str) -> tuple[Page, list[str]]:
    page = await browser.new_page(viewport={"width": 1100, "height": 900})
    errors = watch_errors(page)
    await page.goto(f"{base_url}/demo")
    phone_input = page.get_by_test_id("phone-input")
    # Prefilled with a fresh UK drama-range number.
    await expect(phone_input).to_have_value(re.compile(r"^\+4477009\d{5}$"))
    await phone_input.fill(phone)
    await expect(page.get_by_test_id("client-chat").get_by_test_id("bubble")).to_have_count(0)
    return page, errors


def client_bubbles(page: Page) -> Locator:
    return page.get_by_test_id("client-chat").locator('[data-testid="bubble"][data-from="client"]')


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


@dataclass
class Consultation:
    lead_id: str
    handle: str
    bots: int  # bot bubbles on screen once the summary had settled
    asked: list[str] = field(default_factory=list)
    taps: list[str] = field(default_factory=list)


async def consult(page: Page) -> Consultation:
    """Say hello and answer every question on the page (tapping where the bot offers choices)
    until the summary to confirm arrives. Checks along the way that the lead stays QUALIFYING
    and the artist hears nothing about it yet."""
    client = client_bubbles(page)
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
    ours = artist_for(page, lead_id)

    handle = f"@inky_{random.randint(10000, 99999)}"
    answers = {**ANSWERS, "instagram_handle": (handle, None)}
    done = Consultation(lead_id, handle, bots)
    while True:
        latest = await latest_turn(page)
        if SUMMARY_OPENING in " ".join(latest.split()):
            break
        key = question_in(latest)
        assert key is not None, f"not a question the test knows: {latest!r}"
        assert done.asked.count(key) < 2, f"asked {key} again: {latest!r} after {done.asked}"
        done.asked.append(key)
        text, hint = answers[key]
        tapped = await tap_choice(page, (hint,)) if hint else None
        if tapped:
            done.taps.append(tapped)
            await expect(client.last.locator(".text")).to_have_text(tapped)
        else:
            await type_message(page, text, with_enter=len(done.asked) % 2 == 1)
            await expect(client.last.locator(".text")).to_have_text(text)
        done.bots = await settled_count(page, bot_bubbles(page), done.bots)
        # Still qualifying, and nothing about this lead has gone to the artist yet.
        await expect(status).to_have_text("QUALIFYING")
        await expect(ours).to_have_count(0)
    return done


async def confirm_summary(page: Page) -> None:
    """Confirm the summary: tap its Confirm button, or type it when there is none."""
    await expect(bot_bubbles(page).last.get_by_test_id("choice").first).to_be_visible()
    if not await tap_choice(page, CONFIRM_HINTS):
        await type_message(page, "confirm", with_enter=True)


def artist_for(page: Page, lead_id: str) -> Locator:
    """The artist's messages about one lead (they carry its short reference)."""
    return artist_bubbles(page).filter(has_text=f"Lead {lead_id[:8]}")


async def link_after(bubble: Locator, label: str) -> Locator:
    """The link on the line that starts with `label` ("✅ Approve: <url>") in `bubble`."""
    text = await bubble.locator(".text").inner_text()
    for line in text.splitlines():
        head, sep, url = line.strip().partition(": ")
        if sep and label in head and url.startswith("http"):
            return bubble.locator(f'a[data-testid="link"][href="{url.strip()}"]')
    raise AssertionError(f"no {label!r} link in {text!r}")
