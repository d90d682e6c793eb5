"""ArtistAlertWorkflow: one durable message to the artist about something outside any running
lead (e.g. a payment for an enquiry that has ended). Its id is derived from the cause, so a
redelivered cause alerts once."""

from dataclasses import dataclass

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.contracts import SendRequest
    from activities.messaging import MessagingActivities
    from consultation.core import outbound
    from workflows import calls


@dataclass
class ArtistAlert:
    lead_id: str
    text: str
    key: str


@workflow.defn(name="ArtistAlertWorkflow")
class ArtistAlertWorkflow:
    @workflow.run
    async def run(self, alert: ArtistAlert) -> str:
        result = await workflow.execute_activity_method(
            MessagingActivities.send_message,
            SendRequest(
                outbound_id=f"alert:{workflow.info().workflow_id}",
                contact_key="",
                lead_id=alert.lead_id,
                message=outbound.text("artist", alert.text, key=alert.key[:64]),
                window_open=True,
            ),
            **calls.SEND,
        )
        return result.status
