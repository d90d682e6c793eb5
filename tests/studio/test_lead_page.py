"""A real lead's page (made through the real webhook and workflow): what it shows, and the
artist's decisions taken from it as the same workflow update the one-tap links use."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from activities.contracts import LeadSnapshot
from activities.records import RecordActivities
from consultation.lead import Event, Lead
from models import Attachment, Campaign, LeadRecord, SystemEvent
from tests.conftest import Stack, eventually
from tests.e2e.test_deposit import offers, qualified_lead
from tests.studio.conftest import Studio, browser_like, csrf_of, project, sign_in
from tests.whatsapp_client import lead_of

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_lead_page_shows_the_lead_and_approving_from_it_takes_effect(
    studio: Studio, stack: Stack, sessions
) -> None:
    phone, _ = await qualified_lead(stack, sessions)
    lead = await lead_of(stack, sessions, phone)
    assert lead is not None
    async with browser_like(studio.base_url) as http:
        await sign_in(http)
        response = await http.get(f"/studio/leads/{lead.lead_id}")
        assert response.status_code == 200
        page = response.text
        assert phone not in page and phone[2:] not in page  # no phone number on the page
        assert 'data-status="PENDING_APPROVAL">Awaiting approval<' in page
        assert "A fine line swallow with a sprig of lavender" in page  # the answers
        assert "Inner forearm" in page
        assert "<dd>2k (£2,000)</dd>" in page  # the budget as typed, and as read
        assert "<dt>budget_pence</dt><dd>200000</dd>" in page  # parsed values
        assert 'data-testid="deposit">£' in page  # the estimate's deposit
        assert 'data-action="approve"' in page and 'data-action="reject"' in page
        assert 'data-action="mark_booked"' not in page  # only the decisions valid now
        assert 'data-kind="client"' in page and 'data-kind="bot"' in page  # the timeline
        assert 'data-kind="event"' in page
        assert f"/workflows/{lead.workflow_id}/{lead.run_id}/history" in page

        csrf = csrf_of(page)
        form = {"csrf": csrf, "action": "approve", "status": "PENDING_APPROVAL"}
        no_token = await http.post(
            f"/studio/leads/{lead.lead_id}/decide", data={**form, "csrf": ""}
        )
        assert no_token.status_code == 403

        approved = await http.post(f"/studio/leads/{lead.lead_id}/decide", data=form)
        assert approved.status_code == 303
        assert approved.headers["location"] == f"/studio/leads/{lead.lead_id}?done=approve"
        # It took effect: the client is offered times, and the page says where the lead is.
        await eventually(lambda: offers(stack, phone), timeout=20)
        after = (await http.get(approved.headers["location"])).text
        assert "Approve: done." in after
        assert 'data-status="AWAITING_DEPOSIT">Awaiting deposit<' in after
        assert 'data-action="approve"' not in after

        # The same form again (a second tab, a double tap): refused, and said in words.
        again = await http.post(f"/studio/leads/{lead.lead_id}/decide", data=form)
        assert again.status_code == 409
        assert "this lead has moved on. It is now Awaiting deposit." in again.text
        assert "AWAITING_DEPOSIT." not in again.text

    async with sessions() as session:
        decisions = (
            await session.scalars(
                select(SystemEvent)
                .where(SystemEvent.lead_id == lead.lead_id, SystemEvent.type == "studio.decision")
                .order_by(SystemEvent.id)  # without it PostgreSQL may return either first
            )
        ).all()
    assert [(e.detail["account"], e.detail["done"]) for e in decisions] == [
        ("artist", "True"),
        ("artist", "False"),
    ]


async def test_a_decision_the_status_never_allowed_is_refused_in_words(
    studio: Studio, stack: Stack, sessions
) -> None:
    phone, _ = await qualified_lead(stack, sessions)
    lead = await lead_of(stack, sessions, phone)
    assert lead is not None
    async with browser_like(studio.base_url) as http:
        await sign_in(http)
        csrf = csrf_of((await http.get(f"/studio/leads/{lead.lead_id}")).text)
        refused = await http.post(
            f"/studio/leads/{lead.lead_id}/decide",
            data={"csrf": csrf, "action": "mark_booked", "status": "PENDING_APPROVAL"},
        )
        assert refused.status_code == 409
        assert "Not done: This lead is not ready to be marked booked" in refused.text
        assert 'data-status="PENDING_APPROVAL"' in refused.text


async def test_an_unknown_lead_or_action_is_not_found(studio: Studio) -> None:
    async with browser_like(studio.base_url) as http:
        await sign_in(http)
        assert (await http.get("/studio/leads/no-such-lead")).status_code == 404
        csrf = csrf_of((await http.get("/studio")).text)
        unknown = await http.post(
            "/studio/leads/no-such-lead/decide", data={"csrf": csrf, "action": "approve"}
        )
        assert unknown.status_code == 404


async def test_stored_reference_images_show_on_the_lead_page(studio: Studio, sessions) -> None:
    lead_id = await project(sessions)
    key = f"{lead_id}/{uuid.uuid4().hex}.jpg"
    async with sessions.begin() as session:
        session.add(
            Attachment(lead_id=lead_id, media_id=f"media-{uuid.uuid4().hex}", status="STORED",
                       object_key=key, mime_type="image/jpeg")
        )  # fmt: skip
        session.add(
            Attachment(lead_id=lead_id, media_id=f"media-{uuid.uuid4().hex}", status="PENDING")
        )
    async with browser_like(studio.base_url) as http:
        await sign_in(http)
        page = (await http.get(f"/studio/leads/{lead_id}")).text
        assert page.count("<img ") == 1
        assert f'src="/media/{key}"' in page


async def test_a_lead_a_campaign_brought_names_the_campaign(studio: Studio, sessions) -> None:
    lead_id = await project(sessions)
    campaign_id = uuid.uuid4().hex[:16]
    async with sessions.begin() as session:
        lead = await session.get(LeadRecord, lead_id)
        assert lead is not None
        session.add(
            Campaign(id=campaign_id, name="Lisbon <guest> spot", template="tour_announcement",
                     filters={}, workflow_id=f"campaign-{campaign_id}")
        )  # fmt: skip
        contact_key = lead.contact_key
    # The workflow's event when a campaign reply tags the lead, through the projection.
    tagged = Lead(lead_id=lead_id, status="PENDING_APPROVAL", version=2, campaign_id=campaign_id)
    await RecordActivities(sessions).save_lead(
        LeadSnapshot(contact_key, f"lead-{contact_key}", f"run-{lead_id}", tagged,
                     [Event("lead.campaign_reply", detail={"campaign_id": campaign_id})])
    )  # fmt: skip
    async with browser_like(studio.base_url) as http:
        await sign_in(http)
        page = (await http.get(f"/studio/leads/{lead_id}")).text
    assert "Came from" in page
    assert f'href="/studio/campaigns/{campaign_id}">Lisbon &lt;guest&gt; spot</a>' in page
    untagged = await project(sessions)
    async with browser_like(studio.base_url) as http:
        await sign_in(http)
        assert "Came from" not in (await http.get(f"/studio/leads/{untagged}")).text
