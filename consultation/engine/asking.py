"""Asking the client: a question with its buttons or list, or the summary to confirm."""

from __future__ import annotations

from consultation import outbound
from consultation.messages import MAX_BODY, Outbound, Template
from consultation.questions import BY_KEY, QUESTIONS, Question, question_at
from consultation.reply import Reply
from consultation.summary import client_summary


def question_message(
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


def ask(
    reply: Reply,
    question: Question,
    intro: str | None = None,
    key: str | None = None,
    fallback: Template | None = None,
) -> None:
    text = reply.say(f"question.{question.key}")
    body = f"{intro}\n\n{text}" if intro else text
    reply.send(question_message(question, body, key or f"question.{question.key}", fallback))


def ask_current(
    reply: Reply, intro: str, key: str | None = None, fallback: Template | None = None
) -> None:
    """Repeat whatever the client owes us: the summary when reviewing, else the open question."""
    lead = reply.lead
    if lead.reviewing and lead.editing is None:
        show_summary(reply, intro, key=key, fallback=fallback)
        return
    current = BY_KEY.get(lead.editing or "") or question_at(lead.step) or QUESTIONS[0]
    ask(reply, current, intro, key=key, fallback=fallback)


def show_summary(
    reply: Reply, intro: str | None = None, key: str | None = None, fallback: Template | None = None
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
