"""The artist answering a client in person: what the artist writes (swipe-reply, `#ref`, the
studio) goes to the client from the business number, and while the artist handles the lead the
bot is paused for it, its timers too (`engine.next_reminder_at`), and the client's messages are
forwarded to the artist instead of answered. Handing back is `engine.hand_back`."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import replace
from datetime import datetime

from consultation import outbound, window
from consultation.lead import Lead, Policy, Turn
from consultation.messages import MAX_BODY, Inbound, Outbound
from consultation.reply import Reply
from consultation.statuses import Status
from consultation.summary import lead_ref
from consultation.templates import template
from consultation.text import cap

# The id of the reply button on the artist's messages about a taken-over lead; the tap comes
# back as an inbound button reply from the artist (`api/artist_intake.py`).
HAND_BACK_BUTTON = "hand_back:"
HAND_BACK_TITLE = "Hand back to bot"

# Which one-tap links a message to the artist carries, when not those of the lead's status
# (`artist.links_for`): comma-separated actions in `Outbound.extra`, "" for none.
LINKS = "links"


def artist_message(lead: Lead, msg: Inbound, now: datetime, policy: Policy) -> Turn:
    """The artist's message for the client: sent on, unless the client opted out or their 24 h
    window has shut (then the artist is told, and offered the template that re-opens it). Either
    way the artist now handles the lead and the bot steps aside."""
    reply = Reply(deepcopy(lead), now, policy)
    lead = reply.lead
    ref = lead_ref(lead)
    first = not lead.taken_over
    if lead.opted_out or lead.status == Status.OPTOUT:
        _tell(reply, reply.say("takeover.opted_out", lead_ref=ref), "takeover.opted_out", "")
        reply.event("artist.reply_refused", reason="opted_out")
        return reply.turn()
    if lead.status == Status.NEW:
        # No enquiry in this run (it ended): nothing to answer, nothing to take over.
        _tell(reply, reply.say("takeover.no_enquiry", lead_ref=ref), "takeover.no_enquiry", "")
        reply.event("artist.reply_refused", reason="no_enquiry")
        return reply.turn()
    lead.taken_over = True
    if first:
        reply.event("lead.taken_over", status=lead.status)
    if not window.is_open(lead.last_client_at, now):
        body = reply.say("takeover.window_closed", lead_ref=ref)
        _tell(reply, body, "takeover.window_closed", "reopen,hand_back")
        reply.event("artist.reply_refused", reason="window_closed")
        return reply.turn()
    reply.send(_to_client(msg))
    key = "takeover.sent_first" if first else "takeover.sent"
    # The first confirmation carries the hand-back link too (the button alone is lost when the
    # artist's own window has shut and a template goes instead).
    _tell(reply, reply.say(key, lead_ref=ref), key, "hand_back" if first else "")
    reply.event("artist.reply_sent", kind=msg.kind)
    return reply.turn()


def forward(reply: Reply, msg: Inbound) -> None:
    """A client message while the artist handles the lead: to the artist, with the lead's ref,
    instead of an answer from the bot (they answer it by a swipe-reply)."""
    ref = lead_ref(reply.lead)
    said = msg.text.strip()
    if msg.media is not None:
        said = reply.say("takeover.client_media", kind=msg.media.kind, caption=said).strip()
    body = reply.say("takeover.forward", lead_ref=ref, text=cap(said or "…", MAX_BODY - 200))
    _tell(reply, body, "takeover.forward", "")
    reply.event("client.message_forwarded", kind=msg.kind)


def _to_client(msg: Inbound) -> Outbound:
    if msg.media is not None and msg.media.kind == "image":
        # The artist's image, by its media id, with their caption (if any).
        text = msg.text.strip() or " "
        return replace(
            Outbound(to="client", text=text, key="artist.reply"),
            extra={"image_id": msg.media.media_id},
        )
    return outbound.text("client", msg.text, "artist.reply")


def _tell(reply: Reply, body: str, key: str, links: str) -> None:
    """A message to the artist about this lead, with the hand-back button while the lead waits
    on them, and by template when the artist's own window has shut."""
    lead = reply.lead
    fallback = template("artist_update", lead_ref(lead), body)
    if lead.taken_over or lead.status == Status.NEEDS_ARTIST_REPLY:
        message = outbound.buttons(
            "artist", body, [(HAND_BACK_BUTTON + lead.lead_id, HAND_BACK_TITLE)], key, fallback
        )
    else:
        message = outbound.text("artist", body, key, fallback)
    reply.send(replace(message, extra={LINKS: links}))


def reopen(reply: Reply) -> None:
    """The approved template that asks the client to write back, re-opening their window."""
    name = reply.policy.artist_name
    body = reply.say("takeover.reopen")
    fallback = template("artist_reply_waiting", name)
    reply.send(outbound.text("client", body, "takeover.reopen", fallback))
    reply.event("lead.reopen_sent")


def needs_artist(lead: Lead) -> bool:
    """The lead waits on the artist's own words: handed over, or being answered in person."""
    return lead.taken_over or lead.status in (Status.NEEDS_ARTIST_REPLY, Status.NEEDS_FOLLOW_UP)


def waiting_since(lead: Lead) -> datetime | None:
    """Since when the client has waited on the artist (for the studio's inbox), None if not."""
    if not needs_artist(lead):
        return None
    return lead.last_client_at or lead.status_since
