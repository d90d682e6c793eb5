"""Money as the client and the artist read it: the one place amounts in minor units (pence,
cents) become text, in the artist's currency, with Babel's data for the currency's own locale."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision

# The currencies an artist can price in, each with the locale whose readers know it best (so
# USD is "$2,000", not the "US$2,000" of en_GB). Add one here and it is offered everywhere.
CURRENCIES = {"GBP": "en_GB", "EUR": "en_IE", "USD": "en_US"}
DEFAULT_CURRENCY = "GBP"


def format_money(
    minor: int, currency: str = DEFAULT_CURRENCY, *, minor_always: bool = False
) -> str:
    """£2,000 for a whole amount, £1,500.50 otherwise; -£5 for a negative amount. A spreadsheet
    column wants every amount alike: `minor_always` gives £2,000.00."""
    code = currency.upper()
    digits = get_currency_precision(code)
    value = Decimal(minor).scaleb(-digits)  # exact, unlike a float
    whole = minor % 10**digits == 0
    pattern = "¤#,##0" if whole and not minor_always else None
    return format_currency(
        value,
        code,
        format=pattern,
        locale=CURRENCIES.get(code, "en_GB"),
        currency_digits=pattern is None,
    )


def to_minor(text: str, currency: str = DEFAULT_CURRENCY) -> int | None:
    """ "150", "1,500.50" or "£150" as typed into a form → minor units; None if it is not an
    amount (or has more decimals than the currency has)."""
    digits = get_currency_precision(currency.upper())
    cleaned = text.strip().replace(",", "").lstrip("£€$").strip()
    whole, _, fraction = cleaned.partition(".")
    if not whole.isdigit() or (fraction and not fraction.isdigit()) or len(fraction) > digits:
        return None
    return int(whole) * 10**digits + int(fraction.ljust(digits, "0") or 0)


def major_text(minor: int, currency: str = DEFAULT_CURRENCY) -> str:
    """Minor units as a form shows them back: "150" or "150.50", no symbol or separators."""
    digits = get_currency_precision(currency.upper())
    whole, rest = divmod(minor, 10**digits)
    return f"{whole}" if rest == 0 else f"{whole}.{rest:0{digits}d}"


def _load_babel_data() -> None:
    """Babel reads its locale and currency data from files on first use. The workflow sandbox
    forbids file access, so read everything formatting needs now, at import (outside any
    workflow: the worker imports the core before it runs one); Babel keeps it in memory."""
    for code in CURRENCIES:
        format_money(150_050, code)
        format_money(150_000, code)
        format_currency(1, code, locale="en_GB")  # the fallback locale of an unknown currency


_load_babel_data()
