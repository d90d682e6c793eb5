"""The CURRENCY_RATES setting: checked at start-up, and carried to the core in the policy."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from consultation.currency import DEFAULT_RATES, DEFAULT_RATES_DATE
from settings import Settings


def test_the_rates_and_their_date_reach_the_policy() -> None:
    settings = Settings(CURRENCY_RATES="EUR=0.9,USD=0.8", CURRENCY_RATES_DATE="2026-12-01")
    assert settings.policy.currency_rates == "EUR=0.9,USD=0.8"
    assert settings.policy.currency_rates_date == "2026-12-01"


def test_the_default_table_is_dated() -> None:
    policy = Settings().policy
    assert (policy.currency_rates, policy.currency_rates_date) == (
        DEFAULT_RATES,
        DEFAULT_RATES_DATE,
    )


@pytest.mark.parametrize("rates", ["EUR=abc", "XYZ=1.2", "USD=-1", "EUR"])
def test_a_rate_that_is_not_a_known_code_and_a_positive_number_is_refused(rates: str) -> None:
    with pytest.raises(ValidationError, match="CURRENCY_RATES entry"):
        Settings(CURRENCY_RATES=rates)
