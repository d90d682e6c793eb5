"""The turn being built: a working copy of the lead and what has been decided so far. Shared by
the conversation, the artist's decisions, payments and timers, so they all say, move and record
the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from consultation import outbound
from consultation.copy import render
from consultation.lead import Event, Lead, Policy, Turn
from consultation.messages import Outbound
from consultation.statuses import transition
from consultation.summary import lead_ref
from consultation.templates import template


@dataclass
class Reply:
    lead: Lead  # a copy the caller owns: the functions building a turn never mutate their input
    now: datetime
    policy: Policy
    replies: list[Outbound] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def say(self, key: str, **params: object) -> str:
        return render(key, artist=self.policy.artist_name, **params)

    def send(self, message: Outbound) -> None:
        self.replies.append(message)

    def event(self, event_type: str, level: str = "INFO", **detail: str) -> None:
        self.events.append(Event(type=event_type, level=level, detail=detail))

    def move(self, to: str) -> None:
        before = self.lead.status
        transition(self.lead, to, self.now)
        self.event("lead.status", **{"from": before, "to": to})

    def tell_artist(self, key: str, *notes: str, **params: object) -> None:
        """A message to the artist about this lead, with `notes` as extra paragraphs; by
        template when the artist's own 24 h window has shut."""
        ref = lead_ref(self.lead)
        body = "\n\n".join([self.say(key, lead_ref=ref, **params), *notes])
        self.send(outbound.text("artist", body, key, template("artist_update", ref, body)))

    def turn(self) -> Turn:
        return Turn(lead=self.lead, replies=self.replies, events=self.events)
