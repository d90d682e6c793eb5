"""`deliver_turn`: what one turn of a lead leaves behind, in one local activity.

The lead is projected first (read model, events, lead log), so the admin view never falls behind
a WhatsApp outage; then the replies go out in order through `send_message`. The first reply's
look-up (and its attempt) rides on the projection's statement: one round trip to PostgreSQL fewer
a turn. Both halves are idempotent (the projection by the lead's version, each send by its
outbound id), so a retry after a failed send writes nothing twice and sends nothing twice.
"""

from __future__ import annotations

from temporalio import activity

from activities.contracts import Delivery, SendResult
from activities.messaging import MessagingActivities
from activities.records import RecordActivities


class TurnActivities:
    def __init__(self, records: RecordActivities, messaging: MessagingActivities) -> None:
        self.records = records
        self.messaging = messaging

    @activity.defn(name="deliver_turn")
    async def deliver_turn(self, delivery: Delivery) -> list[SendResult]:
        snapshot, sends = delivery.snapshot, delivery.sends
        # (A turn's replies all go to its own lead's contact: the store refuses any other.)
        first = self.messaging.eager_attempt(sends[0]) if sends else None
        known = await self.records.save_lead(snapshot, first)
        results = []
        for send in sends:
            results.append(await self.messaging.send(send, known))
            known = None
        return results
