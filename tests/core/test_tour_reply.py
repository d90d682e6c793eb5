"""A reply to a tour announcement (a campaign carrying a tour stop): a waitlisted client comes
back through the tour offer, and their answer goes the way a tour offer's answer goes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from consultation import engine
from consultation.engine import TourReply, Waitlisted, handle_tour_reply, wants_context
from consultation.lead import Lead, TourStop
from consultation.messages import Inbound
from tests.core.chat import START
from tests.core.leads import POLICY, pending_approval

STOP = TourStop("Berlin", "Germany", "2025-06-03", "2025-06-05")
CAMPAIGN = "c0ffee0000000001"


def waitlisted(stop: TourStop | None = STOP) -> Waitlisted:
    done = pending_approval()
    parsed = {**done.parsed, "requested_city": "Leeds"}
    return Waitlisted(stop, "wl-earlier", done.step, dict(done.answers), parsed)


def reply(text: str, choice_id: str | None = None, campaign: str = CAMPAIGN) -> Inbound:
    sent_at = int(START.timestamp())
    if choice_id:
        return Inbound("m1", sent_at, "choice", text, choice_id, campaign_id=campaign)
    return Inbound("m1", sent_at, "text", text, campaign_id=campaign)


ASKING = replace(POLICY, ask_marketing_consent=True)  # the consent question is on


def answer(msg: Inbound, lead: Lead | None = None, context: Waitlisted | None = None):
    lead = lead or Lead(lead_id="new-run")
    return handle_tour_reply(lead, TourReply(msg, context or waitlisted()), START, ASKING)


@pytest.mark.parametrize(
    ("text", "choice_id"), [("Yes please!", None), ("Yes, book there", "tour_yes")]
)
def test_a_yes_brings_the_waitlisted_answers_to_the_artist_for_that_stop(text, choice_id):
    turn = answer(reply(text, choice_id))

    lead = turn.lead
    assert lead.status == "PENDING_APPROVAL" and lead.parsed["tour_city"] == "Berlin"
    assert lead.answers == pending_approval().answers and lead.campaign_id == CAMPAIGN
    assert lead.estimate is not None  # priced again, at today's prices
    said = [r.key for r in turn.replies]
    assert said[0] == "tour.accepted" and "Berlin it is" in turn.replies[0].text
    assert "artist.new_lead" in said
    assert not [key for key in said if key.startswith("consent.")]  # they consented already
    types = [e.type for e in turn.events]
    assert "lead.waitlist_revived" in types and "lead.campaign_reply" in types


def test_a_no_waitlists_the_client_again():
    turn = answer(reply("no thanks"))
    assert turn.lead.status == "WAITLISTED"
    assert [r.key for r in turn.replies] == ["tour.declined"]


def test_an_unclear_answer_asks_about_the_stop_with_buttons():
    turn = answer(reply("when exactly?"))
    assert turn.lead.status == "TOUR_CONVERSION_OFFERED"
    [prompt] = turn.replies
    assert prompt.key == "tour.prompt" and "Berlin" in prompt.text
    assert [b.id for b in prompt.buttons] == ["tour_yes", "tour_no"]


def test_stop_is_an_opt_out_not_an_answer():
    turn = answer(reply("STOP"))
    assert turn.lead.status == "OPTOUT"


def test_without_a_stop_or_a_waitlisted_enquiry_the_consultation_starts_as_usual():
    for context in (waitlisted(stop=None), Waitlisted(STOP)):
        turn = answer(reply("Hi, is there space?"), context=context)
        assert turn.lead.status == "QUALIFYING" and turn.replies[0].key == "welcome"
        assert turn.lead.campaign_id == CAMPAIGN


def test_a_client_weighing_a_tour_offer_is_offered_the_announced_stop():
    weighing = Lead(lead_id="run", status="TOUR_CONVERSION_OFFERED", offered_tour_city="Paris")
    weighing.answers, weighing.parsed = dict(pending_approval().answers), {"region": "UK"}
    turn = answer(reply("yes"), lead=weighing, context=Waitlisted(STOP))
    assert turn.lead.status == "PENDING_APPROVAL" and turn.lead.parsed["tour_city"] == "Berlin"


def test_only_a_campaign_reply_to_a_new_or_weighing_lead_needs_the_context():
    assert wants_context(Lead(), reply("yes"))
    assert not wants_context(Lead(), reply("yes", campaign=""))
    assert not wants_context(Lead(status="QUALIFYING"), reply("yes"))


def test_any_campaign_reply_tags_the_lead_once_per_campaign():
    first = engine.handle(Lead(), reply("Hi"), START, POLICY)
    again = engine.handle(first.lead, reply("hello again"), START, POLICY)
    assert first.lead.campaign_id == CAMPAIGN
    assert [e.type for e in first.events].count("lead.campaign_reply") == 1
    assert "lead.campaign_reply" not in [e.type for e in again.events]
