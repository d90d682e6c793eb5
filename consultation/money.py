"""Money as the client and the artist read it: the one place amounts in pence become text."""

from __future__ import annotations


def format_money(pence: int, *, pence_always: bool = False) -> str:
    """£2,000 for whole pounds, £1,500.50 otherwise; -£5 for a negative amount. A spreadsheet
    column wants every amount alike: `pence_always` gives £2,000.00."""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    if rest == 0 and not pence_always:
        return f"{sign}£{pounds:,}"
    return f"{sign}£{pounds:,}.{rest:02d}"
