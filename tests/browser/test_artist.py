"""The artist's side in real Chromium: the one-tap action pages, and the whole demo journey —
consultation on the page, approval through the artist's link, a time picked from the list, the
deposit paid on the sandbox checkout page, booked — against the real API, Temporal and
PostgreSQL (the demo's calendar)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from consultation.copy import COPY
from tests.browser.demo_page import (
    artist_for,
    bot_bubbles,
    chromium,
    confirm_summary,
    consult,
    link_after,
    new_phone,
    open_demo,
    watch_errors,
)
from tests.conftest import Stack, artist_writes_in
from tests.e2e.test_deposit import qualified_lead, token_from_artist

pytestmark = pytest.mark.asyncio(loop_scope="session")

ACTION_SHOT = "/tmp/action.png"
JOURNEY_SHOT = "/tmp/journey.png"
BOOKED = COPY["booking.confirmed"].split("{artist}")[0].strip()  # "You're booked in with"


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def new_tab(page: Page, link) -> Page:
    """Click a link that opens in a new tab; returns that tab once it has loaded."""
    async with page.context.expect_page() as opened:
        await link.click()
    tab = await opened.value
    await tab.wait_for_load_state()
    return tab


async def test_action_link_pages_confirm_act_once_and_refuse_forgeries(
    browser: Browser, stack: Stack, sessions
) -> None:
    # The links reach the artist in a text message only inside their own 24 h window (the
    # stack opens it too; this test does not rely on that).
    await artist_writes_in(stack.http)
    _, approve_hash = await qualified_lead(stack, sessions)
    token = await token_from_artist(stack, approve_hash)
    page = await browser.new_page(viewport={"width": 700, "height": 760})
    errors = watch_errors(page)

    # GET shows what the link will do, for which lead, and asks for the tap; nothing happens yet.
    response = await page.goto(f"{stack.base_url}/a/{token}")
    assert response is not None and response.status == 200
    await expect(page.get_by_role("heading", level=1)).to_have_text("Approve this lead")
    summary = page.locator("dl")
    await expect(summary).to_contain_text("A fine line swallow with a sprig of lavender")
    await expect(summary).to_contain_text("£2,000")
    await expect(summary).to_contain_text("Awaiting approval")
    button = page.get_by_role("button", name="Approve this lead")
    await expect(button).to_be_visible()
    await page.screenshot(path=ACTION_SHOT)

    await button.click()
    await expect(page.locator(".note")).to_contain_text("Done. The lead is now awaiting deposit.")

    # Back to the form (from the cache or fetched again): the link does nothing twice.
    await page.go_back()
    again = page.get_by_role("button", name="Approve this lead")
    if await again.count():
        await again.click()
    await expect(page.locator(".note")).to_contain_text(re.compile("already used", re.I))
    await expect(page.get_by_role("button")).to_have_count(0)

    forged = await page.goto(f"{stack.base_url}/a/{token[:-4]}AAAA")
    assert forged is not None and forged.status == 404
    await expect(page.locator(".note")).to_contain_text("not valid")
    await expect(page.get_by_role("button")).to_have_count(0)
    # The refusals are the only failed responses.
    assert errors == [f"409 {stack.base_url}/a/{token}", f"404 {stack.base_url}/a/{token[:-4]}AAAA"]
    await page.close()


async def test_demo_journey_from_hello_to_booked(browser: Browser, demo: str) -> None:
    page, errors = await open_demo(browser, demo, new_phone())
    status = page.get_by_test_id("lead-status")
    done = await consult(page)
    await confirm_summary(page)
    await expect(status).to_have_attribute("data-status", "PENDING_APPROVAL", timeout=20_000)

    # The artist's phone gets the summary with one-tap links; Approve opens its page in a tab.
    ours = artist_for(page, done.lead_id)
    await expect(ours).to_have_count(1, timeout=20_000)
    approve = await link_after(ours, "Approve")
    await expect(approve).to_have_attribute("data-kind", "action")
    action = await new_tab(page, approve)
    action_errors = watch_errors(action)
    await expect(action.get_by_role("heading", level=1)).to_have_text("Approve this lead")
    await action.get_by_role("button", name="Approve this lead").click()
    await expect(action.locator(".note")).to_contain_text("Done.")
    await action.close()

    # The client hears at once: the badge moves on and free times arrive as a list.
    await page.bring_to_front()
    await expect(status).to_have_attribute("data-status", "AWAITING_DEPOSIT", timeout=20_000)
    times = bot_bubbles(page).filter(has=page.get_by_test_id("list-button")).last
    await expect(times).to_contain_text("1. ", timeout=20_000)
    await times.get_by_test_id("list-button").click()
    sheet = page.get_by_role("dialog")
    rows = sheet.get_by_test_id("choice")
    await expect(rows.first).to_be_visible()
    picked = (await rows.nth(1).locator(".title").inner_text()).strip()  # e.g. "Wed 3 Dec, 2:00pm"
    await rows.nth(1).click()
    await expect(sheet).to_be_hidden()

    # The time is held and the deposit link for it arrives.
    held = bot_bubbles(page).filter(has_text="holding")
    await expect(held).to_have_count(1, timeout=20_000)
    await expect(held).to_contain_text(picked.split(",")[0])
    checkout = bot_bubbles(page).locator('a[data-kind="checkout"]')
    await expect(checkout).to_have_count(1, timeout=20_000)
    href = await checkout.get_attribute("href")
    assert href and href.startswith(f"{demo}/demo/checkout/cs_sandbox_")

    # The sandbox checkout page: Pay posts a signed Stripe event to our own webhook.
    pay_page = await new_tab(page, checkout)
    pay_errors = watch_errors(pay_page)
    await expect(pay_page.get_by_role("heading", level=1)).to_have_text("Pay your £150 deposit")
    # It says which session the deposit secures: the time the client picked, in words.
    await expect(pay_page.get_by_test_id("for")).to_have_text(
        re.compile(r"^£150 tattoo deposit for \w{3} \d{1,2} \w{3}, \d{1,2}:\d{2}(am|pm)–")
    )
    await pay_page.get_by_test_id("pay").click()
    await expect(pay_page.get_by_role("heading", level=1)).to_have_text("Thank you!")
    await pay_page.close()

    await page.bring_to_front()
    await expect(status).to_have_attribute("data-status", "BOOKED", timeout=20_000)
    booked = bot_bubbles(page).filter(has_text=BOOKED)
    await expect(booked).to_have_count(1, timeout=20_000)
    await expect(booked).to_contain_text("£150")
    await expect(booked).to_contain_text(picked.split(",")[0])

    # The system events under the artist's chat show what happened to this lead.
    events = page.get_by_test_id("system-events").get_by_test_id("event")
    await expect(events.first).to_be_visible()
    for kind in ("deposit.paid", "booking.held", "lead.booked"):
        seen = events.filter(has_text=done.lead_id[:8]).and_(page.locator(f'[data-type="{kind}"]'))
        await expect(seen).to_have_count(1, timeout=10_000)

    await page.screenshot(path=JOURNEY_SHOT)
    assert errors == [] and action_errors == [] and pay_errors == []
    await page.close()
