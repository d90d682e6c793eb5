"""Marketing consent, asked once with buttons at the end of a consultation and at booking,
separately from the service conversation. The answer is recorded with its evidence at the edge
(`api/whatsapp_intake.py`); the conversation only acknowledges it and carries on."""

from __future__ import annotations

from consultation import outbound
from consultation.reply import Reply

CONSENT_YES = "marketing_yes"
CONSENT_NO = "marketing_no"
# The quick-reply button every marketing template carries (its payload comes back as the id).
STOP_PROMOTIONS = "stop_promotions"
ACKNOWLEDGEMENTS = {
    CONSENT_YES: "consent.granted",
    CONSENT_NO: "consent.declined",
    STOP_PROMOTIONS: "consent.stopped",
}


def ask(reply: Reply) -> None:
    """Ask for marketing consent, once per lead."""
    asking = reply.policy.ask_marketing_consent
    if not asking or reply.lead.marketing_asked or reply.lead.opted_out:
        return
    reply.lead.marketing_asked = True
    options = [(CONSENT_YES, reply.say("consent.yes")), (CONSENT_NO, reply.say("consent.no"))]
    reply.send(outbound.buttons("client", reply.say("consent.ask"), options, "consent.ask"))


def acknowledge(reply: Reply, choice_id: str) -> None:
    """The client answered the consent question or tapped "Stop promotions": say it is noted.
    Nothing else about the lead changes."""
    key = ACKNOWLEDGEMENTS[choice_id]
    reply.send(outbound.text("client", reply.say(key), key))
    reply.event("lead.marketing_consent", choice=choice_id)
