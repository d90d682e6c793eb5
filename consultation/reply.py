"""The turn being built: a working copy of the lead and what has been decided so far. Shared by
the conversation, the artist's decisions, payments and timers, so they all say, move and record
the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from consultation import outbound
from consultation.copy import render
from consultation.lead import Event, Lead, Policy, Turn
from consultation.messages import Outbound
from consultation.statuses import Status, transition
from consultation.summary import artist_summary, lead_ref
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

    def may_send_status(self) -> bool:
        """Whether a status reply ("the artist is reviewing") may go out now: at most one per
        `status_reply_cooldown_hours`, so a chatty client is not answered with the same line."""
        last = self.lead.last_status_reply_at
        cooldown = timedelta(hours=self.policy.status_reply_cooldown_hours)
        return last is None or self.now - last >= cooldown

    def hand_over(self, kind: str, reason: str) -> None:
        """The bot steps aside: one status reply to the client, and always the artist told
        why, with the lead's summary. `kind` (human, refund, coverup, slot_choice ...) tells
        `resume` what the artist has dealt with."""
        lead = self.lead
        lead.handover_from, lead.handover_reason, lead.handover_kind = lead.status, reason, kind
        self.move(Status.NEEDS_ARTIST_REPLY)
        # The cooldown never starts from the bot's own message (issue 13): a client writing
        # after the handover is told at once that the artist has their message.
        lead.last_status_reply_at = None
        self.send(outbound.text("client", self.say(f"handover.client.{kind}"), "handover.client"))
        ref = lead_ref(lead)
        body = self.say(
            "handover.artist", lead_ref=ref, reason=reason, summary=artist_summary(lead)
        )
        self.send(
            outbound.text(
                "artist", body, "handover.artist", template("artist_handover", ref, reason)
            )
        )
        self.event("lead.handover", reason=reason, kind=kind, **{"from": str(lead.handover_from)})

    def turn(self) -> Turn:
        return Turn(lead=self.lead, replies=self.replies, events=self.events)
