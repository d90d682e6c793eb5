"""CampaignWorkflow on the time-skipping server, sending through the real Cloud API client to
the fake Graph API: the audience frozen with consent, each recipient messaged once, the start
schedule, pacing, the 24 h messaging limit rolling over, error codes, pause/resume/cancel and
continue-as-new mid-campaign."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError

from campaigns import CampaignStatus
from models import CampaignRecipient, MarketingConsent, OutboundMessage
from tests.conftest import eventually
from tests.workflows.campaign_runs import (
    add_audience,
    add_campaign,
    new_city,
    per_recipient,
    sends_for,
    start_campaign,
)
from workflows.campaign import CampaignWorkflow
from workflows.campaign_contracts import Control
from workflows.visibility import CAMPAIGN_SENT, CAMPAIGN_STATUS, CAMPAIGN_TOTAL

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def batch_starts(handle) -> list:
    """When each send_batch activity was scheduled, in the server's (skipped) time."""
    history = await handle.fetch_history()
    return [
        event.event_time.ToDatetime()
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and event.activity_task_scheduled_event_attributes.activity_type.name
        == "campaign_send_batch"
    ]


async def batch_clocks(handle) -> list[datetime]:
    """The workflow's own clock at each batch (`BatchRequest.now`, read from the history)."""
    history = await handle.fetch_history()
    return [
        datetime.fromisoformat(json.loads(attributes.input.payloads[0].data)["now"])
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and (attributes := event.activity_task_scheduled_event_attributes).activity_type.name
        == "campaign_send_batch"
    ]


async def test_each_consenting_recipient_is_sent_the_template_once(campaign_env, sessions, graph):
    city = new_city()
    consenting = await add_audience(sessions, city, 5)
    await add_audience(sessions, city, 3, consent=False)
    handle = await start_campaign(campaign_env.client, await add_campaign(sessions, city), rate=100)

    progress = await handle.result()

    assert progress.status == CampaignStatus.COMPLETED
    assert (progress.total, progress.sent, progress.pending) == (5, 5, 0)
    sends = sends_for(graph, city)
    assert len(sends) == 5 and set(per_recipient(sends).values()) == {1}
    first = sends[0]["template"]
    assert first["name"] == "tour_announcement"
    assert first["components"][0]["parameters"][0]["text"].startswith("Jo")  # {name} filled
    async with sessions() as session:
        frozen = set(
            await session.scalars(
                select(CampaignRecipient.contact_key).where(
                    CampaignRecipient.contact_key.in_(consenting)
                )
            )
        )
    assert frozen == set(consenting)
    attributes = (await handle.describe()).typed_search_attributes
    assert attributes.get(CAMPAIGN_STATUS) == "COMPLETED"
    assert (attributes.get(CAMPAIGN_SENT), attributes.get(CAMPAIGN_TOTAL)) == (5, 5.0)


async def test_a_scheduled_campaign_sends_nothing_before_its_time(campaign_env, sessions, graph):
    city = new_city()
    await add_audience(sessions, city, 2)
    start_at = (await campaign_env.get_current_time()) + timedelta(hours=3)
    handle = await start_campaign(
        campaign_env.client, await add_campaign(sessions, city), rate=100, start_at=start_at
    )

    waiting = await eventually(lambda: _progress_if(handle, CampaignStatus.SCHEDULED))
    assert waiting.next_send_at == start_at and sends_for(graph, city) == []

    # Paused and resumed before its time, it still waits for its time.
    await handle.execute_update(CampaignWorkflow.pause, Control())
    await handle.execute_update(CampaignWorkflow.resume, Control())
    progress = await handle.result()
    assert progress.sent == 2
    [first] = await batch_clocks(handle)
    assert first >= start_at


async def test_batches_are_paced_under_the_rate(campaign_env, sessions, graph):
    city = new_city()
    await add_audience(sessions, city, 6)
    handle = await start_campaign(
        campaign_env.client, await add_campaign(sessions, city), rate=2, batch_seconds=1
    )

    assert (await handle.result()).sent == 6
    starts = await batch_starts(handle)
    # 2 a second: batches of 2, each at least a second after the one before.
    assert len(starts) == 3
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    # (event times are when each workflow task completed: allow for that jitter)
    assert all(gap >= timedelta(seconds=0.9) for gap in gaps), gaps
    assert len(sends_for(graph, city)) == 6


