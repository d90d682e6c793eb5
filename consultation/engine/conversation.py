"""What the conversation does with one message or timer: the entry points, dispatched by the
lead's status, and the replies that ask nothing new (status replies, opting out and back in)."""

from __future__ import annotations

from copy import deepcopy
from datetime import datetime, timedelta

from consultation import booking, consent, outbound, statuses, takeover, timers, window
from consultation.copy import COPY
from consultation.engine.asides import answered_aside, note_coverup
from consultation.engine.asking import ask, ask_current
from consultation.engine.bundles import kept_parts
from consultation.engine.completion import complete, send_tour_prompt, tour_answer
from consultation.engine.qualifying import (
    answer_text,
    current_key,
    handover_if_asked,
    keep_media,
    kept_for_later,
    take_answer,
)
from consultation.engine.review import review
from consultation.intents import is_opt_in, is_opt_out
from consultation.lead import Lead, Policy, Turn
from consultation.messages import Inbound
from consultation.questions import BY_KEY, QUESTIONS
from consultation.reply import Reply
from consultation.statuses import Status
from consultation.summary import lead_ref
from consultation.templates import template
from consultation.text import normalize

REMINDABLE = frozenset({Status.QUALIFYING, Status.TOUR_CONVERSION_OFFERED})


def handle(lead: Lead, msg: Inbound, now: datetime, policy: Policy) -> Turn:
    """One client message: never mutates `lead`, never raises on what the client sent."""
    reply = Reply(deepcopy(lead), now, policy)
    reply.lead.last_client_at = now
    reply.lead.reminders_sent = 0
    if msg.kind == "reaction":
        return reply.turn()  # a reaction opens the window but asks nothing of us
    text = normalize(msg.text)
    if reply.lead.status == Status.OPTOUT:
        _opted_out(reply, msg, text)
    elif is_opt_out(text) or is_opt_out(msg.choice_id):
        _opt_out(reply)
    elif msg.choice_id in consent.ACKNOWLEDGEMENTS:
        consent.acknowledge(reply, msg.choice_id)
    else:
        if msg.media is not None:
            keep_media(reply.lead, msg.media)
        if reply.lead.taken_over:
            takeover.forward(reply, msg)  # the artist answers this client, not the bot
        else:
            _dispatch(reply, msg, text)
    tag_campaign(reply, msg)
    return reply.turn()


def tag_campaign(reply: Reply, msg: Inbound) -> None:
    """A reply to a campaign's message tags the enquiry with that campaign (after the turn:
    opting back in starts the lead afresh)."""
    if msg.campaign_id and reply.lead.campaign_id != msg.campaign_id:
        reply.lead.campaign_id = msg.campaign_id
        reply.event("lead.campaign_reply", campaign_id=msg.campaign_id)


def resume(lead: Lead, now: datetime, policy: Policy) -> Turn:
    """The artist hands the lead back after a handover or a follow-up. A check the artist has
    dealt with (cover-up, budget) is waived and completion runs again; otherwise the lead goes
    back where it was, re-asking the current question when it was qualifying."""
    if not can_resume(lead):
        raise ValueError(f"Cannot resume a lead in status {lead.status}")
    reply = Reply(deepcopy(lead), now, policy)
    lead = reply.lead
    kind, origin = lead.handover_kind, lead.handover_from or Status.QUALIFYING
    lead.handover_reason = lead.handover_kind = lead.handover_from = None
    _stop_handling(lead, now)
    lead.failures.clear()  # a fresh start: one more slip must not hand straight back over
    reply.event("lead.resumed", kind=kind or "", to=origin)
    if kind in ("coverup", "budget"):
        lead.cleared.append(kind)
        complete(reply)
    elif origin == Status.QUALIFYING:
        reply.move(Status.QUALIFYING)
        ask_current(reply, reply.say("resume"))
    else:
        reply.move(origin)
        if origin == Status.TOUR_CONVERSION_OFFERED:
            send_tour_prompt(reply, "tour.prompt")
        elif origin in booking.CHOOSING:
            # Any hold went with the handover; a fresh round of times, counted from now (the
            # handover may have lasted longer than the deposit round).
            booking.new_round(reply, "again")
    return reply.turn()


