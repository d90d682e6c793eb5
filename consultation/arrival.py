"""In what order the client's messages are read. Meta delivers each message in its own webhook,
in any order, and stamps it to the second: a message waits until it has settled, and messages
stamped with the same second are placed by what they say, or the client is told how they were
read (never a silent guess)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import permutations

from consultation import engine, outbound
from consultation.copy import render
from consultation.lead import Event, Lead, Policy, Turn
from consultation.messages import Inbound, Outbound
from consultation.questions import BY_KEY, KEYS
from consultation.statuses import Status
from consultation.text import cap, normalize

# Every order of a same-second group is tried; three messages are six orders, and a group any
# larger is read as it arrived (with the note), so a flood cannot cost factorial time.
MAX_ORDERED = 3


def settles_at(sent_at: int, arrived: datetime, policy: Policy) -> datetime:
    """When a message may be read: `settle_seconds` after the client sent it, so an older
    message that Meta delivers later is still read first. Meta's own delivery delay has usually
    used the window up, so only a truly fresh message waits. A timestamp ahead of our clock
    (skew) counts from the arrival, so no message ever waits longer than the window."""
    sent = datetime.fromtimestamp(sent_at, UTC)
    return min(sent, arrived) + timedelta(seconds=policy.settle_seconds)


@dataclass
class _Reading:
    """The messages read in one order: the turn, and what each was taken for."""

    turn: Turn
    failures: int  # answers not understood: an order the client did not type fails more
    taken: list[tuple[Inbound, str | None]]  # each message and the question it answered
    last_starts: int  # where the last message's replies begin (the note goes before them)


def handle_together(lead: Lead, messages: list[Inbound], now: datetime, policy: Policy) -> Turn:
    """Messages stamped with the same second: their order is unknown. Every order is read; the
    ones where fewest answers fail are the candidates (content places a reply: "8x8cm" fails as
    a detail level but not as a size, and is kept for the size when typed ahead). When the
    candidates all mean the same, that is the reading; when they differ, the messages are read
    as they arrived and the client is told what was taken for what, so they can correct it."""
    orders = permutations(messages) if len(messages) <= MAX_ORDERED else [tuple(messages)]
    readings = [_read(lead, list(order), now, policy) for order in orders]
    fewest = min(reading.failures for reading in readings)
    candidates = [reading for reading in readings if reading.failures == fewest]
    chosen = candidates[0]  # permutations() yields the arrival order first
    meaning = _meaning(chosen.turn.lead)
    differ = any(_meaning(reading.turn.lead) != meaning for reading in candidates[1:])
    if differ or len(messages) > MAX_ORDERED:
        chosen.turn.replies.insert(chosen.last_starts, _note(chosen, policy))
        fields = ",".join(key or "-" for _, key in chosen.taken)
        chosen.turn.events.append(Event("lead.read_together", detail={"fields": fields}))
    return chosen.turn


def _read(lead: Lead, order: list[Inbound], now: datetime, policy: Policy) -> _Reading:
    replies: list[Outbound] = []
    events: list[Event] = []
    taken: list[tuple[Inbound, str | None]] = []
    last_starts = 0
    for msg in order:
        turn = engine.handle(lead, msg, now, policy)
        last_starts = len(replies)
        replies += turn.replies
        events += turn.events
        taken.append((msg, _answered(lead, turn.lead)))
        lead = turn.lead
    failures = sum(event.type == "lead.parse_failure" for event in events)
    return _Reading(Turn(lead, replies, events), failures, taken, last_starts)


def _answered(before: Lead, after: Lead) -> str | None:
    """The question a message answered (or was kept for), in script order."""
    for key in KEYS:
        if after.answers.get(key) != before.answers.get(key):
            return key
        if after.ahead.get(key) != before.ahead.get(key):
            return key
    return None


def _meaning(lead: Lead) -> tuple[object, ...]:
    """What an order of reading decided; replies and the order of saved images aside."""
    return (
        lead.status, lead.step, lead.answers, lead.ahead, lead.parsed, lead.reviewing,
        lead.editing, lead.confirmed, lead.handover_kind, lead.opted_out, lead.booking.picked,
    )  # fmt: skip


def _note(reading: _Reading, policy: Policy) -> Outbound:
    quoted = [(f"“{cap(normalize(msg.text) or msg.kind, 40)}”", key) for msg, key in reading.taken]
    if reading.turn.lead.status == Status.QUALIFYING and all(key for _, key in quoted):
        parts = [f"{text} as your {BY_KEY[key].label.lower()}" for text, key in quoted if key]
        taken = ", ".join(parts[:-1]) + f" and {parts[-1]}"
        body = render("tie.taken_as", artist=policy.artist_name, taken=taken)
        return outbound.text("client", body, "tie.taken_as")
    order = ", then ".join(text for text, _ in quoted)
    body = render("tie.read_in_order", artist=policy.artist_name, order=order)
    return outbound.text("client", body, "tie.read_in_order")
