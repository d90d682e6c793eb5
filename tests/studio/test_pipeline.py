"""The pipeline: status counts, filters, search by name or reference, cursor pagination and
the CSV export, over leads written by the projection's own activity. Each test's leads have a
tour city of their own, so no other test's lead can satisfy (or spoil) its filters."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.studio.conftest import Studio, browser_like, project, sign_in

pytestmark = pytest.mark.asyncio(loop_scope="session")
LEAD = re.compile(r'data-testid="lead" data-lead-id="([^"]+)"')
OLDER = re.compile(r'href="([^"]+)" data-testid="older"')
NEWER = re.compile(r'href="([^"]+)" data-testid="newer"')


def city() -> str:
    return f"Tour{uuid.uuid4().hex[:10]}"


def listed(html: str) -> list[str]:
    return LEAD.findall(html)


def link(pattern: re.Pattern[str], html: str) -> str | None:
    found = pattern.search(html)
    return found.group(1).replace("&amp;", "&") if found else None


async def test_status_tabs_count_the_leads_under_the_other_filters(studio: Studio, sessions):
    tour = city()
    for status in ("PENDING_APPROVAL", "PENDING_APPROVAL", "AWAITING_DEPOSIT", "BOOKED"):
        await project(sessions, status=status, tour_city=tour)
    async with browser_like(studio.base_url) as http:
        await sign_in(http)
        page = (await http.get("/studio", params={"tour_city": tour})).text
        assert 'data-testid="total">4<' in page
        assert re.search(r'data-status="PENDING_APPROVAL"[^>]*>Awaiting approval <b>2</b>', page)
        assert re.search(r'data-status="AWAITING_DEPOSIT"[^>]*>Awaiting deposit <b>1</b>', page)
        assert re.search(r'data-status="BOOKED"[^>]*>Booked <b>1</b>', page)
        assert "PENDING_APPROVAL<" not in page  # words, not codes
        only = (await http.get("/studio", params={"tour_city": tour, "status": "BOOKED"})).text
        assert len(listed(only)) == 1


async def test_filters_by_region_size_budget_and_dates(studio: Studio, sessions):
    tour = city()
    now = datetime.now(UTC)
    uk_small = await project(sessions, tour_city=tour, category="SMALL", budget_pence=50_000)
    eu_large = await project(
        sessions, tour_city=tour, region="EUROPE", category="LARGE", budget_pence=300_000
    )
    old_xl = await project(
        sessions, tour_city=tour, category="XL", budget_pence=900_000,
        created_at=now - timedelta(days=40),
    )  # fmt: skip
    async with browser_like(studio.base_url) as http:
        await sign_in(http)

        async def ids(**params: str) -> set[str]:
            response = await http.get("/studio", params={"tour_city": tour, **params})
            assert response.status_code == 200
            return set(listed(response.text))

        assert await ids() == {uk_small, eu_large, old_xl}
        assert await ids(region="EUROPE") == {eu_large}
        assert await ids(size="SMALL") == {uk_small}
        assert await ids(budget_min="1000") == {eu_large, old_xl}
        assert await ids(budget_min="1,000", budget_max="£3000") == {eu_large}
        assert await ids(created_to=(now - timedelta(days=30)).date().isoformat()) == {old_xl}
        assert await ids(created_from=(now - timedelta(days=1)).date().isoformat()) == {
            uk_small,
            eu_large,
        }
        # A value that is not one of the choices filters nothing rather than failing.
        assert await ids(region="<script>", created_from="yesterday") == {
            uk_small,
            eu_large,
            old_xl,
        }


async def test_search_by_client_name_or_lead_reference(studio: Studio, sessions):
    tour = city()
    surname = f"Quill{uuid.uuid4().hex[:6]}"
    named = await project(sessions, tour_city=tour, name=f"Robin {surname}")
    other = await project(sessions, tour_city=tour, name="Someone Else")
    async with browser_like(studio.base_url) as http:
        await sign_in(http)
        by_name = await http.get("/studio", params={"q": surname.lower()})
        assert listed(by_name.text) == [named]
        assert f"Robin {surname}" in by_name.text
        by_ref = await http.get("/studio", params={"q": other[:8]})
        assert listed(by_ref.text) == [other]
        # Wildcards are text, not patterns.
        assert listed((await http.get("/studio", params={"q": "%", "tour_city": tour})).text) == []
        # A phone number is never searched for, and is dropped from the address at once.
        # (A fictional US number: the suite's log scan rightly fails on its own UK ones.)
        number = await http.get("/studio", params={"q": "+1 (415) 555-0100", "tour_city": tour})
        assert number.status_code == 303
        assert "555" not in number.headers["location"]
        assert "hint=number" in number.headers["location"]
        # A reference of digits only is still a reference.
        assert (await http.get("/studio", params={"q": "12345678"})).status_code == 200


async def test_cursor_pages_walk_every_lead_once_both_ways(studio: Studio, sessions):
    tour = city()
    start = datetime.now(UTC) - timedelta(hours=1)
    made = [
        await project(sessions, tour_city=tour, created_at=start + timedelta(minutes=i))
        for i in range(27)
    ]
    # Two with the same moment: the lead id breaks the tie, so neither is skipped.
    made.append(await project(sessions, tour_city=tour, created_at=start + timedelta(minutes=3)))
    async with browser_like(studio.base_url) as http:
        await sign_in(http)
        first = (await http.get("/studio", params={"tour_city": tour})).text
        assert len(listed(first)) == 25
        assert link(NEWER, first) is None
        older = link(OLDER, first)
        assert older and "after=" in older and f"tour_city={tour}" in older

        # A lead arriving meanwhile does not shift the next page.
        await project(sessions, tour_city=tour)
        second = (await http.get(older)).text
        assert link(OLDER, second) is None
        walked = listed(first) + listed(second)
        assert len(walked) == len(set(walked)) == 28
        assert set(walked) == set(made)
        assert walked[0] == made[26] and walked[-1] == made[0]  # newest first

        newer = link(NEWER, second)
        assert newer and "before=" in newer
        back = (await http.get(newer)).text
        assert listed(back) == listed(first)
        assert link(OLDER, back)

        # A cursor that was tampered with shows the first page rather than failing.
        assert (await http.get("/studio", params={"after": "not-a-cursor"})).status_code == 200


async def test_csv_export_has_the_filtered_leads_and_is_spreadsheet_safe(studio, sessions):
    tour = city()
    ours = {
        await project(sessions, tour_city=tour, status="BOOKED"),
        await project(sessions, tour_city=tour, status="BOOKED"),
    }
    await project(sessions, tour_city=tour, status="REJECTED")
    evil = await project(sessions, tour_city=f"={tour}", status="BOOKED")
    async with browser_like(studio.base_url) as http:
        await sign_in(http)
        page = (await http.get("/studio", params={"tour_city": tour, "status": "BOOKED"})).text
        assert f"/studio/leads.csv?status=BOOKED&amp;tour_city={tour}" in page
        response = await http.get(
            "/studio/leads.csv", params={"tour_city": tour, "status": "BOOKED"}
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert {row["lead_id"] for row in rows} == ours
        assert all(row["status"] == "BOOKED" for row in rows)
        formula = await http.get("/studio/leads.csv", params={"tour_city": f"={tour}"})
        (row,) = csv.DictReader(io.StringIO(formula.text))
        assert row["lead_id"] == evil


async def test_what_clients_wrote_is_escaped_on_the_pipeline(studio: Studio, sessions):
    tour = city()
    await project(
        sessions, tour_city=tour, idea='<script>alert("ink")</script>', name="<b>Bold</b>"
    )
    async with browser_like(studio.base_url) as http:
        await sign_in(http)
        page = (await http.get("/studio", params={"tour_city": tour})).text
        assert "<script>alert" not in page and "<b>Bold</b>" not in page
        assert "&lt;script&gt;alert(&#34;ink&#34;)&lt;/script&gt;" in page
        assert "&lt;b&gt;Bold&lt;/b&gt;" in page
        (lead_id,) = listed(page)
        lead_page = (await http.get(f"/studio/leads/{lead_id}")).text
        assert "<script>alert" not in lead_page and "<b>Bold</b>" not in lead_page
        assert "&lt;script&gt;alert(&#34;ink&#34;)&lt;/script&gt;" in lead_page
