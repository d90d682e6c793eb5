"""DigestWorkflow: the artist's daily digest of leads waiting on them. A digest is across leads,
so it has one place: a single run with a fixed id, started idempotently by the worker, that
sleeps until the digest hour, sends one message, and continues as new for the next day."""

from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.digest import WaitingLeads, WaitingQuery
    from activities.links import IssueLinks
    from consultation.core import DIGEST, Lead, artist, digest
    from workflows.contracts import SendRequest, SendResult
    from workflows.lead import DB_RETRY, SEND_RETRY

DIGEST_ID = "artist-digest"


@dataclass
class DigestInput:
    hour_utc: int = 8  # when the digest goes out each day
    limit: int = 8  # leads listed with their links; the rest are counted


@workflow.defn
class DigestWorkflow:
    @workflow.run
    async def run(self, start: DigestInput) -> None:
        now = workflow.now()
        due = digest.next_at(now, start.hour_utc)
        await workflow.sleep(due - now)
        found = await workflow.execute_activity(
            "waiting_leads",
            WaitingQuery(sorted(DIGEST), start.limit),
            result_type=WaitingLeads,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=DB_RETRY,
        )
        lines = []
        for lead in found.leads:
            actions = artist.actions_for(Lead(lead_id=lead.lead_id, status=lead.status))
            links = await workflow.execute_activity(
                "issue_links",
                IssueLinks(lead.lead_id, lead.workflow_id, lead.status, actions),
                result_type=dict[str, str],
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=DB_RETRY,
            )
            lines.append(digest.Line(lead.lead_id, lead.status, links))
        message = digest.compose(lines, found.total)
        if message is not None:
            await workflow.execute_activity(
                "send_message",
                # One per day: a retry, or a replay of this run, never sends it twice.
                SendRequest(f"digest:{due.date().isoformat()}", "", "", message, True),
                result_type=SendResult,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=SEND_RETRY,
            )
        workflow.continue_as_new(start)
