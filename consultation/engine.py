"""The conversation as pure functions: a lead and one message (or a timer) in, the new lead, the
replies and the events out. No I/O, no clock, no randomness: the workflow supplies `now`."""

from __future__ import annotations

import re
from copy import deepcopy
from datetime import datetime, timedelta

from consultation import booking, outbound, pricing, statuses, timers
from consultation.answers import parse_yes_no
from consultation.budget import parse_budget
from consultation.copy import CATEGORY_WORDS, COPY, money
from consultation.fields import interpret, parse_correction, plainly_answers
from consultation.intents import (
    asks_price,
    asks_refund,
    is_opt_in,
    is_opt_out,
    wants_data_deleted,
    wants_human,
)
from consultation.lead import Estimate, Lead, Policy, Turn
from consultation.messages import MAX_BODY, Inbound, Media, Outbound, Template
from consultation.questions import BY_KEY, KEYS, QUESTIONS, Question, question_at
from consultation.reply import Reply
from consultation.statuses import (
    ABANDONED,
    NEEDS_ARTIST_REPLY,
    NEEDS_FOLLOW_UP,
    NEW,
    OPTOUT,
    PENDING_APPROVAL,
    QUALIFYING,
    STALE,
    TOUR_CONVERSION_OFFERED,
    WAITLISTED,
)
from consultation.summary import artist_summary, client_summary, client_values, lead_ref
from consultation.templates import template
from consultation.text import bare, cap, normalize
from consultation.tour import choose_venue, dates_text

__all__ = [
    "artist_summary",
    "can_resume",
    "finished",
    "handle",
    "hold_reply",
    "next_reminder_at",
    "remind",
    "resume",
    "window_open",
]

WINDOW = timedelta(hours=24)  # WhatsApp's customer-service window after a client message
MAX_FAILURES = 2  # the contract's "two attempts" (the reference's code allowed three)
MAX_MEDIA = 30  # reference images kept per lead; bounds the workflow state
REMINDABLE = frozenset({QUALIFYING, TOUR_CONVERSION_OFFERED})
COVERUP_REASON = "Cover-up needs the artist's assessment"
# Fields the "Change something" list offers (a list holds 10 rows); the rest can be typed.
CHANGEABLE = (
    "idea", "placement", "dimensions", "style", "complexity", "coverup", "budget",
    "location_city", "travel_city", "timing",
)  # fmt: skip
_PIN = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*,\s*-?\d+(?:\.\d+)?\s*(.*)$", re.DOTALL)
_LOCATION_KEYS = frozenset({"location_city", "location_country", "travel_city"})
_CHANGE_WORDS = frozenset(
    {"change", "change something", "edit", "no", "nope", "wrong", "not quite"}
)


# -- public API ---------------------------------------------------------------------------------


def handle(lead: Lead, msg: Inbound, now: datetime, policy: Policy) -> Turn:
    """One client message: never mutates `lead`, never raises on what the client sent."""
    reply = Reply(deepcopy(lead), now, policy)
    reply.lead.last_client_at = now
    reply.lead.reminders_sent = 0
    if msg.kind == "reaction":
        return reply.turn()  # a reaction opens the window but asks nothing of us
    text = normalize(msg.text)
    if reply.lead.status == OPTOUT:
        _opted_out(reply, msg, text)
    elif is_opt_out(text) or is_opt_out(msg.choice_id):
        _opt_out(reply)
    else:
        if msg.media is not None:
            _keep_media(reply.lead, msg.media)
        _dispatch(reply, msg, text)
    return reply.turn()


def resume(lead: Lead, now: datetime, policy: Policy) -> Turn:
    """The artist hands the lead back after a handover or a follow-up. A check the artist has
    dealt with (cover-up, budget) is waived and completion runs again; otherwise the lead goes
    back where it was, re-asking the current question when it was qualifying."""
    if not can_resume(lead):
        raise ValueError(f"Cannot resume a lead in status {lead.status}")
    reply = Reply(deepcopy(lead), now, policy)
    lead = reply.lead
    kind, origin = lead.handover_kind, lead.handover_from or QUALIFYING
    lead.handover_reason = lead.handover_kind = lead.handover_from = None
    lead.failures.clear()  # a fresh start: one more slip must not hand straight back over
    reply.event("lead.resumed", kind=kind or "", to=origin)
    if kind in ("coverup", "budget"):
        lead.cleared.append(kind)
        _complete(reply)
    elif origin == QUALIFYING:
        reply.move(QUALIFYING)
        _ask_current(reply, reply.say("resume"))
    else:
        reply.move(origin)
        if origin == TOUR_CONVERSION_OFFERED:
            _send_tour_prompt(reply, "tour.prompt")
        elif origin in booking.CHOOSING:
            # Any hold went with the handover; a fresh round of times, counted from now (the
            # handover may have lasted longer than the deposit round).
            booking.new_round(reply, "again")
    return reply.turn()


