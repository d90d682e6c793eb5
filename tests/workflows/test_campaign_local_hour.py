"""A campaign at a local hour, on the time-skipping server: each recipient's zone is read from
where they live or their number, and each zone's group goes out when 10:00 comes there, not
before, still paced and once each."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from temporalio.api.enums.v1 import EventType

from campaigns import CampaignStatus
from models import CampaignRecipient
from tests.workflows.campaign_runs import (
    add_audience,
    add_campaign,
    new_city,
    per_recipient,
    sends_for,
    start_campaign,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def batches(handle) -> list[tuple[datetime, int]]:
    """Each batch's workflow clock and the recipients sent once it finished."""
    history = await handle.fetch_history()
    clocks: dict[int, datetime] = {}
    done: list[tuple[datetime, int]] = []
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attributes = event.activity_task_scheduled_event_attributes
            if attributes.activity_type.name == "campaign_send_batch":
                now = json.loads(attributes.input.payloads[0].data)["now"]
                clocks[event.event_id] = datetime.fromisoformat(now)
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            completed = event.activity_task_completed_event_attributes
            if completed.scheduled_event_id in clocks:
                result = json.loads(completed.result.payloads[0].data)
                done.append((clocks[completed.scheduled_event_id], result["totals"].get("sent", 0)))
    return done


async def test_each_zone_is_sent_at_its_own_local_hour_and_not_before(
    campaign_env, sessions, graph
):
    city = new_city()
    london = await add_audience(sessions, city, 2)  # UK numbers
    new_york = await add_audience(sessions, city, 2, number="1212555", digits=11)
    # A UK number, but the client said they live in Sydney: where they live comes first.
    sydney = await add_audience(sessions, city, 1, home={"city": "Sydney", "country": "Australia"})
    campaign_id = await add_campaign(sessions, city, local_hour=10)
    started = await campaign_env.get_current_time()

    handle = await start_campaign(campaign_env.client, campaign_id, rate=100, zone="Europe/Berlin")
    progress = await handle.result()

    assert progress.status == CampaignStatus.COMPLETED and progress.sent == 5
    assert set(per_recipient(sends_for(graph, city)).values()) == {1}  # each once
    async with sessions() as session:
        rows = {
            r.contact_key: r
            for r in await session.scalars(
                select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign_id)
            )
        }
    expected = {
        **dict.fromkeys(london, "Europe/London"),
        **dict.fromkeys(new_york, "America/New_York"),
        **dict.fromkeys(sydney, "Australia/Sydney"),
    }
    assert {key: row.zone for key, row in rows.items()} == expected
    for row in rows.values():
        assert row.send_at is not None and row.zone is not None
        local = row.send_at.astimezone(ZoneInfo(row.zone))
        assert (local.hour, local.minute) == (10, 0)
        assert started <= row.send_at < started + timedelta(days=1)
    instants = sorted({row.send_at for row in rows.values() if row.send_at is not None})
    assert len(instants) == 3  # three zones, three groups

    # Every batch sent exactly those whose hour had come by its clock: none early, and each
    # group in the first batch after its hour (within a minute of it).
    ran = await batches(handle)
    for clock, sent in ran:
        due = sum(1 for row in rows.values() if row.send_at and row.send_at <= clock)
        assert sent == due, (clock, sent, due)
    for instant in instants:
        first = min(clock for clock, _ in ran if clock >= instant)
        assert (first - instant).total_seconds() < 60