async def test_the_24_hour_messaging_limit_spreads_a_campaign_over_two_days(
    campaign_env, sessions, graph
):
    city = new_city()
    await add_audience(sessions, city, 254)
    handle = await start_campaign(
        campaign_env.client, await add_campaign(sessions, city), rate=1000, messaging_limit=250
    )

    waiting = await eventually(
        lambda: _progress_if(handle, CampaignStatus.WAITING_LIMIT), timeout=60
    )
    assert waiting.sent == 250 and waiting.pending == 4
    assert len(sends_for(graph, city)) == 250

    progress = await handle.result()
    assert progress.sent == 254
    starts = await batch_starts(handle)
    assert starts[1] - starts[0] >= timedelta(hours=24)  # the first minute left the window
    assert set(per_recipient(sends_for(graph, city)).values()) == {1}


async def test_131049_is_tried_once_more_after_24_hours(campaign_env, sessions, graph):
    city = new_city()
    keys = await add_audience(sessions, city, 3)
    graph.fail_next(131049)
    handle = await start_campaign(campaign_env.client, await add_campaign(sessions, city), rate=100)

    progress = await handle.result()

    assert progress.sent == 3 and progress.deferred == 0
    starts = await batch_starts(handle)
    # (event times are when each workflow task completed, a few ms after its clock)
    assert starts[-1] - starts[0] >= timedelta(hours=24) - timedelta(seconds=1)
    async with sessions() as session:
        first = sorted(keys)[0]
        attempts = {
            row.id.split("-")[2]: row.status
            for row in await session.scalars(
                select(OutboundMessage).where(OutboundMessage.contact_key == first)
            )
        }
    assert attempts == {"1": "FAILED", "2": "TEMPLATE"}


async def test_131050_withdraws_consent_and_130429_slows_down(campaign_env, sessions, graph):
    city = new_city()
    keys = sorted(await add_audience(sessions, city, 3))
    graph.fail_next(131050)  # the first recipient stopped marketing messages at Meta
    handle = await start_campaign(campaign_env.client, await add_campaign(sessions, city), rate=100)
    progress = await handle.result()
    assert (progress.sent, progress.failed) == (2, 1)
    async with sessions() as session:
        consent = await session.get(MarketingConsent, keys[0])
        recipient = await session.get(CampaignRecipient, (progress_campaign(handle), keys[0]))
    assert consent is not None and not consent.granted and consent.how == "meta:131050"
    assert recipient is not None and recipient.reason == "consent_withdrawn"

    other = new_city()
    await add_audience(sessions, other, 2)
    graph.fail_next(130429)  # over the number's throughput: wait, then send it after all
    slowed = await start_campaign(
        campaign_env.client, await add_campaign(sessions, other), rate=100
    )
    assert (await slowed.result()).sent == 2
    assert set(per_recipient(sends_for(graph, other)).values()) == {1}


async def test_pause_resume_and_cancel_are_updates(campaign_env, sessions, graph):
    city = new_city()
    await add_audience(sessions, city, 12)
    handle = await start_campaign(
        campaign_env.client, await add_campaign(sessions, city), rate=2, batch_seconds=1
    )
    await eventually(lambda: len(sends_for(graph, city)) >= 2)

    paused = await handle.execute_update(CampaignWorkflow.pause, Control())
    assert paused.status == CampaignStatus.PAUSED
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(CampaignWorkflow.pause, Control())  # already paused
    settled = len(sends_for(graph, city))  # the batch under way when paused finishes
    await eventually(lambda: _progress_if(handle, CampaignStatus.PAUSED))
    await campaign_env.sleep(timedelta(minutes=10))
    assert len(sends_for(graph, city)) <= settled + 2

    resumed = await handle.execute_update(CampaignWorkflow.resume, Control())
    assert resumed.status != CampaignStatus.PAUSED
    await eventually(lambda: len(sends_for(graph, city)) > settled + 2)
    await handle.execute_update(CampaignWorkflow.cancel, Control())
    progress = await handle.result()
    assert progress.status == CampaignStatus.CANCELLED
    assert progress.sent < 12 and progress.pending > 0


async def test_a_campaign_continues_as_new_mid_way_without_a_second_message(
    campaign_env, sessions, graph
):
    city = new_city()
    await add_audience(sessions, city, 7)
    handle = await start_campaign(
        campaign_env.client,
        await add_campaign(sessions, city),
        rate=100,
        batch_seconds=0.02,  # batches of 2
        batches_per_run=2,
    )

    progress = await handle.result()

    assert (progress.total, progress.sent) == (7, 7)
    assert (await handle.describe()).run_id != handle.first_execution_run_id
    assert set(per_recipient(sends_for(graph, city)).values()) == {1}
    assert len(sends_for(graph, city)) == 7


def progress_campaign(handle) -> str:
    return handle.id.removeprefix("campaign-")


async def _progress_if(handle, status: CampaignStatus):
    progress = await handle.query(CampaignWorkflow.progress)
    return progress if progress.status == status else None