def can_resume(lead: Lead) -> bool:
    return lead.status in (NEEDS_ARTIST_REPLY, NEEDS_FOLLOW_UP)


def hold_reply(lead: Lead, now: datetime, policy: Policy) -> Turn:
    """A client message the edge kept from the conversation (panic mode): tell the client the
    artist will answer and tell the artist, at most once per hold cooldown."""
    reply = Reply(deepcopy(lead), now, policy)
    reply.lead.last_client_at = now
    reply.lead.reminders_sent = 0
    if reply.lead.status != OPTOUT and reply.may_hold():
        reply.lead.last_hold_reply_at = now
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
    if lead.status not in REMINDABLE:
        return timers.next_due(lead, policy)
    if lead.last_client_at is None:
        return None
    hours = {0: policy.reminder_1_hours, 1: policy.reminder_2_hours}.get(lead.reminders_sent)
    return None if hours is None else lead.last_client_at + timedelta(hours=hours)


def remind(lead: Lead, now: datetime, policy: Policy) -> Turn:
    """The due reminder: while qualifying, a nudge repeating the open question, then closing the
    enquiry as ABANDONED (by template, since the 24 h window has shut by then); otherwise the due
    deposit or artist timer. Nothing when none is due."""
    reply = Reply(deepcopy(lead), now, policy)
    lead = reply.lead
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
        if lead.status == TOUR_CONVERSION_OFFERED:
            _send_tour_prompt(reply, "reminder.1", intro=nudge, fallback=fallback)
        else:
            _ask_current(reply, nudge, key="reminder.1", fallback=fallback)
        reply.event("lead.reminder", number="1")
        return reply.turn()
    reply.move(ABANDONED)
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
    return statuses.is_final(lead.status) and next_reminder_at(lead, policy) is None


def window_open(lead: Lead, now: datetime) -> bool:
    """Free-form messages to the client are allowed for 24 h after their last message."""
    return lead.last_client_at is not None and now < lead.last_client_at + WINDOW


# -- dispatch by status -------------------------------------------------------------------------


def _dispatch(reply: Reply, msg: Inbound, text: str) -> None:
    status = reply.lead.status
    if status == NEW:
        _start(reply)
    elif status == QUALIFYING:
        _qualifying(reply, msg, text)
    elif status in (ABANDONED, STALE):
        _welcome_back(reply)
    elif status == NEEDS_ARTIST_REPLY:
        _hold(reply, "hold.needs_artist_reply")
    elif _handover_if_asked(reply, text):
        return
    elif status == TOUR_CONVERSION_OFFERED:
        _tour_answer(reply, msg, text)
    elif booking.on_message(reply, msg, text):
        return  # a time picked, asked about, or the booking itself
    else:
        hold_key = f"hold.{status.lower()}"
        _hold(reply, hold_key if hold_key in COPY else "hold.other")


def _start(reply: Reply) -> None:
    """The first message ("Hi, I'd like a tattoo") opens the consultation; it is not an answer."""
    reply.move(QUALIFYING)
    reply.lead.step = 0
    reply.event("lead.qualifying_started")
    _ask(reply, QUESTIONS[0], reply.say("welcome"), key="welcome")


def _welcome_back(reply: Reply) -> None:
    lead = reply.lead
    reply.move(NEW)
    reply.move(QUALIFYING)
    if lead.confirmed:
        # It went stale after the consultation: the answers are kept, the client checks and
        # confirms them, and the enquiry goes to the artist again.
        lead.confirmed, lead.reviewing, lead.editing = False, True, None
    reply.event("lead.welcomed_back", step=str(lead.step))
    _ask_current(reply, reply.say("welcome_back"))


def _opt_out(reply: Reply) -> None:
    reply.move(OPTOUT)
    reply.lead.opted_out = True
    reply.send(outbound.text("client", reply.say("optout.confirm"), "optout.confirm"))
    reply.event("lead.opt_out")


