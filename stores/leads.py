"""The lead read model (`leads`), projected from each lead's workflow, with its system events."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import async_sessionmaker

from models import LeadRecord
from models.base import autocommit
from stores import inbound_queue, outbox
from stores.outbox import Attempt, LookedUp

# The turn has read what the relay handed over: stamping the contact makes room for the next
# (admission, api/relay.py). Data-modifying CTEs all run, referenced or not.
PROJECT_CTES = (
    """
    lead AS (
        INSERT INTO leads (lead_id, contact_key, workflow_id, run_id, status, step, answers,
                           parsed, estimate, handover_reason, taken_over, waiting_since, version,
                           updated_at)
        VALUES (:lead_id, :contact_key, :workflow_id, :run_id, :status, :step,
                CAST(:answers AS jsonb), CAST(:parsed AS jsonb), CAST(:estimate AS jsonb),
                :handover_reason, :taken_over, :waiting_since, :version, :updated_at)
        ON CONFLICT (lead_id) DO UPDATE SET
            workflow_id = excluded.workflow_id, run_id = excluded.run_id,
            status = excluded.status, step = excluded.step, answers = excluded.answers,
            parsed = excluded.parsed, estimate = excluded.estimate,
            handover_reason = excluded.handover_reason, taken_over = excluded.taken_over,
            waiting_since = excluded.waiting_since, version = excluded.version,
            updated_at = excluded.updated_at
        WHERE leads.version < excluded.version
    ), read AS ("""
    + inbound_queue.READ.text
    + """
    ), events AS (
        INSERT INTO system_events (level, type, lead_id, detail, source)
        SELECT level, type, lead_id, detail, source
        FROM jsonb_to_recordset(CAST(:events AS jsonb))
             AS e(level text, type text, lead_id text, detail jsonb, source text)
        ON CONFLICT DO NOTHING
    )
    """
)
PROJECT = text("WITH" + PROJECT_CTES + "SELECT 1")
# A turn's projection with its first reply's look-up and attempt (stores/outbox.py): a turn that
# answers a client takes one round trip before Graph, not two. The CTEs share one snapshot: the
# look-up sees the contact as it was before the read stamp, which changes nothing it asks.
PROJECT_AND_LOOK_UP = text("WITH" + PROJECT_CTES + "," + outbox.ATTEMPT_CTES + outbox.LOOKED_UP)
JSON_COLUMNS = ("answers", "parsed", "estimate")


class Leads:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions
        self.db = autocommit(sessions)

    async def project(
        self, values: dict[str, Any], events: list[dict[str, Any]], first: Attempt | None = None
    ) -> LookedUp | None:
        """Upsert a lead's row, stamp the contact's messages read and add the events, all in
        one statement (one round trip: every turn of every lead comes through here). Only a
        newer version wins, so a retried or late write never rolls the lead back; events are
        keyed by their `source`, so a retry adds nothing twice. With `first` (the turn's first
        reply, to this lead's client), its look-up and attempt ride along: returns the
        looked-up row, as `Outbox.look_up_and_attempt` would."""
        params = {
            **values,
            **{c: None if values[c] is None else json.dumps(values[c]) for c in JSON_COLUMNS},
            "events": json.dumps(events),
        }
        async with self.db.connect() as conn:
            if first is None:
                await conn.execute(PROJECT, params)
                return None
            if first.row["contact_key"] != values["contact_key"]:
                raise ValueError("a turn's first reply looked up with another contact's lead")
            looked_up = await conn.execute(PROJECT_AND_LOOK_UP, {**params, **first.params()})
            return looked_up.one()

    async def waiting(
        self, statuses: list[str], limit: int
    ) -> tuple[int, list[tuple[str, str, str]]]:
        """How many leads are in `statuses`, and the first `limit` of them (lead id, workflow
        id, status), quiet longest first."""
        waiting = LeadRecord.status.in_(statuses)
        async with self.sessions() as session:
            total = await session.scalar(select(func.count()).where(waiting)) or 0
            rows = await session.execute(
                select(LeadRecord.lead_id, LeadRecord.workflow_id, LeadRecord.status)
                .where(waiting)
                .order_by(LeadRecord.updated_at, LeadRecord.lead_id)
                .limit(limit)
            )
        return total, [(row.lead_id, row.workflow_id, row.status) for row in rows]
