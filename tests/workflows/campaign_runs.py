"""Campaigns on the time-skipping server: an audience of this test's own contacts (a city no
other test uses), a campaign row, a worker sending through the real Cloud API client to the
fake Graph API, and what the fake received."""

from __future__ import annotations

import itertools
import random
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiohttp
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

import worker
from activities.campaigns import CampaignActivities
from activities.whatsapp_cloud import CloudApi
from campaigns import SegmentFilter
from models import Campaign, Contact, LeadRecord
from stores.consent import record_consent
from tests.conftest import ACCESS_TOKEN
from tests.fakes.graph_api import FakeGraphApi
from workflows.campaign import CampaignWorkflow
from workflows.campaign_contracts import CampaignInput

QUEUE = "campaigns"


# The audiences' numbers never repeat in a test run (each run has its own database): random ones
# collided now and then on the contacts' unique number.
SERIAL = itertools.count(random.randrange(10**6))


def audience_number(prefix: str, digits: int) -> str:
    """The next number of `digits` digits starting `prefix`."""
    rest = digits - len(prefix)
    return prefix + str(next(SERIAL) % 10**rest).zfill(rest)


async def add_audience(
    sessions,
    city: str,
    count: int,
    *,
    consent: bool = True,
    status: str = "WAITLISTED",
    # 07 97x: mainland UK mobiles only. Under 07 9 some prefixes are Jersey's or Guernsey's, in
    # zones of their own, which made the local-hour plan's groups vary from run to run.
    number: str = "44797",
    digits: int = 12,
    home: dict[str, str] | None = None,
) -> list[str]:
    """`count` contacts whose latest lead is `status` for a tour stop in `city`, with WhatsApp
    numbers of `digits` digits starting `number` (UK mobiles by default), living where `home`
    says if given."""
    keys = []
    async with sessions.begin() as session:
        for index in range(count):
            key = uuid.uuid4().hex[:32]
            keys.append(key)
            session.add(
                Contact(
                    key=key,
                    wa_id=audience_number(number, digits),
                    profile_name=f"Jo {index}",
                )
            )
            session.add(
                LeadRecord(
                    lead_id=f"cp{uuid.uuid4().hex[:14]}",
                    contact_key=key,
                    workflow_id=f"lead-{key}",
                    run_id=uuid.uuid4().hex,
                    status=status,
                    answers={"style": "fine line"},
                    parsed={"travel_city": city, "region": "UK", **(home or {})},
                    version=1,
                )
            )
            if consent:
                await record_consent(
                    session, key, True, "button:marketing_yes", datetime.now(UTC),
                    wording="Yes, send me news",
                )  # fmt: skip
    return keys


async def add_campaign(
    sessions, city: str, template: str = "tour_announcement", local_hour: int | None = None
) -> str:
    campaign_id = uuid.uuid4().hex[:16]
    async with sessions.begin() as session:
        session.add(
            Campaign(
                id=campaign_id,
                name=f"{city} tour",
                template=template,
                language="en_GB",
                params=["{name}", city, "May"],
                filters=SegmentFilter(statuses=("WAITLISTED",), tour_city=city).to_json(),
                local_hour=local_hour,
                workflow_id=f"campaign-{campaign_id}",
            )
        )
    return campaign_id


def new_city() -> str:
    return f"City{uuid.uuid4().hex[:8]}"


def sends_for(graph: FakeGraphApi, city: str) -> list[dict[str, Any]]:
    """The template messages the fake Graph API accepted for `city`'s campaign."""
    found = []
    for body in graph.sent:
        parameters = (body.get("template") or {}).get("components", [{}])[0].get("parameters", [])
        if len(parameters) > 1 and parameters[1]["text"] == city:
            found.append(body)
    return found


def per_recipient(sends: list[dict[str, Any]]) -> Counter[str]:
    return Counter(str(body.get("to")) for body in sends)


@asynccontextmanager
async def campaign_worker(
    client: Client, sessions, graph: FakeGraphApi, queue: str = QUEUE
) -> AsyncIterator[Worker]:
    async with aiohttp.ClientSession() as http:
        api = CloudApi(
            base_url=graph.base_url, phone_number_id="PNID", access_token=ACCESS_TOKEN, client=http
        )
        activities = CampaignActivities(sessions, api)
        async with Worker(
            client,
            task_queue=queue,
            workflows=[CampaignWorkflow],
            activities=[activities.freeze_audience, activities.send_batch],
            workflow_runner=worker.WORKFLOW_RUNNER,
        ) as running:
            yield running


async def start_campaign(
    client: Client, campaign_id: str, queue: str = QUEUE, **options: Any
) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        CampaignWorkflow.run,
        CampaignInput(campaign_id, **options),
        id=f"campaign-{campaign_id}",
        task_queue=queue,
    )
