"""End to end, issue 13: each class of misunderstanding, through the signed webhook, the real
lead workflow on the Temporal dev server and the read model in PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from models import LeadRecord
from tests.conftest import Stack, eventually
from tests.e2e.journeys import ANSWERS
from tests.e2e.test_booking import holds_of
from tests.e2e.test_deposit import checkout_of, offers, qualified_lead, token_from_artist
from tests.whatsapp_client import (
    body_of,
    converse,
    lead_of,
    new_phone,
    sent_to,
    status_is,
    told_artist,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")
ADMIN = {"X-Admin-API-Key": "test-admin-key"}


def last_body(stack: Stack, phone: str) -> str:
    return body_of(sent_to(stack, phone)[-1])


async def the_lead(stack: Stack, sessions, phone: str) -> LeadRecord:
    lead = await lead_of(stack, sessions, phone)
    assert lead is not None
    return lead


async def detail(stack: Stack, lead_id: str) -> dict:
    return (await stack.http.get(f"/admin/leads/{lead_id}", headers=ADMIN)).json()


async def test_a_number_in_a_sentence_never_holds_a_time(stack: Stack, sessions) -> None:
    phone, approve_hash = await qualified_lead(stack, sessions)
    token = await token_from_artist(stack, approve_hash)
    assert (await stack.http.post(f"/a/{token}")).status_code == 200
    await eventually(lambda: offers(stack, phone), timeout=30)
    lead = await the_lead(stack, sessions, phone)
    await converse(stack, phone, ["can I bring 1 friend?", "I've got 2 kids so mornings are hard"])
    await asyncio.sleep(1)  # a hold would be placed by an activity right after the reply
    assert await holds_of(sessions, lead.lead_id) == []
    assert checkout_of(stack, lead.lead_id) is None
    assert (await the_lead(stack, sessions, phone)).status == "AWAITING_DEPOSIT"
    await converse(stack, phone, ["option2"])  # a clear choice still picks
    assert await eventually(lambda: checkout_of(stack, lead.lead_id), timeout=30)


async def test_answers_to_later_questions_are_kept_and_confirmed(stack: Stack, sessions) -> None:
    phone = new_phone()
    await converse(stack, phone, ["Hi", "left calf, neo trad, about 14x9, up to £850"])
    assert "What tattoo would you like?" in last_body(stack, phone)
    rest = ["A stag in a forest clearing", "2", "no", "no", "Leeds", "none", "same", "Flexible"]
    await converse(stack, phone, rest)
    summary = last_body(stack, phone)
    for line in ["Placement: left calf", "Size: 14×9 cm", "Style: neo trad", "Budget: £850"]:
        assert line in summary
    lead = await the_lead(stack, sessions, phone)
    assert lead.answers["idea"] == "A stag in a forest clearing"
    assert lead.parsed["budget_pence"] == 85_000


async def test_haggling_mid_consultation_goes_to_the_artist(stack: Stack, sessions) -> None:
    phone = new_phone()
    await converse(stack, phone, ["Hi", ANSWERS[0], "any deals for students on a half sleeve?"])
    lead = await eventually(lambda: status_is(stack, sessions, phone, "NEEDS_ARTIST_REPLY"))
    assert lead.handover_reason == "Client asked for a discount or a deal"
    assert "placement" not in lead.answers
    assert await eventually(lambda: told_artist(stack, lead.lead_id, "discount or a deal"))


async def test_a_client_writing_after_a_handover_is_answered(stack: Stack, sessions) -> None:
    phone = new_phone()
    await converse(stack, phone, ["Hi", "can I talk to a real person please"])
    await eventually(lambda: status_is(stack, sessions, phone, "NEEDS_ARTIST_REPLY"))
    await converse(stack, phone, ["hello? just checking you got my message"])
    assert "has your messages" in last_body(stack, phone)


async def test_a_budget_in_euros_is_kept_and_shown_in_both(stack: Stack, sessions) -> None:
    phone = new_phone()
    answers = ["€1.200 - €1.500" if a == "2k" else a for a in ANSWERS]
    await converse(stack, phone, ["Hi", *answers])
    assert "Budget: €1,200–€1,500 ≈ £1,020–£1,275" in last_body(stack, phone)
    lead = await the_lead(stack, sessions, phone)
    assert lead.parsed["budget_pence"] == 102_000 and lead.parsed["budget_currency"] == "EUR"
    assert lead.parsed["budget_amount_max"] == 150_000


async def test_a_shared_city_name_is_asked_back(stack: Stack, sessions) -> None:
    phone = new_phone()
    before_city = ANSWERS[:8]
    await converse(stack, phone, ["Hi", *before_city, "Paris"])
    assert "Paris — France or Texas, United States?" in last_body(stack, phone)
    await converse(stack, phone, ["France"])
    assert "Instagram" in last_body(stack, phone)  # the country is known: not asked
    lead = await the_lead(stack, sessions, phone)
    assert (lead.parsed["city"], lead.parsed["country"], lead.parsed["region"]) == (
        "Paris",
        "France",
        "EUROPE",
    )


async def test_a_side_range_asks_both_sides_and_decimals_reach_the_read_model(
    stack: Stack, sessions
) -> None:
    phone = new_phone()
    await converse(stack, phone, ["Hi", ANSWERS[0], ANSWERS[1], "12-16cm"])
    assert "both sides" in last_body(stack, phone)
    await converse(stack, phone, ["12.5 x 16cm", *ANSWERS[3:6]])  # ... "No" to the cover-up
    lead = await eventually(lambda: _answered(stack, sessions, phone, "coverup"))
    shown = (await detail(stack, lead.lead_id))["parsed"]
    assert shown["width_cm"] == 12.5 and shown["area_cm2"] == 200.0
    assert shown["coverup"] is False


async def _answered(stack: Stack, sessions, phone: str, key: str):
    lead = await lead_of(stack, sessions, phone)
    return lead if lead is not None and key in lead.answers else None