def hand_back(lead: Lead, now: datetime, policy: Policy) -> Turn:
    """The artist hands back a lead they answered in person (not one waiting on them: that is
    `resume`). The consultation carries on where it stood: the open question asked again while
    qualifying, and the timers running again from now (`next_reminder_at`)."""
    if not lead.taken_over:
        raise ValueError("The artist is not handling this lead")
    reply = Reply(deepcopy(lead), now, policy)
    _stop_handling(reply.lead, now)
    reply.event("lead.handed_back", status=reply.lead.status)
    if reply.lead.status == Status.QUALIFYING:
        ask_current(reply, reply.say("resume"))
    return reply.turn()


def _stop_handling(lead: Lead, now: datetime) -> None:
    if lead.taken_over:
        lead.taken_over = False
        lead.handed_back_at = now
        lead.reminders_sent = 0  # the reminders start again, from the hand-back


def can_resume(lead: Lead) -> bool:
    return lead.status in (Status.NEEDS_ARTIST_REPLY, Status.NEEDS_FOLLOW_UP)


def status_reply(lead: Lead, now: datetime, policy: Policy) -> Turn:
    """A client message the edge kept from the conversation (automation paused): tell the
    client the artist will answer and tell the artist, at most once per status-reply cooldown."""
    reply = Reply(deepcopy(lead), now, policy)
    reply.lead.last_client_at = now
    reply.lead.reminders_sent = 0
    if reply.lead.status != Status.OPTOUT and reply.may_send_status():
        reply.lead.last_status_reply_at = now
        reply.send(outbound.text("client", reply.say("paused.client"), "paused.client"))
        reply.send(
            outbound.text(
                "artist",
                reply.say("paused.artist", lead_ref=lead_ref(reply.lead)),
                "paused.artist",
                template("artist_handover", lead_ref(reply.lead), "message while paused"),
            )
        )
    return reply.turn()


def next_reminder_at(lead: Lead, policy: Policy) -> datetime | None:
    """When the next timer falls due: a nudge while the client owes us an answer, or one of the
    deposit and artist timers (`timers`); None when nothing is waiting."""
    if lead.taken_over:
        return None  # the artist is handling the lead: no timer of the bot's fires meanwhile
    if lead.status not in REMINDABLE:
        return timers.next_due(lead, policy)
    if lead.last_client_at is None:
        return None
    hours = {0: policy.reminder_1_hours, 1: policy.reminder_2_hours}.get(lead.reminders_sent)
    # Handed back by the artist: the client gets the whole wait again before a nudge.
    since = max(lead.last_client_at, lead.handed_back_at or lead.last_client_at)
    return None if hours is None else since + timedelta(hours=hours)


def remind(lead: Lead, now: datetime, policy: Policy) -> Turn:
    """The due reminder: while qualifying, a nudge repeating the open question, then closing the
    enquiry as ABANDONED (by template, since the 24 h window has shut by then); otherwise the due
    deposit or artist timer. Nothing when none is due."""
    reply = Reply(deepcopy(lead), now, policy)
    lead = reply.lead
    if lead.taken_over:
        return reply.turn()  # the artist has the lead: nothing of the bot's is due
    if lead.status not in REMINDABLE:
        timers.fire(reply)
        return reply.turn()
    due = next_reminder_at(lead, policy)
    if due is None or now < due:
        return reply.turn()
    artist = policy.artist_name
    if lead.reminders_sent == 0:
        lead.reminders_sent = 1
        nudge = reply.say("reminder.1")
        fallback = template("consultation_reminder", artist)
        if lead.status == Status.TOUR_CONVERSION_OFFERED:
            send_tour_prompt(reply, "reminder.1", intro=nudge, fallback=fallback)
        else:
            ask_current(reply, nudge, key="reminder.1", fallback=fallback)
        reply.event("lead.reminder", number="1")
        return reply.turn()
    reply.move(Status.ABANDONED)
    reply.send(
        outbound.text(
            "client",
            reply.say("reminder.final"),
            "reminder.final",
            template("enquiry_closed", artist),
        )
    )
    reply.event("lead.abandoned", step=str(lead.step))
    return reply.turn()


