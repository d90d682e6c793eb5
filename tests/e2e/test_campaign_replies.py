"""What comes back from a campaign, end to end through the real webhooks: a reply tags the lead
it starts with the campaign (search attribute, state, the studio's lead page), a waitlisted
client's "yes" to a tour announcement books them in for the stop, Meta's 131050 on a status
withdraws consent, and the deposits Stripe took are the campaign's revenue."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from temporalio.common import TypedSearchAttributes

from api import campaigns as service
from api.contacts import contact_key
from api.deps import EdgeState
from campaigns import SegmentFilter
from consultation.lead import TourStop
from models import (
    CampaignRecipient,
    ConsentEvent,
    Contact,
    LeadRecord,
    MarketingConsent,
    Segment,
)
from stores.consent import record_consent
from stores.studio.lead_page import lead_view
from tests.conftest import STRIPE_SECRET, Stack, eventually
from tests.core.leads import pending_approval
from tests.fakes.graph_api import inbound_delivery, status_update
from tests.fakes.stripe_api import signed_event
from tests.whatsapp_client import body_of, lead_of, new_phone, post, say, sent_to
from workflows.campaign import CampaignWorkflow
from workflows.lead import LeadWorkflow
from workflows.visibility import LEAD_CAMPAIGN, LEAD_STATUS

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def consenting_contact(stack: Stack, sessions, phone: str) -> str:
    """A contact who said yes to news at an earlier enquiry (no lead of theirs is running)."""
    key = contact_key(stack.settings.CONTACT_KEY_SECRET, f"wa:{phone}")
    async with sessions.begin() as session:
        session.add(Contact(key=key, wa_id=phone, profile_name="Robin Hale"))
        await session.flush()
        await record_consent(
            session, key, True, "button:marketing_yes", datetime.now(UTC) - timedelta(days=30),
            wording="Yes, send me news",
        )  # fmt: skip
    return key


async def waitlisted_lead(sessions, key: str, city: str) -> str:
    """The contact's earlier enquiry, confirmed and then waitlisted for `city`: its answers are
    a real consultation's (a medium piece, Leeds, £2,000 budget)."""
    done = pending_approval()
    lead_id = f"wl{uuid.uuid4().hex[:14]}"
    async with sessions.begin() as session:
        session.add(
            LeadRecord(
                lead_id=lead_id,
                contact_key=key,
                workflow_id=f"lead-{key}",
                run_id=uuid.uuid4().hex,
                status="WAITLISTED",
                step=done.step,
                answers=done.answers,
                parsed={**done.parsed, "travel_city": city, "requested_city": city},
                version=1,
                created_at=datetime.now(UTC) - timedelta(days=60),
            )
        )
    return lead_id


async def send_campaign(stack: Stack, sessions, city: str, **options) -> tuple[EdgeState, str]:
    state = EdgeState(stack.settings, sessions.kw["bind"], sessions)
    campaign_id = await service.launch(
        state, name=f"{city} guest spot", template="tour_announcement",
        params=["{name}", city, "3–5 June"],
        segment=SegmentFilter(statuses=("WAITLISTED",), tour_city=city), **options,
    )  # fmt: skip
    done = await stack.client.get_workflow_handle_for(
        CampaignWorkflow.run, service.workflow_id(campaign_id)
    ).result()
    assert done.sent == 1
    return state, campaign_id


def announcement_to(stack: Stack, phone: str) -> dict:
    [message] = [m for m in sent_to(stack, phone) if m.get("type") == "template"]
    return message


