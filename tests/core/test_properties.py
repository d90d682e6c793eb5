"""Properties of everything the client can type: a parser returns a value of its type, or None
where it can say "not understood", and never raises; a budget is never negative or zero; the
engine answers at every point of the conversation with replies that fit WhatsApp."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consultation import engine
from consultation.answers import (
    find_links,
    parse_complexity,
    parse_coverup,
    parse_instagram,
    parse_timing,
    parse_travel_city,
    parse_yes_no,
)
from consultation.budget import Budget, parse_budget, read_budget, starts_at_zero
from consultation.bundle import Bundle, bare_amount, read_bundle
from consultation.fields import interpret, parse_correction
from consultation.intents import (
    asks_discount,
    asks_price,
    asks_refund,
    asks_schedule,
    booking_change,
    hesitates,
    is_opt_in,
    is_opt_out,
    long_question,
    wants_data_deleted,
    wants_human,
)
from consultation.lead import Lead, Policy, TourStop, Turn
from consultation.location import (
    Location,
    PlaceQuestion,
    country_to_region,
    parse_country,
    parse_location,
    read_place,
)
from consultation.messages import MAX_BODY, MAX_TEXT, Inbound, Media
from consultation.questions import KEYS
from consultation.size import Size, one_side_range, parse_size
from consultation.text import normalize
from tests.core.chat import HAPPY_ANSWERS, START, Chat
from tests.core.leads import (
    Workflow,
    at,
    awaiting_deposit,
    booked,
    booking_pending,
    client,
    held,
    offered,
)

# Each parser and the types it may return: None only where it can say "not understood".
NONE = type(None)
RETURNS: dict[Callable[[Any], object], tuple[type, ...]] = {
    normalize: (str,),
    parse_budget: (int, NONE),
    parse_size: (Size, NONE),
    parse_location: (Location, NONE),
    parse_country: (str, NONE),
    country_to_region: (str,),
    parse_complexity: (int, NONE),
    parse_yes_no: (bool, NONE),
    parse_coverup: (bool, NONE),
    parse_instagram: (str, NONE),
    parse_travel_city: (Location, NONE),
    parse_timing: (str, NONE),
    find_links: (list,),
    parse_correction: (tuple, NONE),
    is_opt_out: (bool,),
    is_opt_in: (bool,),
    wants_human: (bool,),
    asks_refund: (bool,),
    wants_data_deleted: (bool,),
    asks_price: (bool,),
    booking_change: (str, NONE),
    # issue 13
    read_budget: (Budget, NONE),
    starts_at_zero: (bool,),
    read_place: (Location, PlaceQuestion, NONE),
    one_side_range: (bool,),
    read_bundle: (Bundle,),
    bare_amount: (bool,),
    asks_discount: (bool,),
    asks_schedule: (bool,),
    hesitates: (bool,),
    long_question: (bool,),
}
PARSERS = list(RETURNS)


def assert_a_value_or_none(parser: Callable[[Any], object], text: object) -> None:
    """The property: `parser` returns a value of its type, or None, and does not raise."""
    result = parser(text)
    assert type(result) in RETURNS[parser], (parser.__name__, text, result)
    if isinstance(result, list | tuple):
        assert all(type(item) is str for item in result), (parser.__name__, result)


def assert_fits_whatsapp(turn: Turn) -> None:
    """The property: the engine answered with a lead, and every reply fits WhatsApp's limits."""
    assert isinstance(turn.lead, Lead)
    for reply in turn.replies:
        assert len(reply.text) <= (MAX_BODY if reply.buttons or reply.rows else MAX_TEXT)
    assert all(len(answer) <= 1000 for answer in turn.lead.answers.values())


# Text that looks like answers as well as anything at all: digits, units, currency, emoji.
TEXTS = st.one_of(
    st.text(),
    st.text(alphabet="0123456789 .,-kK£$€xX×cmin\"'by", max_size=30),
    st.text(alphabet=st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), max_size=50),
)
ODD = [
    "🐉" * 2500,
    "وشم تنين على الذراع",
    "龍の刺青を腕に",
    "\u200b\ufeff\u00a0",
    "9" * 5000,
    "-" * 4000,
]


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.__name__)
@settings(max_examples=150, deadline=None)
@given(text=TEXTS)
def test_parsers_return_a_value_or_none_and_never_raise(
    parser: Callable[[Any], object], text: str
) -> None:
    assert_a_value_or_none(parser, text)


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.__name__)
@pytest.mark.parametrize("text", ODD + [None, 42], ids=range(len(ODD) + 2))
def test_parsers_return_a_value_or_none_for_huge_and_odd_text(
    parser: Callable[[Any], object], text: object
) -> None:
    assert_a_value_or_none(parser, text)


