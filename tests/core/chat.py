"""A scripted client for engine journeys: send messages, keep the lead, collect what was said."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from consultation import engine
from consultation.lead import Event, Lead, Policy
from consultation.messages import Inbound, Media, Outbound

START = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)

# Answers that take a lead from the first question to the summary.
HAPPY_ANSWERS = [
    "A dragon wrapped around a sword",
    "Forearm",
    "10cm x 12cm",
    "Realism",
    "2",
    "no, not a cover-up",
    "no",
    "2k",
    "Leeds, UK",
    "@ink.by.sam",
    "same",
    "Next 2-4 weeks",
]


@dataclass
class Chat:
    policy: Policy
    lead: Lead = field(default_factory=lambda: Lead(lead_id="lead-0001-abcdef"))
    now: datetime = START
    replies: list[Outbound] = field(default_factory=list)  # from the last turn
    events: list[Event] = field(default_factory=list)  # from the last turn
    sent: int = 0

    def _apply(self, turn_lead: Lead, replies: list[Outbound], events: list[Event]) -> None:
        self.lead, self.replies, self.events = turn_lead, replies, events

    def say(self, text: str = "", kind: str = "text", choice_id: str | None = None,
            media: Media | None = None) -> list[Outbound]:  # fmt: skip
        self.sent += 1
        msg = Inbound(
            message_id=f"m{self.sent}",
            sent_at=int(self.now.timestamp()),
            kind=kind,  # type: ignore[arg-type]
            text=text,
            choice_id=choice_id,
            media=media,
        )
        turn = engine.handle(self.lead, msg, self.now, self.policy)
        self._apply(turn.lead, turn.replies, turn.events)
        return self.replies

    def tap(self, choice_id: str, title: str = "") -> list[Outbound]:
        return self.say(title or choice_id, kind="choice", choice_id=choice_id)

    def wait(self, hours: float) -> None:
        self.now += timedelta(hours=hours)

    def remind(self) -> list[Outbound]:
        turn = engine.remind(self.lead, self.now, self.policy)
        self._apply(turn.lead, turn.replies, turn.events)
        return self.replies

    def resume(self) -> list[Outbound]:
        turn = engine.resume(self.lead, self.now, self.policy)
        self._apply(turn.lead, turn.replies, turn.events)
        return self.replies

    def to_summary(self, answers: list[str] | None = None) -> list[Outbound]:
        self.say("Hi")
        for answer in answers or HAPPY_ANSWERS:
            self.say(answer)
        return self.replies

    def keys(self, to: str = "client") -> list[str]:
        return [r.key for r in self.replies if r.to == to]

    def text(self, to: str = "client") -> str:
        return "\n".join(r.text for r in self.replies if r.to == to)

    def event_types(self) -> list[str]:
        return [e.type for e in self.events]
