"""ArtistAlertWorkflow: one durable message to the artist about something outside any running
lead (e.g. a payment for an enquiry that has ended). Its id is derived from the cause, so a
redelivered cause alerts once."""

from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from consultation.core import outbound
    from workflows.contracts import SendRequest, SendResult
    from workflows.lead import SEND_RETRY


@dataclass
class ArtistAlert:
    lead_id: str
    text: str
    key: str


@workflow.defn
class ArtistAlertWorkflow:
    @workflow.run
    async def run(self, alert: ArtistAlert) -> str:
        result = await workflow.execute_activity(
            "send_message",
            SendRequest(
                outbound_id=f"alert:{workflow.info().workflow_id}",
                contact_key="",
                lead_id=alert.lead_id,
                message=outbound.text("artist", alert.text, key=alert.key[:64]),
                window_open=True,
            ),
            result_type=SendResult,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=SEND_RETRY,
        )
        return result.status