@settings(max_examples=300, deadline=None)
@given(text=TEXTS)
def test_budget_is_never_negative_or_zero(text: str) -> None:
    pence = parse_budget(text)
    assert pence is None or pence > 0


@settings(max_examples=100, deadline=None)
@given(key=st.sampled_from(KEYS), text=TEXTS)
def test_interpret_returns_fields_or_none_and_never_raises(key: str, text: str) -> None:
    parsed = interpret(key, text)
    assert parsed is None or (isinstance(parsed, dict) and all(type(k) is str for k in parsed))


def _leads() -> list[Lead]:
    """A lead at every point of the conversation, built once."""
    policy = Policy(
        artist_name="Sam", tour=[TourStop("Berlin", "Germany", "2025-06-01", "2025-06-03")]
    )
    chat = Chat(policy)
    leads = [chat.lead]
    chat.say("Hi")
    for answer in HAPPY_ANSWERS:
        leads.append(chat.lead)
        chat.say(answer)
    leads.append(chat.lead)  # reviewing
    chat.tap("review_confirm")
    leads.append(chat.lead)  # tour offered
    leads += [
        Lead(lead_id="w", status=status, step=3)
        for status in ["NEEDS_ARTIST_REPLY", "PENDING_APPROVAL", "NEEDS_FOLLOW_UP", "OPTOUT",
                       "ABANDONED", "WAITLISTED", "AWAITING_DEPOSIT", "BOOKED"]
    ]  # fmt: skip
    # After approval, built through the booking core: choosing, held, paid, booked, and no
    # free times (collecting the client's preferred ones).
    full = [(at(-720), at(720))]  # the calendar busy for weeks
    collecting = Workflow(busy=full).decide(_approvable(), "approve", START).lead
    assert collecting.status == "COLLECTING_TIME_WINDOWS"
    ambiguous = client(offered(), "friday").lead
    assert ambiguous.booking.candidates
    leads += [offered(), ambiguous, held(), awaiting_deposit(), booking_pending(), booked(),
              collecting]  # fmt: skip
    return leads


def _approvable() -> Lead:
    chat = Chat(Policy(artist_name="Sam"))
    chat.to_summary()
    chat.tap("review_confirm")
    return chat.lead


LEADS = _leads()
POLICY = Policy(artist_name="Sam")


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    index=st.integers(min_value=0, max_value=len(LEADS) - 1),
    kind=st.sampled_from(["text", "choice", "media", "reaction", "location", "unsupported"]),
    text=TEXTS,
    choice_id=st.one_of(
        st.none(),
        st.text(max_size=20),
        st.sampled_from(
            [
                "review_confirm",
                "review_change",
                "change_budget",
                "tour_yes",
                "tour_no",
                "placement_other",
                "complexity_2",
                "coverup_yes",
                "slot:more",
                "slot:1:20250502T1200Z",
                "slot:3:20250502T1200Z",
                "slot:99:x",
            ]
        ),
    ),  # fmt: skip
)
def test_any_message_at_any_point_is_answered_within_whatsapps_limits(
    index: int, kind: str, text: str, choice_id: str | None
) -> None:
    media = Media("m", "image") if kind == "media" else None
    msg = Inbound("id", 0, kind=kind, text=text, choice_id=choice_id, media=media)  # type: ignore[arg-type]
    assert_fits_whatsapp(engine.handle(LEADS[index], msg, START, POLICY))


@pytest.mark.parametrize("text", ODD)
@pytest.mark.parametrize("index", range(len(LEADS)))
def test_huge_and_odd_text_is_answered_within_whatsapps_limits_at_every_point(
    index: int, text: str
) -> None:
    assert_fits_whatsapp(engine.handle(LEADS[index], Inbound("id", 0, text=text), START, POLICY))