def _opted_out(reply: Reply, msg: Inbound, text: str) -> None:
    if not (is_opt_in(text) or is_opt_in(msg.choice_id)):
        _hold(reply, "optout.reminder")
        return
    reply.move(NEW)
    # Opting back in starts a new enquiry from the top: nothing from before carries over.
    fresh = Lead(lead_id=reply.lead.lead_id, version=reply.lead.version, last_client_at=reply.now)
    reply.lead = fresh
    reply.event("lead.opt_in")
    _start(reply)


# -- qualifying ---------------------------------------------------------------------------------


def _handover_intent(text: str, at_budget: bool) -> tuple[str, str] | None:
    """(kind, reason) when the client asks for something only the artist can give."""
    if wants_human(text):
        return "human", "Client asked to talk to a person"
    if asks_refund(text):
        return "refund", "Client asked about a refund"
    if wants_data_deleted(text):
        return "delete_data", "Client asked to delete their data (GDPR)"
    # At the budget step "how much? maybe 500" is an answer, not a question to hand over.
    if asks_price(text) and not (at_budget and parse_budget(text)):
        return "price", "Client asked about price"
    return None


def _handover_if_asked(reply: Reply, text: str) -> bool:
    lead = reply.lead
    if not statuses.can_transition(lead.status, NEEDS_ARTIST_REPLY):
        return False
    intent = _handover_intent(text, at_budget=_current_key(lead) == "budget")
    if intent is None:
        return False
    reply.hand_over(*intent)
    return True


def _current_key(lead: Lead) -> str | None:
    if lead.status != QUALIFYING:
        return None
    if lead.editing:
        return lead.editing
    current = question_at(lead.step)
    return current.key if current and not lead.reviewing else None


def _qualifying(reply: Reply, msg: Inbound, text: str) -> None:
    lead = reply.lead
    if _handover_if_asked(reply, text):
        return
    if lead.reviewing and lead.editing is None:
        _review(reply, msg, text)
        return
    key = _current_key(lead)
    if key is None:  # a step outside the script (an old or hand-edited state): start over
        lead.step = 0
        _ask(reply, QUESTIONS[0], reply.say("welcome"), key="welcome")
        return
    question = BY_KEY[key]
    if msg.kind == "text" and _kept_for_later(reply, question, text):
        return
    answer = _answer_text(reply, question, msg, text)
    if answer is not None:
        _take_answer(reply, question, answer, via_media=msg.kind == "media")


def _kept_for_later(reply: Reply, question: Question, text: str) -> bool:
    """A reply plainly meant for a later question ("8x8cm" while the idea is asked) is kept for
    that question, not stored on this one: a client who types ahead, or whose quick messages
    Meta delivers out of order, keeps every answer where it belongs."""
    lead = reply.lead
    later = plainly_answers(text)
    if later is None or later == question.key or lead.editing or lead.reviewing:
        return False
    if KEYS.index(later) <= lead.step or later in lead.answers:
        return False
    lead.ahead[later] = cap(text)
    label = BY_KEY[later].label.lower()
    reply.send(
        outbound.text(
            "client", reply.say("ahead.kept", answer=cap(text, 60), label=label), "ahead.kept"
        )
    )
    reply.event("lead.answer_kept", field=later)
    return True


def _answer_text(reply: Reply, question: Question, msg: Inbound, text: str) -> str | None:
    """The text to read as the answer, or None after replying when there is none to read."""
    if msg.kind == "unsupported":
        _ask(reply, question, reply.say("unsupported"))
        return None
    if msg.kind == "location":
        place = _place_from_pin(text)
        if question.key not in _LOCATION_KEYS:
            _ask(reply, question, reply.say("location.elsewhere"))
            return None
        if not place:
            reply.send(
                outbound.text("client", reply.say("location.type_city"), "location.type_city")
            )
            return None
        return place
    if msg.kind == "choice":
        option = question.option(msg.choice_id)
        if option is not None and option.value is None:
            other = f"question.{question.key}.other"
            reply.send(outbound.text("client", reply.say(other), other))
            return None
        if option is not None:
            return option.value
    if msg.kind == "media" and not text:
        if question.key == "reference_images":
            return "(image)"
        _ask(reply, question, reply.say("media.ack"))
        return None
    if not text:
        _ask(reply, question)
        return None
    return text


