"""The artist's own WhatsApp messages to the business number: a reply for a client (a swipe-reply
to our message about their lead, or `#<ref> text`) is queued with that client's messages for the
relay, so the lead's workflow reads both in order and sends the reply once; a tap on "Hand back
to bot" runs the hand-back; anything else gets a short help text. Each message is handled once,
by its id."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Literal

from temporalio.service import RPCError

from api.contacts import artist_seen, contact_key
from api.deps import EdgeState
from api.events import record_event
from api.lead_actions import is_running, run_action
from consultation.copy import render
from consultation.messages import Inbound
from consultation.takeover import HAND_BACK_BUTTON
from stores import takeover
from stores.takeover import LeadTarget
from workflows.alerts import ArtistAlert, ArtistAlertWorkflow
from workflows.contracts import ActionRequest

log = logging.getLogger(__name__)

Routed = Literal["received", "duplicates", "ignored"]

# "#3f2a1b9c thanks!" (the ref as the artist's messages show it: "Lead 3f2a1b9c"), "#Lead 3f2a…".
REF = re.compile(r"^\s*#\s*(?:lead\s*)?([0-9a-f]{6,64})\b[\s:,.-]*(.*)$", re.I | re.S)


async def from_artist(state: EdgeState, message: Inbound, wa_id: str) -> Routed:
    settings = state.settings
    async with state.sessions.begin() as session:
        await artist_seen(session, settings.CONTACT_KEY_SECRET, wa_id)  # their window re-opens
        if await takeover.seen(session, message.message_id):
            return "duplicates"
    await record_event(state, "INFO", "artist.message_received", kind=message.kind)
    if message.kind == "choice" and (message.choice_id or "").startswith(HAND_BACK_BUTTON):
        await _hand_back(state, message, (message.choice_id or "")[len(HAND_BACK_BUTTON) :])
        return await _handled(state, message, wa_id)
    target, text = await _target(state, message)
    if target is None or not _passable(message, text):
        await _tell_artist(state, message, render("takeover.help"))
        return await _handled(state, message, wa_id)
    if not await is_running(state, target.workflow_id):
        # The enquiry has ended: a reply would start a new one with nobody asking.
        ref = f"Lead {target.lead_id[:8]}"
        await _tell_artist(state, message, render("takeover.no_enquiry", lead_ref=ref))
        return await _handled(state, message, wa_id)
    reply = replace(message, text=text, from_artist=True)
    async with state.sessions.begin() as session:
        new = await takeover.queue(
            session, target.contact_key, reply, settings.TEMPORAL_TASK_QUEUE, handled=False
        )
    if not new:
        return "duplicates"
    state.stored.set()  # the relay hands it to the lead
    await record_event(state, "INFO", "artist.reply_queued", kind=message.kind)
    return "received"


async def _target(state: EdgeState, message: Inbound) -> tuple[LeadTarget | None, str]:
    """The lead the message is for, and the text for the client (without the `#ref`)."""
    async with state.sessions() as session:
        if message.reply_to:
            found = await takeover.lead_for_reply(session, message.reply_to)
            if found is not None:
                return found, message.text.strip()
        match = REF.match(message.text)
        if match:
            return await takeover.lead_by_ref(session, match.group(1)), match.group(2).strip()
    return None, message.text


def _passable(message: Inbound, text: str) -> bool:
    """Text, or an image (its caption optional), can go to a client; stickers, voice notes and
    the rest cannot."""
    if message.kind == "text":
        return bool(text)
    return message.kind == "media" and message.media is not None and message.media.kind == "image"


async def _hand_back(state: EdgeState, message: Inbound, lead_id: str) -> None:
    async with state.sessions() as session:
        target = await takeover.lead_by_id(session, lead_id)
    if target is None:
        await _tell_artist(state, message, render("takeover.help"))
        return
    request = ActionRequest("hand_back", source="whatsapp")
    result = await run_action(state, target.workflow_id, request)
    # Done: the workflow itself tells the artist ("back with the bot"). Refused: say why.
    if not result.done:
        await _tell_artist(state, message, result.detail, target.lead_id)


async def _handled(state: EdgeState, message: Inbound, wa_id: str) -> Routed:
    """Keep the message's id (under the artist's key), so a redelivery is not handled again."""
    key = contact_key(state.settings.CONTACT_KEY_SECRET, f"wa:{wa_id}")
    async with state.sessions.begin() as session:
        await takeover.queue(
            session, key, message, state.settings.TEMPORAL_TASK_QUEUE, handled=True
        )
    return "ignored"


async def _tell_artist(state: EdgeState, message: Inbound, text: str, lead_id: str = "") -> None:
    """Sent durably, once per message of theirs (the workflow id is the outbound id's root)."""
    try:
        client = await state.temporal()
        await client.start_workflow(
            ArtistAlertWorkflow.run,
            ArtistAlert(lead_id=lead_id, text=text, key="takeover.help"),
            id=f"artist-answer-{message.message_id}",
            task_queue=state.settings.TEMPORAL_TASK_QUEUE,
        )
    except RPCError:
        log.exception("an answer to the artist could not be handed to Temporal")
