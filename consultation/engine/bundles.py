"""Answers to later questions typed at a free-text one (issue 13): "forearm, blackwork, about
12x8, up to £700" at the idea question is no idea. What plainly answers a later question is kept
for it (the summary shows it to confirm); the open question takes its own part, or the whole
message when the rest is the idea, or is asked again."""

from __future__ import annotations

from consultation import outbound
from consultation.bundle import Bundle, bare_amount, read_bundle
from consultation.engine.asking import ask
from consultation.engine.qualifying import take_answer
from consultation.questions import BY_KEY, KEYS, Question
from consultation.reply import Reply
from consultation.text import MAX_INPUT

# Questions that take any text, so a message meant for another would be stored on them.
FREE_TEXT = frozenset({"idea", "placement", "style"})


def kept_parts(reply: Reply, question: Question, text: str, raw: str) -> bool:
    """Keep the parts of the message meant for later questions and answer or re-ask the open
    one. False, changing nothing, when the message holds no such part. `raw` is the message as
    sent (its line breaks separate parts), `text` the same normalised."""
    lead = reply.lead
    if question.key not in FREE_TEXT or lead.editing or lead.reviewing:
        return False
    bundle = Bundle({"budget": text}) if bare_amount(text) else read_bundle(raw[:MAX_INPUT])
    later = {
        key: answer
        for key, answer in bundle.parts.items()
        if key != question.key and KEYS.index(key) > lead.step and key not in lead.answers
    }
    if not later:
        return False
    lead.ahead.update(later)
    noted = _listed(
        [f"{answer} as the {BY_KEY[key].label.lower()}" for key, answer in later.items()]
    )
    reply.event("lead.answers_kept", fields=",".join(later))
    own = bundle.parts.get(question.key)
    if own is None and question.key == "idea" and any(len(part) > 2 for part in bundle.rest):
        own = text  # the idea, with the rest of what they said beside it for the artist
    if own is None:
        ask(reply, question, reply.say("ahead.kept_many", noted=noted), key="ahead.kept_many")
        return True
    reply.send(outbound.text("client", reply.say("ahead.noted", noted=noted), "ahead.noted"))
    take_answer(reply, question, own)
    return True


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
