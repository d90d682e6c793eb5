"""A workflow's reminder timer, kept while it would fire no later than needed.

The time a lead next needs waking moves later with nearly every message. Cancelling its timer and
starting another each time was most of what a message cost Temporal beyond the floor's shape
(bench/RESULTS.md, issue 14). Instead one set for earlier is kept: firing early only makes the
workflow look again, and it sets the next one then. Only a due time that moves earlier replaces
the timer. To be used inside a workflow (its timers are `asyncio.sleep`)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from temporalio import workflow


class Alarm:
    def __init__(self) -> None:
        self.timer: asyncio.Future[None] | None = None
        self.at: datetime | None = None

    def set_for(self, due: datetime | None) -> asyncio.Future[None]:
        """A future done at `due` or earlier (never, when nothing is due)."""
        if due is None:
            return asyncio.Future()  # nothing due: a wait no timer ends
        if self.timer is None or self.timer.done() or self.at is None or self.at > due:
            if self.timer is not None:
                self.timer.cancel()
            self.at = due
            self.timer = asyncio.ensure_future(
                asyncio.sleep((due - workflow.now()).total_seconds())
            )
        return self.timer