def _place_from_pin(text: str) -> str:
    """A shared location arrives as "lat,lon" plus a name/address when WhatsApp has one."""
    found = _PIN.match(text)
    return found.group(1).strip(" ,") if found else text


def _take_answer(reply: Reply, question: Question, answer: str, via_media: bool = False) -> None:
    lead = reply.lead
    values = interpret(question.key, answer)
    if values is None:
        _failed(reply, question)
        return
    lead.answers[question.key] = cap(answer)
    lead.parsed.update(values)
    lead.failures.pop(question.key, None)
    if question.key == "reference_images":
        _count_references(lead)
    _advance(reply, reply.say("media.ack") if via_media else None)


def _failed(reply: Reply, question: Question) -> None:
    lead = reply.lead
    count = lead.failures.get(question.key, 0) + 1
    lead.failures[question.key] = count
    reply.event("lead.parse_failure", "WARN", field=question.key, attempt=str(count))
    if count >= MAX_FAILURES:
        reason = f"Could not understand {question.key} after {MAX_FAILURES} attempts"
        reply.hand_over("parse_failure", reason)
        return
    repair = f"repair.{question.key}"
    reply.send(_question_message(question, reply.say(repair), repair))


def _advance(reply: Reply, intro: str | None = None) -> None:
    lead = reply.lead
    if lead.editing is not None:
        edited, lead.editing = lead.editing, None
        if edited == "location_city" and not lead.parsed.get("country"):
            lead.editing = "location_country"
            _ask(reply, BY_KEY["location_country"], intro)
        else:
            _show_summary(reply, intro)
        return
    lead.step = _next_step(lead, lead.step)
    while _take_kept(lead):
        lead.step = _next_step(lead, lead.step)
    if lead.step >= len(QUESTIONS):
        lead.reviewing = True
        _show_summary(reply, intro)
    else:
        _ask(reply, QUESTIONS[lead.step], intro)


def _next_step(lead: Lead, step: int) -> int:
    step += 1
    # "Berlin" or "Leeds, UK" already told us the country.
    if (
        step < len(QUESTIONS)
        and QUESTIONS[step].key == "location_country"
        and lead.parsed.get("country")
    ):
        step += 1
    return step


def _take_kept(lead: Lead) -> bool:
    """Answer the question at `lead.step` with what the client typed for it earlier."""
    question = question_at(lead.step)
    if question is None or question.key not in lead.ahead:
        return False
    answer = lead.ahead.pop(question.key)
    values = interpret(question.key, answer)
    if values is None:
        return False  # cannot happen for a kept answer; asking is the safe fallback
    lead.answers[question.key] = answer
    lead.parsed.update(values)
    return True


def _keep_media(lead: Lead, media: Media) -> None:
    if media.media_id and media.media_id not in lead.media and len(lead.media) < MAX_MEDIA:
        lead.media.append(media.media_id)
    _count_references(lead)


def _count_references(lead: Lead) -> None:
    links = lead.parsed.get("reference_links")
    lead.parsed["reference_count"] = len(lead.media) + (links if isinstance(links, int) else 0)


# -- asking -------------------------------------------------------------------------------------


def _question_message(
    question: Question, body: str, key: str, fallback: Template | None = None
) -> Outbound:
    """`body` with the question's buttons or list, when it has any."""
    if not question.options:
        return outbound.text("client", body, key, fallback)
    if question.as_list:
        rows = [(o.id, o.title, o.description) for o in question.options]
        return outbound.choices("client", body, question.list_button, rows, key, fallback)
    return outbound.buttons(
        "client", body, [(o.id, o.title) for o in question.options], key, fallback
    )


def _ask(
    reply: Reply,
    question: Question,
    intro: str | None = None,
    key: str | None = None,
    fallback: Template | None = None,
) -> None:
    text = reply.say(f"question.{question.key}")
    body = f"{intro}\n\n{text}" if intro else text
    reply.send(_question_message(question, body, key or f"question.{question.key}", fallback))


def _ask_current(
    reply: Reply, intro: str, key: str | None = None, fallback: Template | None = None
) -> None:
    """Repeat whatever the client owes us: the summary when reviewing, else the open question."""
    lead = reply.lead
    if lead.reviewing and lead.editing is None:
        _show_summary(reply, intro, key=key, fallback=fallback)
        return
    current = BY_KEY.get(lead.editing or "") or question_at(lead.step) or QUESTIONS[0]
    _ask(reply, current, intro, key=key, fallback=fallback)


