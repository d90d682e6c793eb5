"""The lead as Temporal's converter carries it between the workflow and its activities (and so
into the read model): decimal sizes keep their decimals and yes/no answers stay booleans."""

from __future__ import annotations

import pytest
from temporalio.converter import DataConverter

from consultation.lead import Lead

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_parsed_values_keep_their_json_types_through_the_converter() -> None:
    parsed = {
        "width_cm": 12.5,
        "height_cm": 8.0,
        "area_cm2": 100.0,
        "coverup": False,
        "place_city_asked": True,
        "budget_pence": 51_000,
        "budget_currency": "EUR",
        "budget_max_pence": None,
    }
    converter = DataConverter.default
    payloads = await converter.encode([Lead(lead_id="l-values", parsed=parsed)])
    [decoded] = await converter.decode(payloads, [Lead])
    assert decoded.parsed == parsed
    assert decoded.parsed["coverup"] is False and decoded.parsed["place_city_asked"] is True
    assert isinstance(decoded.parsed["budget_pence"], int)
