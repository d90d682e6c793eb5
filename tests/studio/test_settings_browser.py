"""The artist's settings, tours and calendar in real Chromium at phone and desktop sizes, against
the real API, workflows and PostgreSQL: a save in the studio changes the next lead's quote and
the times it is offered, while a lead already offered times keeps its quote and times; the
booking's confirmation links to its own calendar file. The screenshots are kept in docs/."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar
from playwright.async_api import Browser, Page, expect

from stores.artist_settings import SettingsStore
from tests.browser.demo_page import chromium, watch_errors
from tests.conftest import STRIPE_SECRET, Stack, eventually
from tests.e2e.test_deposit import (
    booked_confirmations,
    checkout_of,
    offers,
    pick_time,
    post_stripe,
    qualified_lead,
    slot_starts,
    token_from_artist,
)
from tests.studio.conftest import ARTIST_PASSWORD, Studio
from tests.studio.test_studio_browser import DESKTOP, DOCS, PHONE, sign_in
from tests.whatsapp_client import body_of, sent_to, status_is

pytestmark = pytest.mark.asyncio(loop_scope="session")
LONDON = ZoneInfo("Europe/London")
CALENDAR_LINK = re.compile(r"(https?://\S+/calendar/event/[0-9a-f]+\.ics)")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat")


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


@pytest.fixture
async def settings_restored(stack: Stack, sessions) -> AsyncIterator[SettingsStore]:
    """The settings in force before the test are saved again after it, as the newest version:
    the tests that follow in this process quote and offer times under the defaults."""
    store = SettingsStore(sessions, stack.settings.ARTIST_ID)
    before = await store.in_force(stack.settings.artist_defaults.to_mapping())
    yield store
    latest = await store.in_force(before.settings)
    await store.save(before.settings, "test", latest.version)


def quoted_deposit(stack: Stack, phone: str) -> str:
    """The deposit the client was told at the end of the consultation ("a deposit of £150")."""
    for message in sent_to(stack, phone):
        if found := re.search(r"deposit of (\S+?) to pay", body_of(message)):
            return found.group(1)
    return ""


async def approved_with_times(stack: Stack, sessions) -> tuple[str, str, list[datetime]]:
    """A lead approved by the artist's link and offered times: (phone, lead id, starts)."""
    phone, approve_hash = await qualified_lead(stack, sessions)
    token = await token_from_artist(stack, approve_hash)
    assert (await stack.http.post(f"/a/{token}")).status_code == 200
    lead = await eventually(lambda: status_is(stack, sessions, phone, "AWAITING_DEPOSIT"))
    offered = (await eventually(lambda: offers(stack, phone), timeout=30))[-1]
    return phone, lead.lead_id, slot_starts(offered)


async def save_settings(page: Page, base_url: str, fields: dict[str, str]) -> None:
    await page.goto(f"{base_url}/studio/settings")
    for name, value in fields.items():
        await page.get_by_test_id(name).fill(value)
    await page.get_by_test_id("save").click()


