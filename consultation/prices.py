"""The price list (reference §6): deposits by size category, the XL deposit per day, regional
minimum budgets and hourly rates, in minor units of the artist's currency. The constants are the
standard list a fresh install starts with; the artist's own list is a `Prices` from their
settings (`consultation.artist_settings`), carried in each lead's policy so a quote never moves.
"""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload (`Prices` travels in `Policy`).

from dataclasses import dataclass, field

from consultation.location import EUROPE, ROW, UK

SMALL, MEDIUM, LARGE, XL = "SMALL", "MEDIUM", "LARGE", "XL"
CATEGORIES = (SMALL, MEDIUM, LARGE, XL)
REGIONS = (UK, EUROPE, ROW)

DEPOSIT_PENCE = {SMALL: 15_000, MEDIUM: 15_000, LARGE: 20_000}
XL_DEPOSIT_PER_DAY_PENCE = 20_000

# region → (minimum budget, hourly rate), in pence.
REGION_RULES = {UK: (40_000, 13_000), EUROPE: (50_000, 14_000), ROW: (60_000, 15_000)}


@dataclass
class Prices:
    """One price list, amounts in minor units of `currency` (ISO 4217)."""

    currency: str = "GBP"
    deposits: dict[str, int] = field(default_factory=lambda: dict(DEPOSIT_PENCE))
    xl_deposit_per_day: int = XL_DEPOSIT_PER_DAY_PENCE
    minimums: dict[str, int] = field(
        default_factory=lambda: {region: rule[0] for region, rule in REGION_RULES.items()}
    )
    hourly_rates: dict[str, int] = field(
        default_factory=lambda: {region: rule[1] for region, rule in REGION_RULES.items()}
    )


STANDARD = Prices()
