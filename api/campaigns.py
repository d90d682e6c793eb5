"""The edge's campaign service, shared by the studio and tests: compose (a campaign row) and
launch (its workflow), ask for progress, pause/resume/cancel, results and their CSV."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from api.artist_settings import in_force
from api.deps import EdgeState
from api.lead_csv import spreadsheet_safe
from campaigns import SegmentFilter, daily_limit, plan, tour_stop_segment
from campaigns.pacing import Plan
from campaigns.zones import Group, groups, local_send_at, zone_of
from consultation.lead import TourStop
from models import Campaign
from stores.campaign_results import CampaignResults, Results, amounts, when
from stores.campaign_zones import CampaignZones
from stores.campaigns import CampaignStore
from workflows.campaign import CampaignWorkflow
from workflows.campaign_contracts import CampaignInput, Control, Progress

CONTROLS = {
    "pause": CampaignWorkflow.pause,
    "resume": CampaignWorkflow.resume,
    "cancel": CampaignWorkflow.cancel,
}


def workflow_id(campaign_id: str) -> str:
    return f"campaign-{campaign_id}"


async def launch(
    state: EdgeState,
    *,
    name: str,
    template: str,
    params: list[str],
    segment: SegmentFilter,
    segment_id: int | None = None,
    start_at: datetime | None = None,
    local_hour: int | None = None,
    tour_stop: dict[str, Any] | None = None,
) -> str:
    """Save the campaign and start its workflow; returns the campaign id. `local_hour`: each
    recipient's send waits for that hour of their own day (on or after `start_at`);
    `tour_stop`: the stop it announces (a waitlisted client's "yes" asks to be booked there)."""
    settings = state.settings
    campaign_id = uuid.uuid4().hex[:16]
    _, artist = await in_force(state)
    await CampaignStore(state.sessions).create(
        Campaign(
            id=campaign_id,
            name=name[:120] or template,
            template=template,
            language="en_GB",
            params=params,
            segment_id=segment_id,
            filters=segment.to_json(),
            scheduled_at=start_at,
            local_hour=local_hour,
            tour_stop=tour_stop,
            workflow_id=workflow_id(campaign_id),
        )
    )
    client = await state.temporal()
    await client.start_workflow(
        CampaignWorkflow.run,
        CampaignInput(
            campaign_id,
            rate=settings.CAMPAIGN_RATE_PER_SECOND,
            messaging_limit=daily_limit(settings.WHATSAPP_MESSAGING_LIMIT),
            start_at=start_at,
            zone=artist.rules.timezone,
        ),
        id=workflow_id(campaign_id),
        task_queue=settings.TEMPORAL_TASK_QUEUE,
    )
    return campaign_id


async def local_groups(
    state: EdgeState, segment: SegmentFilter, hour: int, earliest: datetime
) -> list[Group]:
    """The send groups of a campaign to `segment` at `hour` in each recipient's zone, from
    `earliest`: the plan shown before sending (the workflow freezes its own at the start)."""
    _, artist = await in_force(state)
    fallback = artist.rules.timezone
    sends = []
    for place in await CampaignZones(state.sessions).places(segment):
        zone = zone_of(place.city, place.country, place.wa_id, fallback)
        sends.append((zone, local_send_at(earliest, hour, zone)))
    return groups(sends)


async def suggest_for_tour_stop(state: EdgeState, stop: TourStop) -> tuple[int, int]:
    """A tour stop was added: save the segment of its waitlisted and interested leads, with the
    stop, ready to compose. Returns (segment id, consenting contacts in it); the compose page for
    it is `/studio/campaigns/new?segment=<id>`, and a campaign to it announces the stop."""
    segment = tour_stop_segment(stop.city)
    store = CampaignStore(state.sessions)
    segment_id = await store.save_segment(f"{stop.city} tour: waitlist", segment, asdict(stop))
    return segment_id, await store.count(segment)


async def progress(state: EdgeState, campaign_id: str) -> Progress | None:
    client = await state.temporal()
    try:
        return await client.get_workflow_handle(workflow_id(campaign_id)).query(
            CampaignWorkflow.progress
        )
    except RPCError:
        return None  # not started, or its history is gone


async def control(state: EdgeState, campaign_id: str, action: str) -> str:
    """Pause, resume or cancel; returns what happened, in words."""
    client = await state.temporal()
    handle = client.get_workflow_handle(workflow_id(campaign_id))
    try:
        await handle.execute_update(CONTROLS[action], Control())
    except WorkflowUpdateFailedError as error:
        cause = error.cause
        return str(getattr(cause, "message", None) or cause or error)  # the validator's reason
    except RPCError:
        return "This campaign has ended."
    return {"pause": "Paused.", "resume": "Resumed.", "cancel": "Cancelled."}[action]


def estimate(state: EdgeState, audience: int) -> tuple[Plan, int]:
    """The plan for `audience` recipients under the settings, and the cost in pence."""
    settings = state.settings
    limit = daily_limit(settings.WHATSAPP_MESSAGING_LIMIT)
    cost = round(audience * settings.CAMPAIGN_MESSAGE_PRICE_PENCE)
    return plan(audience, settings.CAMPAIGN_RATE_PER_SECOND, limit), cost


async def results(state: EdgeState, campaign_id: str) -> Results:
    days = timedelta(days=state.settings.CAMPAIGN_ATTRIBUTION_DAYS)
    return await CampaignResults(state.sessions).results(campaign_id, days)


CSV_COLUMNS = ["name", "state", "reason", "sent_at", "delivery", "replied_at", "opted_out_at",
               "deposit_paid"]  # fmt: skip


async def results_csv(state: EdgeState, campaign_id: str) -> str:
    """Per recipient; a profile name is the client's own text, so every cell is made inert."""
    store = CampaignResults(state.sessions)
    days = timedelta(days=state.settings.CAMPAIGN_ATTRIBUTION_DAYS)
    paid = await store.paid_by_recipient(campaign_id, days)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in await store.rows(campaign_id):
        key, name, state_, reason, sent_at, delivery, replied_at, opted_out_at = row
        cells = [name, state_, reason or "", when(sent_at), delivery or "", when(replied_at),
                 when(opted_out_at), amounts(paid.get(key, {}))]  # fmt: skip
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return out.getvalue()