async def test_a_settings_change_reaches_the_next_lead_not_one_already_offered_times(
    browser: Browser, studio: Studio, stack: Stack, sessions, settings_restored: SettingsStore
) -> None:
    # Lead A finishes the consultation and is offered times under the settings in force.
    phone_a, lead_a, starts_a = await approved_with_times(stack, sessions)
    assert quoted_deposit(stack, phone_a) == "£150"
    assert all(start.astimezone(LONDON).weekday() != 6 for start in starts_a)  # closed Sundays

    DOCS.mkdir(exist_ok=True)
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2)
    page = await context.new_page()
    errors = watch_errors(page)
    await sign_in(page, studio.base_url, "artist", ARTIST_PASSWORD)
    await page.get_by_role("link", name="Settings").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Your prices and hours")

    # A mistake is shown beside its field and nothing is saved.
    await save_settings(page, studio.base_url, {"hours_mon": "18:00-10:00", "hold_minutes": "5"})
    await expect(page.get_by_test_id("errors")).to_be_visible()
    await expect(page.locator("#error-hours_mon")).to_contain_text("Monday: each range must end")
    await expect(page.locator("#error-hold_minutes")).to_contain_text("between 30 and 1380")
    await page.screenshot(path=DOCS / "studio-settings-errors-phone.png", full_page=True)
    errors.clear()  # the refusal is a 400 page, as it should be

    # Dearer small and medium pieces, and from now on the artist tattoos on Sundays only.
    closed = dict.fromkeys((f"hours_{day}" for day in WEEKDAYS), "")
    await save_settings(
        page,
        studio.base_url,
        {"deposit_SMALL": "180", "deposit_MEDIUM": "180", "hours_sun": "11:00-17:00",
         "hold_minutes": "60", **closed},
    )  # fmt: skip
    await expect(page.get_by_test_id("saved")).to_be_visible()
    await expect(page.get_by_test_id("deposit_MEDIUM")).to_have_value("180")
    await page.screenshot(path=DOCS / "studio-settings-phone.png")

    await page.get_by_test_id("versions").click()
    newest = page.get_by_test_id("versions").locator("li.card").first
    await expect(newest).to_contain_text("Deposit, small: £150 → £180")
    await expect(newest).to_contain_text("Hours, Sunday: closed → 11:00-17:00")
    await expect(newest).to_contain_text("Hours, Monday: 10:00-18:00 → closed")
    await page.screenshot(path=DOCS / "studio-versions-phone.png")
    await page.set_viewport_size(DESKTOP)
    await page.goto(f"{studio.base_url}/studio/settings")
    await page.screenshot(path=DOCS / "studio-settings-desktop.png", full_page=True)

    # Lead B, after the save: the new deposit, and times on Sundays only.
    phone_b, lead_b, starts_b = await approved_with_times(stack, sessions)
    assert quoted_deposit(stack, phone_b) == "£180"
    assert starts_b and all(s.astimezone(LONDON).weekday() == 6 for s in starts_b)
    assert all(s.astimezone(LONDON).hour >= 11 for s in starts_b)

    # Lead A, mid-booking: its weekday time is held and its deposit is the one it was quoted.
    await pick_time(stack, phone_a)
    session_a = await eventually(lambda: checkout_of(stack, lead_a), timeout=30)
    assert session_a["amount_total"] == 15_000 and session_a["currency"] == "gbp"
    await pick_time(stack, phone_b)
    session_b = await eventually(lambda: checkout_of(stack, lead_b), timeout=30)
    assert session_b["amount_total"] == 18_000

    # A pays and is booked; the confirmation links to the booking's own calendar file.
    raw, header = stack.stripe.complete(session_a["id"], STRIPE_SECRET)
    assert (await post_stripe(stack, raw, header)).status_code == 200
    await eventually(lambda: status_is(stack, sessions, phone_a, "BOOKED"), timeout=30)
    confirmation = body_of((await eventually(lambda: booked_confirmations(stack, phone_a)))[0])
    link = CALENDAR_LINK.search(confirmation)
    assert link is not None and phone_a.lstrip("+") not in link.group(1)
    async with httpx.AsyncClient() as http:
        event_file = await http.get(link.group(1))
    assert event_file.status_code == 200
    events = Calendar.from_ical(event_file.content).walk("VEVENT")
    assert [e.decoded("dtstart") for e in events] == [starts_a[0].astimezone(LONDON)]

    # The calendar shows A's booking (with its lead) and B's hold (with its time left).
    await calendar_page(page, studio, starts_a[0], lead_a)
    await page.goto(f"{studio.base_url}/studio/calendar?week={starts_b[0].date().isoformat()}")
    held = page.locator(f'[data-testid="held"]:has(a[href="/studio/leads/{lead_b}"])')
    await expect(held.get_by_test_id("left")).to_contain_text("min left")
    assert errors == []
    await context.close()


