"""Campaigns end to end: consent given and withdrawn through the real webhook, a campaign
launched as the studio launches it, run by the stack's worker against the fake Graph API, and
tracked from status webhooks and replies."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from api import campaigns as service
from api.deps import EdgeState
from campaigns import SegmentFilter
from consultation.lead import TourStop
from models import CampaignRecipient, ConsentEvent, Contact, LeadRecord
from tests.conftest import eventually
from tests.fakes.graph_api import button_reply, inbound_delivery, status_update
from tests.whatsapp_client import new_phone, post, say
from workflows.campaign import CampaignWorkflow

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def key_of(sessions, phone: str) -> str:
    async def found() -> str | None:
        async with sessions() as session:
            return await session.scalar(select(Contact.key).where(Contact.wa_id == phone))

    return await eventually(found)


async def waitlist(sessions, phone: str, city: str) -> str:
    """The client's earlier enquiry, waitlisted for a tour stop in `city`."""
    key = await key_of(sessions, phone)
    async with sessions.begin() as session:
        session.add(
            LeadRecord(
                lead_id=f"wl{uuid.uuid4().hex[:14]}",
                contact_key=key,
                workflow_id=f"lead-{key}",
                run_id=uuid.uuid4().hex,
                status="WAITLISTED",
                answers={},
                parsed={"travel_city": city},
                version=1,
            )
        )
    return key


def templates_to(graph, phone: str, city: str) -> list[dict]:
    return [
        body
        for body in graph.sent
        if body.get("to") == phone
        and body.get("type") == "template"
        and city in str(body["template"].get("components"))
    ]


async def test_a_campaign_reaches_only_consenting_contacts_and_is_tracked(stack, sessions):
    graph = stack.graph
    city = f"Tour{uuid.uuid4().hex[:6]}"
    joined, tapped, silent = new_phone(), new_phone(), new_phone()
    await say(stack, joined, "JOIN")  # consent by keyword
    await say(stack, silent, "Hi")  # never asked to hear from us
    tap = button_reply(tapped, "marketing_yes", "Yes, send me news")
    assert (await post(stack, inbound_delivery([tap]))).status_code == 200
    keys = {phone: await waitlist(sessions, phone, city) for phone in (joined, tapped, silent)}

    async with sessions() as session:
        evidence = {
            event.contact_key: event
            for event in await session.scalars(
                select(ConsentEvent).where(ConsentEvent.contact_key.in_(keys.values()))
            )
        }
    assert evidence[keys[joined]].how == "word:JOIN" and evidence[keys[joined]].wording == "JOIN"
    assert evidence[keys[tapped]].how == "button:marketing_yes"
    assert "news from Sam on WhatsApp" in evidence[keys[tapped]].wording  # the exact question
    assert keys[silent] not in evidence

    state = EdgeState(stack.settings, sessions.kw["bind"], sessions)
    segment = SegmentFilter(statuses=("WAITLISTED",), tour_city=city)
    campaign_id = await service.launch(
        state, name="Tour", template="tour_announcement", params=["{name}", city, "May"],
        segment=segment,
    )  # fmt: skip
    handle = stack.client.get_workflow_handle_for(
        CampaignWorkflow.run, service.workflow_id(campaign_id)
    )
    done = await handle.result()
    assert (done.total, done.sent) == (2, 2)
    assert len(templates_to(graph, joined, city)) == 1
    assert len(templates_to(graph, tapped, city)) == 1
    assert templates_to(graph, silent, city) == []  # no consent, no marketing message

    # Meta reports the message read; the client replies, then stops promotions.
    [message] = templates_to(graph, joined, city)
    wamid = graph.wamid_of(message["biz_opaque_callback_data"])
    assert wamid is not None
    read = status_update(wamid, "read", recipient_id=joined)
    assert (await post(stack, inbound_delivery([], statuses=[read]))).status_code == 200
    await say(stack, joined, "Yes! Put me down for the Saturday")
    await say(stack, joined, "STOP")

    results = await eventually(lambda: _replied(state, campaign_id))
    assert (results.audience, results.sent, results.read, results.replied) == (2, 2, 1, 1)
    assert results.opted_out == 1 and results.failed == 0
    csv = await service.results_csv(state, campaign_id)
    assert csv.splitlines()[0].startswith("name,state,reason,sent_at,delivery")
    assert csv.count(",sent,") == 2 and ",read," in csv

    # The next campaign to the same segment: only the client who still consents.
    again = await service.launch(
        state, name="Again", template="flash_day", params=["{name}", city, "flash"],
        segment=segment,
    )  # fmt: skip
    second = await stack.client.get_workflow_handle_for(
        CampaignWorkflow.run, service.workflow_id(again)
    ).result()
    assert (second.total, second.sent) == (1, 1)
    async with sessions() as session:
        recipients = list(
            await session.scalars(
                select(CampaignRecipient.contact_key).where(CampaignRecipient.campaign_id == again)
            )
        )
    assert recipients == [keys[tapped]]


async def _replied(state: EdgeState, campaign_id: str):
    results = await service.results(state, campaign_id)
    return results if results.replied and results.opted_out else None


async def test_a_new_tour_stop_offers_its_waitlist_as_a_segment(stack, sessions):
    city = f"Stop{uuid.uuid4().hex[:6]}"
    phone = new_phone()
    await say(stack, phone, "START")  # consents
    await waitlist(sessions, phone, city)
    state = EdgeState(stack.settings, sessions.kw["bind"], sessions)

    segment_id, count = await service.suggest_for_tour_stop(
        state, TourStop(city, "Portugal", "2031-05-01", "2031-05-03")
    )

    assert count == 1
    response = await stack.http.get(f"/studio/campaigns/new?segment={segment_id}")
    assert response.status_code in (303, 307)  # the compose page is behind sign-in
