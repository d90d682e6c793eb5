"""What a lead's turn leaves behind: its replies numbered and given the artist's links, the lead
shown in the Temporal UI, then projected to PostgreSQL with its events and replies sent, in one
local activity."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.contracts import Delivery, LeadSnapshot, SendRequest
    from activities.links import IssueLinks, LinkActivities
    from activities.turns import TurnActivities
    from consultation.core import Event, Lead, Outbound, artist, delivery
    from workflows import calls
    from workflows.visibility import LEAD_STATUS, Value, attributes, changes, shown


async def with_links(lead: Lead, reply: Outbound) -> Outbound:
    """Messages to the artist carry the one-tap links that fit the lead's status now."""
    actions = artist.links_for(lead, reply)
    if reply.to != "artist" or not actions:
        return reply
    links = await workflow.execute_activity_method(
        LinkActivities.issue_links,
        IssueLinks(lead.lead_id, workflow.info().workflow_id, lead.status, actions),
        **calls.DB,
    )
    return artist.with_links(reply, links)


class Publisher:
    """Publishes one lead's turns; remembers the search attributes it last upserted."""

    def __init__(self, contact_key: str) -> None:
        self.contact_key = contact_key
        self.visible: dict[str, Value] = {}

    async def publish(
        self, lead: Lead, events: list[Event] | None = None, sends: list[SendRequest] | None = None
    ) -> list[delivery.Sent]:
        """Show the lead in the Temporal UI, then in one local activity project it to
        PostgreSQL with its events and send the turn's replies in order. One activity, not one
        per write: each local activity costs the worker about what a whole workflow task does
        (bench/floor.py), and it needs no round trip through the server. Returns what became
        of each reply."""
        events, sends = events or [], sends or []
        status_changed = self._show(lead)
        info = workflow.info()
        snapshot = LeadSnapshot(
            self.contact_key, info.workflow_id, info.run_id, lead, events, status_changed
        )
        try:
            results = await workflow.execute_local_activity_method(
                TurnActivities.deliver_turn,
                Delivery(snapshot, sends),
                **(calls.DELIVER if sends else calls.PROJECT),
            )
        # A local activity that spent its retries raises the activity's own failure.
        except (ActivityError, ApplicationError) as error:
            if not sends:
                raise  # our own database, retried without limit
            # WhatsApp kept failing through every retry (hours): give these replies up on the
            # record rather than fail the run; the lead was projected first and goes on.
            reason = str(error.cause or error)[:200]
            gave_up = [
                Event(
                    "whatsapp.send_gave_up", "ERROR", {"message": send.message.key, "error": reason}
                )
                for send in sends
            ]
            # The turn's own events come first again: stored already, keyed by position.
            await self.publish(lead, [*events, *gave_up])
            return [delivery.Sent(send.message.key, "GAVE_UP") for send in sends]
        for send, result in zip(sends, results, strict=True):
            if result.status in ("FAILED", "SKIPPED"):
                workflow.logger.warning("reply %s not sent: %s", send.message.key, result.status)
        return [
            delivery.Sent(send.message.key, result.status)
            for send, result in zip(sends, results, strict=True)
        ]

    def _show(self, lead: Lead) -> bool:
        """Upsert the search attributes that changed; True when the status did."""
        current = shown(self.visible, attributes(lead))
        status_changed = current.get(LEAD_STATUS.name) != self.visible.get(LEAD_STATUS.name)
        if updates := changes(self.visible, current):
            workflow.upsert_search_attributes(updates)
        self.visible = current
        return status_changed
