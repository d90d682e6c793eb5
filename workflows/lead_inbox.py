"""A lead's queued messages, in the order their senders sent them: the workflow's own state (no
I/O, no waiting), carried through continue-as-new as three plain fields of `Carried`.

Meta neither guarantees order nor delivers exactly once, and its timestamps have one-second
resolution: a message is queued by its sender's timestamp (stable for ties), a redelivery is
dropped by its id, and the messages of one second are read together for the core to order."""

from __future__ import annotations

from datetime import datetime

from consultation.core import Inbound, Policy, arrival

# Bounded so the carried state stays small; Meta's redeliveries come within days, and the edge
# dedupes in PostgreSQL first anyway.
SEEN_LIMIT = 500


class Inbox:
    def __init__(
        self, messages: list[Inbound], seen: list[str], arrived: dict[str, datetime]
    ) -> None:
        self.messages = list(messages)
        self.seen = list(seen)
        self.seen_set = set(self.seen)
        self.arrived = dict(arrived)  # queued message id → when it reached the workflow

    def __bool__(self) -> bool:
        return bool(self.messages)

    def head(self) -> Inbound:
        return self.messages[0]

    def add(self, msg: Inbound, now: datetime) -> None:
        if msg.message_id in self.seen_set:
            return  # a redelivery the edge let through (e.g. its row was lost): ignore it
        self.seen.append(msg.message_id)
        self.seen_set.add(msg.message_id)
        if len(self.seen) > SEEN_LIMIT:
            self.seen_set.discard(self.seen.pop(0))
        position = len(self.messages)
        while position > 0 and self.messages[position - 1].sent_at > msg.sent_at:
            position -= 1
        self.messages.insert(position, msg)
        self.arrived[msg.message_id] = now

    def settles_at(self, now: datetime, policy: Policy) -> datetime:
        """When the first message may be read (`arrival.settles_at`)."""
        head = self.head()
        return arrival.settles_at(head.sent_at, self.arrived.get(head.message_id, now), policy)

    def take_next(self) -> list[Inbound]:
        """The first message, with any sent in the same second; an artist's message (queued
        with the client's by the relay) alone."""
        head = self.head()
        ends = (
            i for i, m in enumerate(self.messages) if m.sent_at != head.sent_at or m.from_artist
        )
        count = 1 if head.from_artist else next(ends, len(self.messages))
        group, self.messages = self.messages[:count], self.messages[count:]
        for msg in group:
            self.arrived.pop(msg.message_id, None)
        return group
