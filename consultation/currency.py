"""The client's currency and its conversion to the artist's (issue 13): "€600" is kept as euros,
converted with a configured rate table, and shown as both ("€600 ≈ £510"). Amounts stay in minor
units (cents, pence); the rates are decimals, so a conversion is exact up to one rounding."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

import pycountry

from consultation.money import DEFAULT_CURRENCY

# The rate table is in pounds (CURRENCY_RATES: what one unit of each currency is worth in GBP).
RATES_BASE = "GBP"


@dataclass(frozen=True)
class Currency:
    code: str  # ISO 4217
    symbol: str  # how an amount is written: "€600", "CHF 600"
    words: tuple[str, ...]  # how clients name it, lower-case
    exponent: int = 2  # minor-unit digits (yen have none)
    prefix: bool = True  # the symbol goes before the amount


# The currencies the bot reads (the README lists them). Symbols shared by several currencies are
# read as the most likely one: "$" is US dollars unless written "A$", "C$", "NZ$".
CURRENCIES: tuple[Currency, ...] = (
    Currency("GBP", "£", ("£", "gbp", "pound", "pounds", "quid", "sterling", "stg")),
    Currency("EUR", "€", ("€", "eur", "euro", "euros")),
    Currency("USD", "$", ("$", "us$", "usd", "dollar", "dollars", "bucks")),
    Currency("CAD", "C$", ("c$", "ca$", "cad", "canadian dollars")),
    Currency("AUD", "A$", ("a$", "au$", "aud", "australian dollars")),
    Currency("NZD", "NZ$", ("nz$", "nzd", "new zealand dollars")),
    Currency("CHF", "CHF ", ("chf", "swiss francs", "francs", "fr.")),
    Currency("SEK", " kr", ("sek", "swedish krona", "swedish kronor"), prefix=False),
    Currency("NOK", " kr", ("nok", "norwegian krone", "norwegian kroner"), prefix=False),
    Currency("DKK", " kr", ("dkk", "danish krone", "danish kroner"), prefix=False),
    Currency("PLN", " zł", ("zł", "zl", "pln", "zloty", "zlotys", "złoty"), prefix=False),
    Currency("CZK", " Kč", ("kč", "czk", "czech koruna", "korun"), prefix=False),
    Currency("JPY", "¥", ("¥", "jpy", "yen"), exponent=0),
)
BY_CODE: dict[str, Currency] = {c.code: c for c in CURRENCIES}
_BY_WORD: dict[str, str] = {word: c.code for c in CURRENCIES for word in c.words}
# Longest first, so "nz$" wins over "$"; a word is whole ("europe" is not euros), a symbol may be
# glued to its number ("650GBP", "600€").
CURRENCY_WORD = re.compile(
    r"(?<![a-z])("
    + "|".join(re.escape(word) for word in sorted(_BY_WORD, key=len, reverse=True))
    + r")(?![a-z])"
)

# What one unit of each currency is worth in pounds, and the day the rates were taken. The
# CURRENCY_RATES setting replaces them ("EUR=0.85,USD=0.79"; CURRENCY_RATES_DATE says when).
DEFAULT_RATES = (
    "EUR=0.85,USD=0.79,CAD=0.56,AUD=0.51,NZD=0.46,CHF=0.90,SEK=0.075,NOK=0.072,DKK=0.114,"
    "PLN=0.195,CZK=0.034,JPY=0.0052"
)
DEFAULT_RATES_DATE = "2026-11-30"


# Any other ISO 4217 code written beside an amount ("500 HUF", "TRY 2000"): read so that the
# amount is never taken for pounds, even though it has no rate to convert with.
_ISO_BESIDE_AMOUNT = re.compile(r"(?<=\d)\s?([a-z]{3})\b|\b([a-z]{3})\s?(?=\d)", re.IGNORECASE)
# Codes that are also everyday words beside a number ("top 500", "all 3"): only in capitals.
_WORD_CODES = frozenset({"ALL", "TOP", "TRY", "MAD", "CUP", "PEN", "BOB", "MOP", "SOS", "BAM"})


def currency_of(text: str) -> str | None:
    """The ISO code of the first currency named in `text`, else None."""
    found = CURRENCY_WORD.search(text.casefold())
    if found:
        return _BY_WORD[found.group(1)]
    for match in _ISO_BESIDE_AMOUNT.finditer(text):
        typed = match.group(1) or match.group(2)
        code = typed.upper()
        if code in _WORD_CODES and typed != code:
            continue
        if pycountry.currencies.get(alpha_3=code) is not None:
            return code
    return None


Rates = dict[str, Decimal]


@cache  # one table a process: the setting, or a policy carrying it, never changes while running
def parse_rates(setting: str) -> Rates:
    """ "EUR=0.85,USD=0.79" as {code: pounds per unit}; entries that are not a known currency
    with a positive rate are skipped (settings validation reports them)."""
    rates: dict[str, Decimal] = {RATES_BASE: Decimal(1)}
    for entry in setting.split(","):
        code, _, value = entry.partition("=")
        code = code.strip().upper()
        try:
            rate = Decimal(value.strip())
        except InvalidOperation:
            continue
        if code in BY_CODE and rate.is_finite() and rate > 0:
            rates[code] = rate
    return rates


def rate_problems(setting: str) -> list[str]:
    """What is wrong with a CURRENCY_RATES setting, for the settings check."""
    problems = []
    for entry in filter(None, (e.strip() for e in setting.split(","))):
        code = entry.partition("=")[0].strip().upper()
        if code not in BY_CODE or code not in parse_rates(entry):
            problems.append(f"CURRENCY_RATES entry {entry!r} is not CODE=positive rate")
    return problems


def to_minor(amount: Decimal, code: str) -> int:
    known = BY_CODE.get(code)
    scale = Decimal(10) ** (known.exponent if known else 2)
    return int((amount * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def convert(minor: int, code: str, rates: Rates, to: str = DEFAULT_CURRENCY) -> int:
    """`minor` units of `code` in minor units of `to`, through the pound rates. Raises KeyError
    when either has no rate (callers check `code in rates` first)."""
    major = Decimal(minor) / (Decimal(10) ** BY_CODE[code].exponent)
    return to_minor(major * rates[code] / rates[to], to)


def format_amount(minor: int, code: str) -> str:
    """ "€600", "$1,200.50", "CHF 600", "4,000 kr": whole amounts without decimals."""
    currency = BY_CODE[code]
    scale = 10**currency.exponent
    whole, rest = divmod(abs(minor), scale)
    number = f"{whole:,}" if rest == 0 else f"{whole:,}.{rest:0{currency.exponent}d}"
    sign = "-" if minor < 0 else ""
    if currency.prefix:
        return f"{sign}{currency.symbol}{number}"
    return f"{sign}{number}{currency.symbol}"
