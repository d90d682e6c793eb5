"""The studio in real Chromium at phone (390×844) and desktop (1280×800) sizes: sign in, filter,
page through, search, open a real lead and approve it. The screenshots are kept in docs/ (the
README shows them)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from tests.browser.demo_page import chromium, watch_errors
from tests.conftest import Stack
from tests.e2e.test_deposit import qualified_lead
from tests.studio.conftest import (
    ARTIST_PASSWORD,
    IDEAS,
    MANAGER_PASSWORD,
    NAMES,
    Studio,
    project,
)
from tests.whatsapp_client import lead_of

pytestmark = pytest.mark.asyncio(loop_scope="session")

DOCS = Path(__file__).resolve().parents[2] / "docs"
PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=800)
STATUSES = ["PENDING_APPROVAL"] * 6 + ["AWAITING_DEPOSIT"] * 5 + ["BOOKED"] * 4 + [
    "NEEDS_ARTIST_REPLY", "NEEDS_FOLLOW_UP", "BOOKING_PENDING", "DEPOSIT_EXPIRED",
    "QUALIFYING", "QUALIFYING", "ABANDONED", "REJECTED", "WAITLISTED", "STALE",
    "COLLECTING_TIME_WINDOWS", "DEPOSIT_PAID",
]  # fmt: skip


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def enquiries_on(day: date, sessions) -> None:
    """27 leads enquired on `day` (a day no other test uses), as the projection writes them."""
    rng = random.Random(day.toordinal())
    for index, status in enumerate(STATUSES):
        category = rng.choice(["SMALL", "MEDIUM", "MEDIUM", "LARGE", "XL"])
        await project(
            sessions,
            status=status,
            name=NAMES[index % len(NAMES)],
            idea=IDEAS[index % len(IDEAS)],
            category=category,
            region="EUROPE" if index % 5 == 0 else "UK",
            budget_pence=rng.choice([40_000, 80_000, 120_000, 200_000, 350_000]),
            tour_city="Berlin" if index % 7 == 0 else "",
            created_at=datetime.combine(day, time(9), UTC) + timedelta(minutes=17 * index),
        )


async def sign_in(page: Page, base_url: str, login: str, password: str) -> None:
    await page.goto(f"{base_url}/studio")
    await expect(page).to_have_url(f"{base_url}/studio/signin")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to your studio")
    await page.get_by_label("Account").fill(login)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page).to_have_url(f"{base_url}/studio/inbox")  # the landing page
    await page.get_by_test_id("nav-pipeline").click()
    await expect(page).to_have_url(f"{base_url}/studio")
    await expect(page.get_by_test_id("account")).to_have_text(login)


async def filter_to(page: Page, day: date) -> None:
    await page.locator("summary").click()
    await page.get_by_label("Enquired from").fill(day.isoformat())
    await page.get_by_label("Enquired to").fill(day.isoformat())
    await page.get_by_test_id("apply").click()
    await expect(page.get_by_test_id("total")).to_have_text(str(len(STATUSES)))
    await expect(page.get_by_test_id("active-filters")).to_have_text("2 on")


async def test_studio_on_a_phone_sign_in_filter_page_open_and_approve(
    browser: Browser, studio: Studio, stack: Stack, sessions
) -> None:
    day = date(2021, 1, 1) + timedelta(days=random.randint(0, 1500))
    await enquiries_on(day, sessions)
    phone, _ = await qualified_lead(stack, sessions)
    lead = await lead_of(stack, sessions, phone)
    assert lead is not None
    DOCS.mkdir(exist_ok=True)

    context = await browser.new_context(viewport=PHONE, device_scale_factor=2)
    page = await context.new_page()
    errors = watch_errors(page)
    await page.goto(f"{studio.base_url}/studio/signin")
    await page.screenshot(path=DOCS / "studio-signin-phone.png")
    await sign_in(page, studio.base_url, "artist", ARTIST_PASSWORD)

    # Filter to the day's enquiries: 27 leads, 25 on the first page.
    await filter_to(page, day)
    leads = page.get_by_test_id("lead")
    await expect(leads).to_have_count(25)
    awaiting = page.locator('[data-testid="tab"][data-status="PENDING_APPROVAL"]')
    await expect(awaiting).to_have_text("Awaiting approval 6")
    await page.get_by_test_id("total").scroll_into_view_if_needed()
    await page.screenshot(path=DOCS / "studio-pipeline-phone.png")

    # Older, then back.
    first_page = await leads.evaluate_all("links => links.map(a => a.dataset.leadId)")
    await page.get_by_test_id("older").click()
    await expect(leads).to_have_count(2)
    second_page = await leads.evaluate_all("links => links.map(a => a.dataset.leadId)")
    assert not set(first_page) & set(second_page)
    await page.get_by_test_id("newer").click()
    await expect(leads).to_have_count(25)

    # A status tab keeps the day's filter.
    await awaiting.click()
    await expect(leads).to_have_count(6)
    await expect(page.locator(".badge", has_text="Awaiting approval")).to_have_count(6)

    # Find the real lead by its reference, open it, approve it.
    await page.goto(f"{studio.base_url}/studio")
    await page.get_by_test_id("search").fill(lead.lead_id[:8])
    await page.get_by_role("button", name="Search").click()
    await expect(leads).to_have_count(1)
    await leads.first.click()
    status = page.get_by_test_id("status")
    await expect(status).to_have_text("Awaiting approval")
    await expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    await page.screenshot(path=DOCS / "studio-lead-phone.png")
    await page.locator('button[data-action="approve"]').click()
    await expect(page.get_by_test_id("outcome")).to_have_text("Approve: done.")
    await expect(status).to_have_text("Awaiting deposit")
    await expect(page.locator('button[data-action="approve"]')).to_have_count(0)
    await expect(page.locator('button[data-action="send_deposit"]')).to_be_visible()

    # Signing out ends the session: the pipeline asks to sign in again.
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(f"{studio.base_url}/studio/signin")
    await page.goto(f"{studio.base_url}/studio")
    await expect(page).to_have_url(f"{studio.base_url}/studio/signin")
    assert errors == []
    await context.close()


async def test_studio_on_a_desktop_as_the_manager(
    browser: Browser, studio: Studio, stack: Stack, sessions
) -> None:
    day = date(2021, 1, 1) + timedelta(days=random.randint(1600, 3000))
    await enquiries_on(day, sessions)
    phone, _ = await qualified_lead(stack, sessions)
    lead = await lead_of(stack, sessions, phone)
    assert lead is not None

    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    errors = watch_errors(page)
    await sign_in(page, studio.base_url, "manager", MANAGER_PASSWORD)
    await filter_to(page, day)
    await expect(page.get_by_test_id("lead")).to_have_count(25)
    await page.screenshot(path=DOCS / "studio-pipeline-desktop.png")

    await page.goto(f"{studio.base_url}/studio/leads/{lead.lead_id}")
    await expect(page.get_by_test_id("status")).to_have_text("Awaiting approval")
    timeline = page.get_by_test_id("timeline")
    await expect(timeline.locator('[data-kind="client"]').first).to_be_visible()
    await expect(timeline.locator('[data-type="lead.status"]').first).to_contain_text(
        "Status: New → Answering questions"
    )
    await page.screenshot(path=DOCS / "studio-lead-desktop.png")
    assert errors == []
    await context.close()
