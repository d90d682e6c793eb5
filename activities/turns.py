"""`deliver_turn`: what one turn of a lead leaves behind, in one local activity.

The lead is projected first (read model, events, lead log), so the admin view never falls behind
a WhatsApp outage; then the replies go out in order through `send_message`. Both halves are
idempotent (the projection by the lead's version, each send by its outbound id), so a retry after
a failed send writes nothing twice and sends nothing twice.
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
        await self.records.save_lead(delivery.snapshot)
        return [await self.messaging.send_message(send) for send in delivery.sends]
