"""How fast a campaign may send (platform_facts §B7): under the number's throughput (80 msg/s by
default) and the portfolio's messaging limit, unique users contacted per rolling 24 h (250 →
2,000 → 10,000 → 100,000 → unlimited). A campaign messages each recipient once, so each send is
one unique user; the window counts them by minute, which keeps it small in workflow state."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DAY = timedelta(hours=24)
BUCKET = timedelta(minutes=1)

# Meta's tiers, as the setting names them; None: unlimited.
MESSAGING_LIMITS: dict[str, int | None] = {
    "250": 250,
    "2000": 2_000,
    "10000": 10_000,
    "100000": 100_000,
    "unlimited": None,
}


def daily_limit(tier: str) -> int | None:
    """The unique users per rolling 24 h a tier allows (None: no limit); ValueError if unknown."""
    if tier not in MESSAGING_LIMITS:
        raise ValueError(f"unknown messaging limit {tier!r}")
    return MESSAGING_LIMITS[tier]


def batch_size(rate: float, batch_seconds: float, cap: int = 1_000) -> int:
    """Recipients per batch: one batch's worth of the rate, at least one, at most `cap`."""
    return max(1, min(cap, math.floor(rate * batch_seconds)))


@dataclass
class Window:
    """Sends in the last 24 h, as (minute start, count) pairs, oldest first. A dataclass of
    plain fields: it is carried through continue-as-new."""

    minutes: list[tuple[datetime, int]] = field(default_factory=list)

    def record(self, at: datetime, count: int) -> None:
        """`count` sends made by `at`. They count until the end of `at`'s minute plus 24 h:
        a minute late at worst, never early."""
        if count <= 0:
            return
        minute = at.replace(second=0, microsecond=0) + BUCKET
        if self.minutes and self.minutes[-1][0] == minute:
            self.minutes[-1] = (minute, self.minutes[-1][1] + count)
        else:
            self.minutes.append((minute, count))

    def used(self, now: datetime) -> int:
        """Unique users messaged in the 24 h before `now`."""
        return sum(count for minute, count in self.minutes if minute + DAY > now)

    def prune(self, now: datetime) -> None:
        self.minutes = [(m, c) for m, c in self.minutes if m + DAY > now]

    def allowance(self, now: datetime, limit: int | None) -> int | None:
        """How many more may be sent now (None: no limit)."""
        return None if limit is None else max(0, limit - self.used(now))

    def frees_at(self, now: datetime, limit: int) -> datetime:
        """When at least one more send fits under `limit`: the oldest minute that must leave
        the window has left it."""
        over = self.used(now) - limit + 1
        for minute, count in self.minutes:
            if minute + DAY <= now:
                continue
            over -= count
            if over <= 0:
                return minute + DAY
        return now


@dataclass(frozen=True)
class Plan:
    """How a campaign will run, for the compose page and the workflow's summary."""

    audience: int
    per_day: list[int]  # sends in each 24 h period from the start
    duration: timedelta  # from the first send to the last
    limit: int | None

    @property
    def days(self) -> int:
        return len(self.per_day)


def plan(audience: int, rate: float, limit: int | None, used_now: int = 0) -> Plan:
    """The schedule for `audience` recipients at `rate` per second under `limit` unique users per
    24 h, `used_now` of which are already taken by messages of the last 24 h."""
    if audience <= 0:
        return Plan(0, [], timedelta(0), limit)
    if limit is None:
        return Plan(audience, [audience], timedelta(seconds=audience / rate), limit)
    first = max(0, limit - used_now)
    per_day = [min(audience, first)] if first else [0]
    left = audience - per_day[0]
    while left > 0:
        per_day.append(min(left, limit))
        left -= per_day[-1]
    last_day = timedelta(seconds=per_day[-1] / rate)
    return Plan(audience, per_day, DAY * (len(per_day) - 1) + last_day, limit)
