"""DigestWorkflow: the artist's daily digest of leads waiting on them. A digest is across leads,
so it has one place: a single run with a fixed id, started idempotently by the worker, that
sleeps until the digest hour, sends one message, and continues as new for the next day."""

from dataclasses import dataclass

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.contracts import SendRequest
    from activities.digest import DigestActivities, WaitingQuery
    from activities.links import IssueLinks, LinkActivities
    from activities.messaging import MessagingActivities
    from consultation.core import DIGEST, Lead, artist, digest
    from workflows import calls

DIGEST_ID = "artist-digest"


@dataclass
class DigestInput:
    hour_utc: int = 8  # when the digest goes out each day
    limit: int = 8  # leads listed with their links; the rest are counted


@workflow.defn(name="DigestWorkflow")
class DigestWorkflow:
    @workflow.run
    async def run(self, start: DigestInput) -> None:
        now = workflow.now()
        due = digest.next_at(now, start.hour_utc)
        await workflow.sleep(due - now)
        found = await workflow.execute_activity_method(
            DigestActivities.waiting_leads,
            WaitingQuery(sorted(DIGEST), start.limit),
            **calls.DB_LONG,
        )
        lines = []
        for lead in found.leads:
            actions = artist.actions_for(Lead(lead_id=lead.lead_id, status=lead.status))
            links = await workflow.execute_activity_method(
                LinkActivities.issue_links,
                IssueLinks(lead.lead_id, lead.workflow_id, lead.status, actions),
                **calls.DB,
            )
            lines.append(digest.Line(lead.lead_id, lead.status, links))
        message = digest.compose(lines, found.total)
        if message is not None:
            await workflow.execute_activity_method(
                MessagingActivities.send_message,
                # One per day: a retry, or a replay of this run, never sends it twice.
                SendRequest(f"digest:{due.date().isoformat()}", "", "", message, True),
                **calls.SEND,
            )
        workflow.continue_as_new(start)
