"""Money as the client and the artist read it: the one place amounts in pence become text."""

from __future__ import annotations


def format_money(pence: int) -> str:
    """£2,000 for whole pounds, £1,500.50 otherwise; -£5 for a negative amount."""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}" if rest == 0 else f"{sign}£{pounds:,}.{rest:02d}"
