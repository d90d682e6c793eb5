"""Qualifying: reading the client's answer to the open question, keeping answers typed ahead,
and moving on to the next question or the summary."""

from __future__ import annotations

import re

from consultation import outbound, statuses
from consultation.budget import parse_budget, starts_at_zero
from consultation.currency import Rates, parse_rates
from consultation.engine.asking import ask, question_message, show_summary
from consultation.engine.places import asked_back
from consultation.fields import interpret, plainly_answers
from consultation.intents import (
    asks_discount,
    asks_price,
    asks_refund,
    long_question,
    wants_data_deleted,
    wants_human,
)
from consultation.lead import Lead
from consultation.messages import Inbound, Media
from consultation.questions import BY_KEY, KEYS, QUESTIONS, Question, question_at
from consultation.reply import Reply
from consultation.size import one_side_range
from consultation.statuses import Status
from consultation.text import cap

MAX_FAILURES = 2  # the contract's "two attempts" (the reference's code allowed three)
MAX_MEDIA = 30  # reference images kept per lead; bounds the workflow state
_PIN = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*,\s*-?\d+(?:\.\d+)?\s*(.*)$", re.DOTALL)
_LOCATION_KEYS = frozenset({"location_city", "location_country", "travel_city"})


def _handover_intent(text: str, at_budget: bool, qualifying: bool) -> tuple[str, str] | None:
    """(kind, reason) when the client asks for something only the artist can give."""
    if wants_human(text):
        return "human", "Client asked to talk to a person"
    if asks_refund(text):
        return "refund", "Client asked about a refund"
    if wants_data_deleted(text):
        return "delete_data", "Client asked to delete their data (GDPR)"
    # At the budget step "how much? maybe 500" is an answer, not a question to hand over.
    if asks_discount(text):  # before price: "is the price negotiable" is haggling
        return "discount", "Client asked for a discount or a deal"
    if asks_price(text) and not (at_budget and parse_budget(text)):
        return "price", "Client asked about price"
    if qualifying and long_question(text):
        return "question", f"Client asked a question: {cap(text, 200)}"
    return None


def handover_if_asked(reply: Reply, text: str) -> bool:
    lead = reply.lead
    if not statuses.can_transition(lead.status, Status.NEEDS_ARTIST_REPLY):
        return False
    intent = _handover_intent(
        text,
        at_budget=current_key(lead) == "budget",
        qualifying=lead.status == Status.QUALIFYING,
    )
    if intent is None:
        return False
    reply.hand_over(*intent)
    return True


def current_key(lead: Lead) -> str | None:
    if lead.status != Status.QUALIFYING:
        return None
    if lead.editing:
        return lead.editing
    current = question_at(lead.step)
    return current.key if current and not lead.reviewing else None


def kept_for_later(reply: Reply, question: Question, text: str) -> bool:
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


def answer_text(reply: Reply, question: Question, msg: Inbound, text: str) -> str | None:
    """The text to read as the answer, or None after replying when there is none to read."""
    if msg.kind == "unsupported":
        ask(reply, question, reply.say("unsupported"))
        return None
    if msg.kind == "location":
        place = _place_from_pin(text)
        if question.key not in _LOCATION_KEYS:
            ask(reply, question, reply.say("location.elsewhere"))
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
        ask(reply, question, reply.say("media.ack"))
        return None
    if not text:
        ask(reply, question)
        return None
    return text


def _place_from_pin(text: str) -> str:
    """A shared location arrives as "lat,lon" plus a name/address when WhatsApp has one."""
    found = _PIN.match(text)
    return found.group(1).strip(" ,") if found else text


def take_answer(reply: Reply, question: Question, answer: str, via_media: bool = False) -> None:
    lead = reply.lead
    if question.key == "location_city":
        kept = asked_back(reply, answer)
        if kept is None:
            return
        answer = kept
    values = interpret(
        question.key, answer, parse_rates(reply.policy.currency_rates), reply.policy.currency
    )
    if values is None:
        _failed(reply, question, answer)
        return
    lead.answers[question.key] = cap(answer)
    lead.parsed.update(values)
    lead.failures.pop(question.key, None)
    if question.key == "reference_images":
        _count_references(lead)
    _advance(reply, reply.say("media.ack") if via_media else None)


def _failed(reply: Reply, question: Question, answer: str) -> None:
    lead = reply.lead
    count = lead.failures.get(question.key, 0) + 1
    lead.failures[question.key] = count
    reply.event("lead.parse_failure", "WARN", field=question.key, attempt=str(count))
    if count >= MAX_FAILURES:
        reason = f"Could not understand {question.key} after {MAX_FAILURES} attempts"
        reply.hand_over("parse_failure", reason)
        return
    repair = f"repair.{question.key}"
    if question.key == "dimensions" and one_side_range(answer):
        repair = "repair.dimensions_range"
    elif question.key == "budget" and starts_at_zero(answer):
        repair = "repair.budget_from_zero"
    reply.send(question_message(question, reply.say(repair), repair))


def _advance(reply: Reply, intro: str | None = None) -> None:
    lead = reply.lead
    if lead.editing is not None:
        edited, lead.editing = lead.editing, None
        if edited == "location_city" and not lead.parsed.get("country"):
            lead.editing = "location_country"
            ask(reply, BY_KEY["location_country"], intro)
        else:
            show_summary(reply, intro)
        return
    lead.step = _next_step(lead, lead.step)
    while _take_kept(lead, parse_rates(reply.policy.currency_rates), reply.policy.currency):
        lead.step = _next_step(lead, lead.step)
    if lead.step >= len(QUESTIONS):
        lead.reviewing = True
        show_summary(reply, intro)
    else:
        ask(reply, QUESTIONS[lead.step], intro)


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


def _take_kept(lead: Lead, rates: Rates, currency: str) -> bool:
    """Answer the question at `lead.step` with what the client typed for it earlier."""
    question = question_at(lead.step)
    if question is None or question.key not in lead.ahead:
        return False
    answer = lead.ahead.pop(question.key)
    values = interpret(question.key, answer, rates, currency)
    if values is None:
        return False  # cannot happen for a kept answer; asking is the safe fallback
    lead.answers[question.key] = answer
    lead.parsed.update(values)
    return True


def keep_media(lead: Lead, media: Media) -> None:
    if media.media_id and media.media_id not in lead.media and len(lead.media) < MAX_MEDIA:
        lead.media.append(media.media_id)
    _count_references(lead)


def _count_references(lead: Lead) -> None:
    links = lead.parsed.get("reference_links")
    lead.parsed["reference_count"] = len(lead.media) + (links if isinstance(links, int) else 0)
