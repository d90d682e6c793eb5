"""Issue 13, class 2: budgets as clients write them. A range is qualified by its lower bound and
kept whole for the artist; glued and hedged units; European number formats; other currencies kept
in the client's currency and converted with the configured rates, the summary showing both."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultation.budget import Budget, read_budget
from consultation.currency import (
    DEFAULT_RATES,
    convert,
    format_amount,
    parse_rates,
    rate_problems,
)
from consultation.fields import interpret
from consultation.summary import budget_text
from tests.core.chat import HAPPY_ANSWERS, Chat

RATES = parse_rates(DEFAULT_RATES)


@pytest.mark.parametrize(
    ("text", "budget"),
    [
        # ranges keep both ends
        ("300-450", Budget(30_000, 45_000, None)),
        ("£1.2k-£1.5k", Budget(120_000, 150_000, "GBP")),
        ("between £800 and £1000", Budget(80_000, 100_000, "GBP")),
        ("1-1.5k", Budget(100_000, 150_000, None)),
        ("anywhere from 600 to 900 quid", Budget(60_000, 90_000, "GBP")),
        ("500–700", Budget(50_000, 70_000, None)),
        ("700-500", Budget(50_000, 70_000, None)),
        ("0-500", Budget(0, 50_000, None)),
        # glued and hedged units
        ("650GBP", Budget(65_000, None, "GBP")),
        ("650gbp", Budget(65_000, None, "GBP")),
        ("900-ish quid", Budget(90_000, None, "GBP")),
        ("around the 600 mark", Budget(60_000, None, None)),
        ("600ish", Budget(60_000, None, None)),
        ("roughly £750 give or take", Budget(75_000, None, "GBP")),
        ("max 1200 pounds", Budget(120_000, None, "GBP")),
        ("£1k tops", Budget(100_000, None, "GBP")),
        # European formats
        ("2 300 €", Budget(230_000, None, "EUR")),
        ("2.300€", Budget(230_000, None, "EUR")),
        ("€1.200,50", Budget(120_050, None, "EUR")),
        ("2,5k", Budget(250_000, None, None)),
        ("2,5k €", Budget(250_000, None, "EUR")),
        ("1.500 euro", Budget(150_000, None, "EUR")),
        ("600 euros", Budget(60_000, None, "EUR")),
        ("EUR 800", Budget(80_000, None, "EUR")),
        # other currencies are never pounds
        ("$1,200", Budget(120_000, None, "USD")),
        ("1200 usd", Budget(120_000, None, "USD")),
        ("about 1000 dollars", Budget(100_000, None, "USD")),
        ("A$900", Budget(90_000, None, "AUD")),
        ("CA$1,000", Budget(100_000, None, "CAD")),
        ("CHF 700", Budget(70_000, None, "CHF")),
        ("3000 zł", Budget(300_000, None, "PLN")),
        ("6000 sek", Budget(600_000, None, "SEK")),
        ("100000 yen", Budget(100_000, None, "JPY")),
    ],
)
def test_budgets_are_read_with_their_range_and_currency(text: str, budget: Budget) -> None:
    assert read_budget(text) == budget


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("300-450", {"budget_pence": 30_000, "budget_max_pence": 45_000}),
        ("£600", {"budget_pence": 60_000, "budget_max_pence": None, "budget_currency": None}),
        (
            "€600",
            {"budget_pence": 51_000, "budget_currency": "EUR", "budget_amount": 60_000},
        ),
        (
            "$1000-$1500",
            {
                "budget_pence": 79_000,
                "budget_max_pence": 118_500,
                "budget_currency": "USD",
                "budget_amount": 100_000,
                "budget_amount_max": 150_000,
            },
        ),
    ],
)
def test_a_budget_answer_keeps_the_lower_bound_for_the_minimum(
    text: str, values: dict[str, object]
) -> None:
    parsed = interpret("budget", text, RATES)
    assert parsed is not None
    assert {key: parsed.get(key) for key in values} == values


@pytest.mark.parametrize(
    "text",
    ["0-500", "£0 - £800", "0 to 1k", "30-400", "€20", "500 HUF", "800 huf", "TRY 2000", "no idea"],
)
def test_a_range_from_zero_or_an_unusable_amount_is_asked_again(text: str) -> None:
    assert interpret("budget", text, RATES) is None


def test_a_currency_without_a_configured_rate_is_asked_again() -> None:
    only_euros = parse_rates("EUR=0.9")
    assert interpret("budget", "$800", only_euros) is None
    assert interpret("budget", "€800", only_euros) == {
        "budget_pence": 72_000,
        "budget_max_pence": None,
        "budget_currency": "EUR",
        "budget_amount": 80_000,
        "budget_amount_max": None,
    }


@pytest.mark.parametrize(
    ("parsed", "shown"),
    [
        ({"budget_pence": 60_000}, "£600"),
        ({"budget_pence": 30_000, "budget_max_pence": 45_000}, "£300–£450"),
        (
            {"budget_pence": 51_000, "budget_currency": "EUR", "budget_amount": 60_000},
            "€600 ≈ £510",
        ),
        (
            {
                "budget_pence": 85_000,
                "budget_max_pence": 127_500,
                "budget_currency": "EUR",
                "budget_amount": 100_000,
                "budget_amount_max": 150_000,
            },
            "€1,000–€1,500 ≈ £850–£1,275",
        ),
        (
            {"budget_pence": 45_000, "budget_currency": "SEK", "budget_amount": 600_000},
            "6,000 kr ≈ £450",
        ),
    ],
)
def test_the_summary_shows_the_clients_amount_and_the_artists(
    parsed: dict[str, object], shown: str
) -> None:
    assert budget_text(parsed) == shown


def test_the_rate_table_converts_in_minor_units() -> None:
    assert convert(60_000, "EUR", RATES) == 51_000
    assert convert(100_000, "JPY", RATES) == 52_000  # ¥100,000 has no minor unit
    assert convert(51_000, "GBP", RATES, to="EUR") == 60_000
    assert format_amount(120_050, "EUR") == "€1,200.50"
    assert parse_rates("EUR=0.9, USD = 0.8 ,bogus=1,GBP=2")["USD"] == Decimal("0.8")
    assert rate_problems("EUR=0.9,XYZ=1,USD=-1") == [
        "CURRENCY_RATES entry 'XYZ=1' is not CODE=positive rate",
        "CURRENCY_RATES entry 'USD=-1' is not CODE=positive rate",
    ]
    assert rate_problems(DEFAULT_RATES) == []


def test_a_client_in_euros_confirms_both_amounts_and_the_artist_sees_both(
    make_chat,
) -> None:
    chat: Chat = make_chat(currency_rates="EUR=0.85")
    answers = ["€1.200 - €1.500" if a == "2k" else a for a in HAPPY_ANSWERS]
    chat.to_summary(answers)
    assert "Budget: €1,200–€1,500 ≈ £1,020–£1,275" in chat.text()
    assert chat.lead.parsed["budget_pence"] == 102_000
    chat.tap("review_confirm")
    assert "€1,200–€1,500 ≈ £1,020–£1,275" in chat.text("artist")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789 .,'-–k£$€ ishtoandeurgbp"), max_size=30))
def test_no_budget_text_makes_the_parser_raise_or_go_negative(text: str) -> None:
    budget = read_budget(text)
    assert budget is None or (budget.low >= 0 and (budget.high is None or budget.high > budget.low))


def test_a_budget_corrected_on_the_summary_in_euros_shows_both(chat: Chat) -> None:
    chat.to_summary()
    chat.say("change budget to €800")
    assert chat.keys() == ["summary"] and "Budget: €800 ≈ £680" in chat.text()
    chat.say("budget 300-450")
    assert "Budget: £300–£450" in chat.text()
    assert chat.lead.parsed["budget_currency"] is None  # the euros are gone with the change