async def calendar_page(page: Page, studio: Studio, booked_at: datetime, lead_id: str) -> None:
    """The week of the booking, at desktop and phone sizes; a busy block added and removed."""
    week = booked_at.astimezone(LONDON).date()
    await page.set_viewport_size(DESKTOP)
    await page.goto(f"{studio.base_url}/studio/calendar?week={week.isoformat()}")
    booking = page.locator(f'[data-testid="booking-lead"][href="/studio/leads/{lead_id}"]')
    await expect(booking).to_have_text(lead_id[:8])
    day = page.locator(f'[data-testid="day"][data-day="{week.isoformat()}"]')
    await expect(day.get_by_test_id("hours")).to_have_text("closed")  # the new settings' week
    # The stack's calendar is Google's (faked): read fine for the leads just offered times.
    await expect(page.get_by_test_id("google-status")).to_contain_text("read fine")

    form = page.get_by_test_id("add-busy")
    await form.get_by_label("Day").fill(week.isoformat())
    await form.get_by_label("From").fill("20:00")
    await form.get_by_label("To").fill("21:30")
    await form.get_by_label("Note").fill("Framing shop")
    await form.get_by_role("button", name="Add busy block").click()
    busy = day.get_by_test_id("busy").filter(has_text="Framing shop")
    await expect(busy).to_contain_text("20:00–21:30")
    await page.screenshot(path=DOCS / "studio-calendar-desktop.png", full_page=True)
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=DOCS / "studio-calendar-phone.png", full_page=True)
    await busy.get_by_role("button", name="Remove busy block 20:00").click()
    await expect(day.get_by_test_id("busy").filter(has_text="Framing shop")).to_have_count(0)


async def test_tour_stops_are_added_edited_and_an_overlap_refused_by_name(
    browser: Browser, studio: Studio, settings_restored: SettingsStore
) -> None:
    context = await browser.new_context(viewport=PHONE, device_scale_factor=2)
    page = await context.new_page()
    await sign_in(page, studio.base_url, "artist", ARTIST_PASSWORD)
    year = datetime.now(UTC).year + 2

    async def add(city: str, start: str, end: str) -> None:
        form = page.get_by_test_id("add-stop")
        await form.get_by_label("City").fill(city)
        await form.get_by_label("Country").fill("Germany")
        await form.get_by_label("First day").fill(f"{year}-{start}")
        await form.get_by_label("Last day").fill(f"{year}-{end}")
        await form.get_by_role("button", name="Add stop").click()

    await page.get_by_role("link", name="Tours").click()
    await add("Berlin", "06-03", "06-07")
    await expect(page.get_by_test_id("saved")).to_be_visible()
    await add("Munich", "06-06", "06-09")
    await expect(page.get_by_test_id("tour-error")).to_contain_text(
        f"Berlin (3–7 June {year}) overlaps Munich (6–9 June {year})"
    )
    # Moved to after Berlin, it is fine.
    await page.get_by_test_id("add-stop").get_by_label("First day").fill(f"{year}-06-08")
    await page.get_by_role("button", name="Add stop").click()
    await expect(page.get_by_test_id("stop")).to_have_count(2)
    # A new stop offers its waitlisted clients a campaign, ready to compose.
    await expect(page.get_by_test_id("tour-suggestion")).to_contain_text("Munich")
    compose = page.get_by_test_id("tour-suggestion").get_by_role("link")
    assert "/studio/campaigns/new?segment=" in (await compose.get_attribute("href") or "")

    # Berlin's last day edited; then the calendar shows the tour day.
    berlin = page.get_by_test_id("stop").filter(has_text="Berlin")
    await berlin.get_by_label("Last day").fill(f"{year}-06-05")
    await berlin.get_by_role("button", name="Save stop").click()
    await expect(page.get_by_test_id("stop").first).to_contain_text(f"3–5 June {year}")
    await page.screenshot(path=DOCS / "studio-tours-phone.png", full_page=True)
    await page.goto(f"{studio.base_url}/studio/calendar?week={year}-06-04")
    await expect(page.get_by_test_id("tour-day").first).to_have_text("On tour: Berlin")

    await page.goto(f"{studio.base_url}/studio/tours")
    munich = page.get_by_test_id("stop").filter(has_text="Munich")
    await munich.get_by_role("button", name="Remove").click()
    await expect(page.get_by_test_id("stop")).to_have_count(1)
    await context.close()