async def test_a_yes_to_a_tour_announcement_brings_the_waitlisted_client_to_that_stop(
    stack, sessions
):
    city = f"Tour{uuid.uuid4().hex[:6]}"
    phone = new_phone()
    key = await consenting_contact(stack, sessions, phone)
    waitlisted = await waitlisted_lead(sessions, key, city)
    stop = TourStop(city, "Germany", "2031-06-03", "2031-06-05")
    # The tours page saves the stop's waitlist as a segment with the stop; compose carries it.
    segment_id, people = await service.suggest_for_tour_stop(
        EdgeState(stack.settings, sessions.kw["bind"], sessions), stop
    )
    async with sessions() as session:
        segment = await session.get(Segment, segment_id)
    assert people == 1 and segment is not None and segment.tour_stop == asdict(stop)
    state, campaign_id = await send_campaign(stack, sessions, city, tour_stop=segment.tour_stop)

    await say(stack, phone, "Yes please!")

    # A new enquiry, tagged with the campaign, through the tour offer it once declined.
    lead = await eventually(
        lambda: _lead_in(stack, sessions, phone, "PENDING_APPROVAL", not_id=waitlisted)
    )
    accepted = await eventually(
        lambda: [m for m in sent_to(stack, phone) if f"{city} it is!" in body_of(m)]
    )
    assert len(accepted) == 1
    assert lead.parsed["tour_city"] == city and lead.answers["idea"]  # the earlier answers
    # The read model is written within the workflow task; its upserts land as it completes.
    attributes = await eventually(lambda: _shown(stack, lead, "PENDING_APPROVAL"))
    assert attributes.get(LEAD_CAMPAIGN) == campaign_id
    run = stack.client.get_workflow_handle(lead.workflow_id, run_id=lead.run_id)
    assert (await run.query(LeadWorkflow.state)).campaign_id == campaign_id
    # The studio's lead page says where the enquiry came from.
    view = await eventually(lambda: _tagged_view(sessions, lead.lead_id))
    assert view.campaign == (campaign_id, f"{city} guest spot")
    results = await service.results(state, campaign_id)
    assert (results.replied, results.enquiries) == (1, 1)


async def test_a_no_to_a_tour_announcement_keeps_the_client_waitlisted(stack, sessions):
    city = f"Tour{uuid.uuid4().hex[:6]}"
    phone = new_phone()
    key = await consenting_contact(stack, sessions, phone)
    waitlisted = await waitlisted_lead(sessions, key, city)
    stop = TourStop(city, "Germany", "2031-07-01", "2031-07-01")
    await send_campaign(stack, sessions, city, tour_stop=asdict(stop))

    await say(stack, phone, "No thanks")

    lead = await eventually(
        lambda: _lead_in(stack, sessions, phone, "WAITLISTED", not_id=waitlisted)
    )
    await eventually(lambda: [m for m in sent_to(stack, phone) if "waitlist" in body_of(m)])
    assert not any("it is!" in body_of(m) for m in sent_to(stack, phone))
    assert lead.lead_id != waitlisted


async def test_a_reply_to_a_campaign_without_a_stop_starts_a_tagged_consultation(stack, sessions):
    city = f"Flash{uuid.uuid4().hex[:6]}"
    phone = new_phone()
    key = await consenting_contact(stack, sessions, phone)
    await waitlisted_lead(sessions, key, city)
    _, campaign_id = await send_campaign(stack, sessions, city)  # no tour stop

    await say(stack, phone, "Hi! Is there space on the flash day?")

    lead = await eventually(lambda: _lead_in(stack, sessions, phone, "QUALIFYING"))
    attributes = await eventually(lambda: _shown(stack, lead, "QUALIFYING"))
    assert attributes.get(LEAD_CAMPAIGN) == campaign_id


