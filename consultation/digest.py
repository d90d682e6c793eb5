"""The artist's daily digest: one message listing every lead waiting on them, each with the
one-tap links its status allows, so nothing sits unseen however many reminders went before."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from consultation import outbound
from consultation.copy import render
from consultation.lead import Lead
from consultation.messages import MAX_TEXT, Outbound
from consultation.summary import lead_ref
from consultation.templates import template
from consultation.text import cap


@dataclass
class Line:
    """One waiting lead as the digest shows it."""

    lead_id: str
    status: str
    links: dict[str, str] = field(default_factory=dict)  # action → url


def next_at(now: datetime, hour: int) -> datetime:
    """The next digest time: `hour`:00 UTC, today if still ahead, else tomorrow."""
    today = datetime.combine(now.date(), time(hour), tzinfo=now.tzinfo)
    return today if today > now else today + timedelta(days=1)


def compose(lines: list[Line], total: int) -> Outbound | None:
    """The digest, or None when nothing waits. `total` may exceed the lines shown."""
    if not lines:
        return None
    entries = [_entry(line) for line in lines]
    parts = [render("digest.header", total=total), *entries]
    if total > len(lines):
        parts.append(render("digest.more", count=total - len(lines)))
    body = cap("\n\n".join(parts), MAX_TEXT)
    summary = "; ".join(f"{lead_ref(Lead(lead_id=line.lead_id))}: {_state(line)}" for line in lines)
    fallback = template("artist_update", render("digest.ref"), f"{total} waiting. {summary}")
    return outbound.text("artist", body, "artist.digest", fallback)


def _state(line: Line) -> str:
    return render(f"state.{line.status.lower()}")


def _entry(line: Line) -> str:
    head = f"• {lead_ref(Lead(lead_id=line.lead_id))}: {_state(line)}"
    links = [f"  {render(f'action.{action}')}: {url}" for action, url in line.links.items()]
    return "\n".join([head, *links])