# -- reviewing the summary ----------------------------------------------------------------------


def _show_summary(
    reply: Reply,
    intro: str | None = None,
    key: str | None = None,
    fallback: Template | None = None,
) -> None:
    body = reply.say("summary", summary=client_summary(reply.lead))
    if intro:
        body = f"{intro}\n\n{body}"
    choices = [
        ("review_confirm", reply.say("summary.confirm_button")),
        ("review_change", reply.say("summary.change_button")),
    ]
    if len(body) <= MAX_BODY:
        reply.send(outbound.buttons("client", body, choices, key or "summary", fallback))
        return
    # Long answers can push the summary past an interactive body's limit: send it as text,
    # then ask with the buttons.
    reply.send(outbound.text("client", body, key or "summary", fallback))
    reply.send(outbound.buttons("client", reply.say("summary.confirm"), choices, "summary.confirm"))


def _review(reply: Reply, msg: Inbound, text: str) -> None:
    lead = reply.lead
    choice = msg.choice_id if msg.kind == "choice" else None
    if choice == "review_confirm" or (choice is None and parse_yes_no(text) is True):
        _complete(reply)
        return
    if choice and choice.startswith("change_") and choice[len("change_") :] in BY_KEY:
        lead.editing = choice[len("change_") :]
        _ask(reply, BY_KEY[lead.editing])
        return
    if choice == "review_change" or bare(text) in _CHANGE_WORDS:
        _send_change_list(reply)
        return
    correction = parse_correction(text) if choice is None else None
    if correction is not None:
        key, value = correction
        lead.editing = key
        if value:
            _take_answer(reply, BY_KEY[key], value)
        else:
            _ask(reply, BY_KEY[key])
        return
    if msg.kind == "media":
        _show_summary(reply, reply.say("media.ack"))
        return
    choices = [
        ("review_confirm", reply.say("summary.confirm_button")),
        ("review_change", reply.say("summary.change_button")),
    ]
    reply.send(outbound.buttons("client", reply.say("review.help"), choices, "review.help"))


def _send_change_list(reply: Reply) -> None:
    values = client_values(reply.lead)
    rows = [
        (f"change_{key}", BY_KEY[key].label, cap(values.get(key) or "", 72)) for key in CHANGEABLE
    ]
    reply.send(
        outbound.choices(
            "client",
            reply.say("review.change"),
            reply.say("review.change_button"),
            rows,
            "review.change",
        )
    )


# -- completion ---------------------------------------------------------------------------------


def _complete(reply: Reply) -> None:
    """The client confirmed: estimate, then the first of cover-up (artist), budget below the
    regional minimum (follow-up), tour offer, or pending approval."""
    lead = reply.lead
    lead.reviewing = False
    lead.confirmed = True
    lead.editing = None
    parsed = lead.parsed
    estimate = _estimate(lead)
    requested = parsed.get("travel_city") or parsed.get("city")
    parsed["requested_city"] = requested
    reply.event("lead.estimated", category=estimate.category, region=estimate.region)

    if parsed.get("coverup") and "coverup" not in lead.cleared:
        reply.hand_over("coverup", COVERUP_REASON)
        return
    budget = parsed.get("budget_pence")
    if (
        isinstance(budget, int)
        and budget < estimate.min_budget_pence
        and "budget" not in lead.cleared
    ):
        _below_minimum(reply, budget, estimate)
        return
    country = parsed.get("travel_country") if parsed.get("travel_city") else parsed.get("country")
    venue = choose_venue(
        str(requested) if requested else None,
        str(country) if country else None,
        reply.policy.studio_city,
        reply.policy.tour,
        reply.now.date(),
    )
    if venue.kind == "offer" and venue.stop is not None:
        lead.offered_tour_city = venue.stop.city
        parsed["offered_tour_dates"] = dates_text(venue.stop)
        reply.move(TOUR_CONVERSION_OFFERED)
        key = "status.tour_offer" if requested else "status.tour_offer.no_city"
        _send_tour_prompt(reply, "status.tour_offer", body_key=key)
        reply.event("lead.tour_offered", city=venue.stop.city)
        return
    if venue.kind == "on_tour" and venue.stop is not None:
        parsed["tour_city"] = venue.stop.city
    _pending_approval(reply, "status.pending_approval")


