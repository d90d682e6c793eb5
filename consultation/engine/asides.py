"""What a message says beside the open question, while qualifying (issue 13): a question about
when the artist is free, hesitation, or a cover-up or touch-up mentioned in passing. None of
these is stored as the answer to the open question."""

from __future__ import annotations

from consultation.answers import mentions_coverup, parse_coverup
from consultation.engine.asking import ask_current
from consultation.intents import asks_schedule, hesitates
from consultation.lead import Lead
from consultation.reply import Reply
from consultation.text import cap


def answered_aside(reply: Reply, key: str, text: str) -> bool:
    """Reply to a scheduling question or to hesitation, and ask the open question again (for
    hesitation, only as a reminder of where we are). True when the message was one of these.
    At the timing question, "are you free in March?" is an answer about timing."""
    if key != "timing" and asks_schedule(text):
        ask_current(reply, reply.say("aside.schedule"), key="aside.schedule")
        reply.event("lead.aside", kind="schedule")
        return True
    if hesitates(text):
        ask_current(reply, reply.say("aside.hesitation"), key="aside.hesitation")
        reply.event("lead.aside", kind="hesitation")
        return True
    return False


def note_coverup(lead: Lead, key: str, text: str) -> None:
    """A cover-up or touch-up mentioned at another question ("it's to cover an old piece") is
    kept as the answer to the cover-up question, which is then not asked (the summary shows it,
    so the client can correct it)."""
    if key == "coverup" or "coverup" in lead.answers or "coverup" in lead.ahead:
        return
    if mentions_coverup(text) and parse_coverup(text) is True:
        lead.ahead["coverup"] = cap(text)
