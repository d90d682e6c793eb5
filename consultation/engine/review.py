"""Reviewing the summary: the client confirms it, or changes an answer."""

from __future__ import annotations

from consultation import outbound
from consultation.answers import parse_yes_no
from consultation.engine.asking import ask, show_summary
from consultation.engine.completion import complete
from consultation.engine.qualifying import take_answer
from consultation.fields import parse_correction
from consultation.messages import Inbound
from consultation.questions import BY_KEY
from consultation.reply import Reply
from consultation.summary import client_values
from consultation.text import bare, cap

# Fields the "Change something" list offers (a list holds 10 rows); the rest can be typed.
CHANGEABLE = (
    "idea", "placement", "dimensions", "style", "complexity", "coverup", "budget",
    "location_city", "travel_city", "timing",
)  # fmt: skip
_CHANGE_WORDS = frozenset(
    {"change", "change something", "edit", "no", "nope", "wrong", "not quite"}
)


def review(reply: Reply, msg: Inbound, text: str) -> None:
    lead = reply.lead
    choice = msg.choice_id if msg.kind == "choice" else None
    if choice == "review_confirm" or (choice is None and parse_yes_no(text) is True):
        complete(reply)
        return
    if choice and choice.startswith("change_") and choice[len("change_") :] in BY_KEY:
        lead.editing = choice[len("change_") :]
        ask(reply, BY_KEY[lead.editing])
        return
    if choice == "review_change" or bare(text) in _CHANGE_WORDS:
        _send_change_list(reply)
        return
    correction = parse_correction(text) if choice is None else None
    if correction is not None:
        key, value = correction
        lead.editing = key
        if value:
            take_answer(reply, BY_KEY[key], value)
        else:
            ask(reply, BY_KEY[key])
        return
    if msg.kind == "media":
        show_summary(reply, reply.say("media.ack"))
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