def _estimate(lead: Lead) -> Estimate:
    """Price the enquiry from its parsed answers and keep the result on the lead."""
    lead.estimate = pricing.estimate_lead(lead)
    return lead.estimate


def _pending_approval(reply: Reply, client_key: str, **params: object) -> None:
    lead = reply.lead
    estimate = lead.estimate or _estimate(lead)
    reply.move(PENDING_APPROVAL)
    lead.last_hold_reply_at = reply.now  # they were just told what happens next
    body = reply.say(
        client_key,
        category=CATEGORY_WORDS[estimate.category],
        deposit=money(estimate.deposit_pence),
        **params,
    )
    reply.send(outbound.text("client", body, client_key))
    _notify_artist_new_lead(reply)
    reply.event("lead.pending_approval", category=estimate.category)


def _notify_artist_new_lead(reply: Reply) -> None:
    lead = reply.lead
    ref = lead_ref(lead)
    headline = cap(lead.answers.get("idea", "new enquiry"), 100)
    reply.send(
        outbound.text(
            "artist",
            reply.say("artist.new_lead", lead_ref=ref, summary=artist_summary(lead)),
            "artist.new_lead",
            template("new_lead_for_artist", ref, headline),
        )
    )


def _below_minimum(reply: Reply, budget: int, estimate: Estimate) -> None:
    lead = reply.lead
    minimum = estimate.min_budget_pence
    reason = f"Budget below minimum (min {money(minimum)}, budget {money(budget)})"
    lead.handover_from, lead.handover_reason, lead.handover_kind = lead.status, reason, "budget"
    reply.move(NEEDS_FOLLOW_UP)
    lead.last_hold_reply_at = reply.now
    reply.send(
        outbound.text(
            "client",
            reply.say("status.needs_follow_up", minimum=money(minimum)),
            "status.needs_follow_up",
        )
    )
    ref = lead_ref(lead)
    body = reply.say(
        "artist.follow_up",
        lead_ref=ref,
        budget=money(budget),
        minimum=money(minimum),
        region=estimate.region,
        summary=artist_summary(lead),
    )
    reply.send(
        outbound.text("artist", body, "artist.follow_up", template("artist_handover", ref, reason))
    )
    reply.event("lead.needs_follow_up", reason=reason)


# -- tour ---------------------------------------------------------------------------------------


def _send_tour_prompt(
    reply: Reply,
    key: str,
    body_key: str = "tour.prompt",
    intro: str | None = None,
    fallback: Template | None = None,
) -> None:
    lead = reply.lead
    body = reply.say(
        body_key,
        city=lead.offered_tour_city or "",
        dates=lead.parsed.get("offered_tour_dates") or "",
        requested=lead.parsed.get("requested_city") or "your city",
    )
    if intro:
        body = f"{intro}\n\n{body}"
    choices = [("tour_yes", reply.say("tour.yes_button")), ("tour_no", reply.say("tour.no_button"))]
    reply.send(outbound.buttons("client", body, choices, key, fallback))


def _tour_answer(reply: Reply, msg: Inbound, text: str) -> None:
    lead = reply.lead
    choice = msg.choice_id if msg.kind == "choice" else None
    if choice in ("tour_yes", "tour_no"):
        accepted: bool | None = choice == "tour_yes"
    else:
        accepted = parse_yes_no(text)
    if accepted is None:
        _send_tour_prompt(reply, "tour.prompt")
        return
    if accepted:
        lead.parsed["tour_city"] = lead.offered_tour_city
        reply.event("lead.tour_accepted", city=lead.offered_tour_city or "")
        _pending_approval(reply, "tour.accepted", city=lead.offered_tour_city or "")
        return
    reply.move(WAITLISTED)
    requested = lead.parsed.get("requested_city") or "your city"
    reply.send(
        outbound.text("client", reply.say("tour.declined", requested=requested), "tour.declined")
    )
    reply.event("lead.waitlisted", city=str(requested))


# -- handing over and holding -------------------------------------------------------------------


def _hold(reply: Reply, key: str) -> None:
    """A status reply ("the artist is reviewing"), at most once per hold cooldown."""
    if not reply.may_hold():
        return
    city = reply.lead.parsed.get("requested_city") or "your city"
    reply.send(outbound.text("client", reply.say(key, city=city), key))
    reply.lead.last_hold_reply_at = reply.now