async def test_meta_131050_on_a_status_withdraws_consent_and_counts_an_opt_out(stack, sessions):
    city = f"Stop{uuid.uuid4().hex[:6]}"
    phone = new_phone()
    key = await consenting_contact(stack, sessions, phone)
    await waitlisted_lead(sessions, key, city)
    state, campaign_id = await send_campaign(stack, sessions, city)
    message = announcement_to(stack, phone)
    wamid = stack.graph.wamid_of(message["biz_opaque_callback_data"])
    assert wamid is not None

    # Meta accepted the send, then reports it failed: the user stopped marketing messages.
    failed = status_update(wamid, "failed", recipient_id=phone, error_codes=(131050,))
    for _ in range(2):  # a redelivered status records nothing twice
        assert (await post(stack, inbound_delivery([], statuses=[failed]))).status_code == 200

    async with sessions() as session:
        consent = await session.get(MarketingConsent, key)
        evidence = list(
            await session.scalars(
                select(ConsentEvent).where(
                    ConsentEvent.contact_key == key, ConsentEvent.how == "meta:131050"
                )
            )
        )
        recipient = await session.scalar(
            select(CampaignRecipient).where(
                CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.contact_key == key
            )
        )
    assert consent is not None and consent.granted is False and consent.how == "meta:131050"
    assert len(evidence) == 1 and not evidence[0].granted
    assert wamid in evidence[0].wording and "stopped marketing messages" in evidence[0].wording
    assert recipient is not None and recipient.opted_out_at is not None
    assert recipient.reason == "consent_withdrawn"
    results = await service.results(state, campaign_id)
    assert results.opted_out == 1
    assert ",consent_withdrawn," in await service.results_csv(state, campaign_id)
    # The next campaign to the same segment leaves them out.
    again = await service.launch(
        state, name="Again", template="flash_day", params=["{name}", city, "flash"],
        segment=SegmentFilter(statuses=("WAITLISTED",), tour_city=city),
    )  # fmt: skip
    second = await stack.client.get_workflow_handle_for(
        CampaignWorkflow.run, service.workflow_id(again)
    ).result()
    assert second.total == 0


async def test_revenue_is_what_stripe_took_not_the_estimate(stack, sessions):
    city = f"Pay{uuid.uuid4().hex[:6]}"
    phone = new_phone()
    key = await consenting_contact(stack, sessions, phone)
    await waitlisted_lead(sessions, key, city)
    state, campaign_id = await send_campaign(stack, sessions, city)
    # The client's enquiry after the campaign, estimated at a £150 deposit ...
    lead_id = f"pd{uuid.uuid4().hex[:14]}"
    async with sessions.begin() as session:
        session.add(
            LeadRecord(
                lead_id=lead_id, contact_key=key, workflow_id=f"lead-{key}",
                run_id=uuid.uuid4().hex, status="DEPOSIT_PAID", answers={}, parsed={},
                estimate={"deposit_pence": 15_000, "currency": "GBP"}, version=3,
            )
        )  # fmt: skip
    # ... and Stripe took £123.45 for it (the event sent twice, as Stripe may).
    session_id = f"cs_test_{uuid.uuid4().hex[:20]}"
    checkout = {
        "id": session_id, "object": "checkout.session", "payment_status": "paid",
        "status": "complete", "amount_total": 12_345, "currency": "gbp",
        "client_reference_id": lead_id, "metadata": {"lead_id": lead_id},
        "payment_intent": f"pi_test_{uuid.uuid4().hex[:20]}",
    }  # fmt: skip
    for _ in range(2):
        raw, header = signed_event("checkout.session.completed", checkout, STRIPE_SECRET)
        response = await stack.http.post(
            "/webhooks/stripe",
            content=raw,
            headers={"Stripe-Signature": header, "Content-Type": "application/json"},
        )
        assert response.status_code == 200

    results = await service.results(state, campaign_id)

    assert results.deposits == 1 and results.revenue == {"GBP": 12_345}
    csv = await service.results_csv(state, campaign_id)
    header_line, row = csv.splitlines()
    assert header_line.endswith(",deposit_paid")
    assert row.endswith(",£123.45") and "£150" not in csv


async def _lead_in(
    stack: Stack, sessions, phone: str, status: str, not_id: str = ""
) -> LeadRecord | None:
    lead = await lead_of(stack, sessions, phone)
    if lead is None or lead.lead_id == not_id or lead.status != status:
        return None
    return lead


async def _shown(stack: Stack, lead: LeadRecord, status: str) -> TypedSearchAttributes | None:
    """The lead run's search attributes once they show `status`."""
    handle = stack.client.get_workflow_handle(lead.workflow_id, run_id=lead.run_id)
    attributes = (await handle.describe()).typed_search_attributes
    return attributes if attributes.get(LEAD_STATUS) == status else None


async def _tagged_view(sessions, lead_id: str):
    async with sessions() as session:
        view = await lead_view(session, lead_id)
    return view if view is not None and view.campaign else None
