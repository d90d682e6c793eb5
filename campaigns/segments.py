"""A segment: a saved filter over contacts and their latest lead. Pure: the store turns it into
SQL, the studio into a form and a sentence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from consultation.statuses import Status

# The statuses an artist re-engages, first in the studio's list. "Past clients" are BOOKED.
SUGGESTED_STATUSES = (
    Status.WAITLISTED,
    Status.ABANDONED,
    Status.NEEDS_FOLLOW_UP,
    Status.BOOKED,
    Status.STALE,
    Status.DEPOSIT_EXPIRED,
)


@dataclass(frozen=True)
class SegmentFilter:
    """Every field narrows; an empty one does not filter. Text matches ignore case."""

    statuses: tuple[str, ...] = ()
    region: str = ""
    city: str = ""  # where the client lives (parsed location_city)
    country: str = ""
    tour_city: str = ""  # the tour stop they asked for (parsed travel_city or tour city)
    style: str = ""  # a word in their style answer
    min_area_cm2: int | None = None
    max_area_cm2: int | None = None
    min_budget_pence: int | None = None
    max_budget_pence: int | None = None
    last_contact_days: int | None = None  # wrote to us within this many days
    quiet_days: int | None = None  # has not written for at least this many days
    consenting_only: bool = True  # a campaign always sends to consenting contacts only

    def to_json(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> SegmentFilter:
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        if "statuses" in known:
            known["statuses"] = tuple(str(v) for v in known["statuses"] or ())
        return cls(**known)

    @classmethod
    def from_form(cls, form: Mapping[str, Any], statuses: list[str]) -> SegmentFilter:
        """From the studio's segment form (strings; blank means no filter). Unknown statuses
        and unreadable numbers are dropped rather than refused: the live count shows the
        result before anything is sent."""

        def number(name: str, scale: int = 1) -> int | None:
            text = str(form.get(name) or "").strip().replace(",", "")
            try:
                return int(round(float(text) * scale)) if text else None
            except ValueError:
                return None

        def word(name: str) -> str:
            return str(form.get(name) or "").strip()[:64]

        known = {s.value for s in Status}
        return cls(
            statuses=tuple(s for s in statuses if s in known),
            region=word("region"),
            city=word("city"),
            country=word("country"),
            tour_city=word("tour_city"),
            style=word("style"),
            min_area_cm2=number("min_area_cm2"),
            max_area_cm2=number("max_area_cm2"),
            min_budget_pence=number("min_budget", 100),
            max_budget_pence=number("max_budget", 100),
            last_contact_days=number("last_contact_days"),
            quiet_days=number("quiet_days"),
            consenting_only=form.get("consenting_only", "on") in ("on", "true", "1", True),
        )

    def describe(self) -> str:
        """The filter in a sentence, for the studio's lists."""
        parts = []
        if self.statuses:
            parts.append(" or ".join(s.replace("_", " ").lower() for s in self.statuses))
        for label, value in (
            ("region", self.region),
            ("city", self.city),
            ("country", self.country),
            ("tour city", self.tour_city),
            ("style", self.style),
        ):
            if value:
                parts.append(f"{label} {value}")
        if self.min_budget_pence is not None or self.max_budget_pence is not None:
            low = self.min_budget_pence or 0
            high = "" if self.max_budget_pence is None else f"£{self.max_budget_pence // 100}"
            parts.append(f"budget £{low // 100}–{high or 'any'}")
        if self.min_area_cm2 is not None or self.max_area_cm2 is not None:
            parts.append(f"size {self.min_area_cm2 or 0}–{self.max_area_cm2 or 'any'} cm²")
        if self.last_contact_days is not None:
            parts.append(f"wrote within {self.last_contact_days} days")
        if self.quiet_days is not None:
            parts.append(f"quiet for {self.quiet_days}+ days")
        parts.append("consenting contacts" if self.consenting_only else "all contacts")
        return ", ".join(parts)


def tour_stop_segment(city: str) -> SegmentFilter:
    """The suggested segment when a tour stop is added: waitlisted and interested leads for
    that city (hook for the studio's tours page)."""
    return SegmentFilter(
        statuses=(Status.WAITLISTED.value, Status.TOUR_CONVERSION_OFFERED.value), tour_city=city
    )
