"""Campaigns in real Chromium at phone (390×844) and desktop (1280×800) sizes: a segment with
its live count and sample, compose with the plan and cost, send, the live progress bar to the
end, results with the funnel, and the CSV. The stack's worker sends to the fake Graph API.
Screenshots are kept in docs/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, ViewportSize, expect

from tests.browser.demo_page import chromium, watch_errors
from tests.conftest import Stack
from tests.studio.conftest import ARTIST_PASSWORD, Studio
from tests.studio.test_studio_browser import sign_in
from tests.workflows.campaign_runs import add_audience, new_city, per_recipient, sends_for

pytestmark = pytest.mark.asyncio(loop_scope="session")

DOCS = Path(__file__).resolve().parents[2] / "docs"
PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=800)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def test_compose_send_progress_and_results_on_a_phone_and_a_desktop(
    browser: Browser, studio: Studio, stack: Stack, sessions
) -> None:
    city = new_city()
    await add_audience(sessions, city, 4)  # UK numbers
    await add_audience(sessions, city, 2, number="1212555", digits=11)  # New York numbers
    await add_audience(sessions, city, 2, consent=False)
    DOCS.mkdir(exist_ok=True)
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2)
    page = await context.new_page()
    errors = watch_errors(page)
    await sign_in(page, studio.base_url, "artist", ARTIST_PASSWORD)

    # A segment: the waitlist for the city, counted live with a sample.
    await page.get_by_test_id("nav-campaigns").click()
    await page.get_by_test_id("new-segment").click()
    await page.get_by_test_id("segment-tour-city").fill(city)
    await page.get_by_test_id("segment-count-button").click()
    await expect(page.get_by_test_id("segment-count")).to_have_text("6")
    await expect(page.get_by_test_id("segment-result")).to_contain_text(
        "2 more match but have not agreed to promotions"
    )
    await expect(page.get_by_test_id("segment-sample").locator("li")).to_have_count(5)
    await page.screenshot(path=DOCS / "campaign-segment-phone.png", full_page=True)
    await page.get_by_test_id("segment-name").fill(f"{city} waitlist")
    await page.get_by_test_id("segment-save").click()
    await expect(page.get_by_test_id("plan")).to_be_visible()
    compose_url = page.url  # the compose page for this segment

    # Compose: the plan, the cost and the messaging-limit budget; at 10:00 in each client's
    # zone, the plan lists a group per zone.
    await expect(page.get_by_test_id("plan")).to_contain_text("6 recipients")
    await page.get_by_test_id("plan-local-hour").select_option("10")
    await page.get_by_test_id("plan-show").click()
    groups = page.get_by_test_id("plan-groups").locator("li")
    await expect(groups).to_have_count(2)
    await expect(groups.filter(has_text="4 in Europe/London")).to_have_count(1)
    await expect(groups.filter(has_text="2 in America/New York")).to_have_count(1)
    await expect(page.get_by_test_id("timing-local")).to_be_checked()
    await page.screenshot(path=DOCS / "campaign-local-hour-phone.png", full_page=True)
    await expect(page.get_by_test_id("cost")).to_have_text("£0.24")
    await expect(page.get_by_test_id("budget")).to_have_text("6")
    await page.get_by_test_id("compose-name").fill(f"{city} guest spot")
    await page.get_by_test_id("param-1").fill(city)
    await page.get_by_test_id("param-2").fill("12-14 May")
    await page.screenshot(path=DOCS / "campaign-compose-phone.png", full_page=True)
    await page.get_by_test_id("timing-now").check()
    await page.get_by_test_id("compose-send").click()

    # Progress, live until it completes; then the results.
    await expect(page.get_by_test_id("progress-bar")).to_be_visible()
    await expect(page.get_by_test_id("campaign-status")).to_have_text("Completed", timeout=30_000)
    await expect(page.get_by_test_id("progress")).to_contain_text("6 of 6 sent")
    await expect(page.get_by_test_id("funnel-sent")).to_have_text("6")
    await expect(page.get_by_test_id("funnel-audience")).to_have_text("6")
    await page.screenshot(path=DOCS / "campaign-progress-phone.png", full_page=True)
    sends = sends_for(stack.graph, city)
    assert len(sends) == 6 and set(per_recipient(sends).values()) == {1}

    href = await page.get_by_test_id("campaign-csv").get_attribute("href")
    csv = await page.request.get(f"{studio.base_url}{href}")
    lines = (await csv.text()).splitlines()
    assert lines[0].startswith("name,state") and len(lines) == 7
    campaign_url = page.url

    # The same segment at 10:00 in each client's zone: scheduled, waiting for the first hour,
    # and nothing more sent; then cancelled.
    await page.goto(compose_url)
    await page.get_by_test_id("compose-name").fill(f"{city} morning news")
    await page.get_by_test_id("compose-template").select_option("studio_news")
    await page.get_by_test_id("param-1").fill("New flash sheet out")
    await page.get_by_test_id("timing-local").check()
    await page.get_by_test_id("compose-local-hour").select_option("10")
    await page.get_by_test_id("compose-send").click()
    await expect(page.get_by_test_id("campaign-local-hour")).to_contain_text("at 10:00")
    await expect(page.get_by_test_id("campaign-status")).to_have_text("Scheduled", timeout=15_000)
    await expect(page.get_by_test_id("progress")).to_contain_text("next sends")
    await page.get_by_test_id("control-cancel").click()
    await expect(page.get_by_test_id("campaign-status")).to_have_text("Cancelled", timeout=15_000)
    assert not [body for body in stack.graph.sent if "New flash sheet out" in str(body)]
    assert errors == []

    desktop = await browser.new_context(viewport=DESKTOP)
    wide = await desktop.new_page()
    await sign_in(wide, studio.base_url, "artist", ARTIST_PASSWORD)
    await wide.goto(campaign_url)
    await expect(wide.get_by_test_id("funnel")).to_be_visible()
    await wide.screenshot(path=DOCS / "campaign-results-desktop.png", full_page=True)
    await wide.goto(f"{studio.base_url}/studio/campaigns/new")
    await expect(wide.get_by_test_id("compose-form")).to_be_visible()
    await wide.screenshot(path=DOCS / "campaign-compose-desktop.png", full_page=True)
    await context.close()
    await desktop.close()