def finished(lead: Lead, policy: Policy) -> bool:
    """The run can end: a final status with no timer left (a booked lead waits for its
    appointment, with reminders, before the run ends)."""
    return (
        statuses.is_final(lead.status)
        and not lead.taken_over
        and next_reminder_at(lead, policy) is None
    )


def window_open(lead: Lead, now: datetime) -> bool:
    """Free-form messages to the client are allowed for 24 h after their last message."""
    return window.is_open(lead.last_client_at, now)


def _dispatch(reply: Reply, msg: Inbound, text: str) -> None:
    status = reply.lead.status
    if status == Status.NEW:
        _start(reply)
    elif status == Status.QUALIFYING:
        _qualifying(reply, msg, text)
    elif status in (Status.ABANDONED, Status.STALE):
        _welcome_back(reply)
    elif status == Status.NEEDS_ARTIST_REPLY:
        _send_status(reply, "status_reply.needs_artist_reply")
    elif handover_if_asked(reply, text):
        return
    elif status == Status.TOUR_CONVERSION_OFFERED:
        tour_answer(reply, msg, text)
    elif booking.on_message(reply, msg, text):
        return  # a time picked, asked about, or the booking itself
    else:
        key = f"status_reply.{status.lower()}"
        _send_status(reply, key if key in COPY else "status_reply.other")


def _start(reply: Reply) -> None:
    """The first message ("Hi, I'd like a tattoo") opens the consultation; it is not an answer."""
    reply.move(Status.QUALIFYING)
    reply.lead.step = 0
    reply.event("lead.qualifying_started")
    ask(reply, QUESTIONS[0], reply.say("welcome"), key="welcome")


def _welcome_back(reply: Reply) -> None:
    lead = reply.lead
    reply.move(Status.NEW)
    reply.move(Status.QUALIFYING)
    if lead.confirmed:
        # It went stale after the consultation: the answers are kept, the client checks and
        # confirms them, and the enquiry goes to the artist again.
        lead.confirmed, lead.reviewing, lead.editing = False, True, None
    reply.event("lead.welcomed_back", step=str(lead.step))
    ask_current(reply, reply.say("welcome_back"))


def _opt_out(reply: Reply) -> None:
    reply.move(Status.OPTOUT)
    reply.lead.opted_out = True
    reply.send(outbound.text("client", reply.say("optout.confirm"), "optout.confirm"))
    reply.event("lead.opt_out")


def _opted_out(reply: Reply, msg: Inbound, text: str) -> None:
    if not (is_opt_in(text) or is_opt_in(msg.choice_id)):
        _send_status(reply, "optout.reminder")
        return
    reply.move(Status.NEW)
    # Opting back in starts a new enquiry from the top: nothing from before carries over.
    fresh = Lead(lead_id=reply.lead.lead_id, version=reply.lead.version, last_client_at=reply.now)
    reply.lead = fresh
    reply.event("lead.opt_in")
    _start(reply)


def _qualifying(reply: Reply, msg: Inbound, text: str) -> None:
    lead = reply.lead
    if handover_if_asked(reply, text):
        return
    if lead.reviewing and lead.editing is None:
        review(reply, msg, text)
        return
    key = current_key(lead)
    if key is None:  # a step outside the script (an old or hand-edited state): start over
        lead.step = 0
        ask(reply, QUESTIONS[0], reply.say("welcome"), key="welcome")
        return
    question = BY_KEY[key]
    if msg.kind == "text" and answered_aside(reply, key, text):
        return
    if msg.kind == "text" and kept_for_later(reply, question, text):
        return
    if msg.kind == "text" and kept_parts(reply, question, text, msg.text or ""):
        return
    if msg.kind == "text":
        note_coverup(lead, key, text)
    answer = answer_text(reply, question, msg, text)
    if answer is not None:
        take_answer(reply, question, answer, via_media=msg.kind == "media")


def _send_status(reply: Reply, key: str) -> None:
    """A status reply ("the artist is reviewing"), at most once per status-reply cooldown."""
    if not reply.may_send_status():
        return
    city = reply.lead.parsed.get("requested_city") or "your city"
    reply.send(outbound.text("client", reply.say(key, city=city), key))
    reply.lead.last_status_reply_at = reply.now
