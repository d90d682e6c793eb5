"""End to end: the artist answers a handed-over client from WhatsApp (a swipe-reply and `#ref`),
through the signed webhook, the relay and the lead's workflow, to the fake Graph API; the client
gets each reply once, in order with the bot's messages, and "Hand back to bot" resumes."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from models import LeadRecord
from tests.conftest import ARTIST, eventually
from tests.fakes.graph_api import button_reply, image_message, inbound_delivery, text_message
from tests.whatsapp_client import (
    body_of,
    clock,
    converse,
    lead_of,
    new_phone,
    post,
    say,
    sent_to,
    status_is,
    told_artist,
)
from workflows.contracts import ActionRequest
from workflows.lead import LeadWorkflow

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def artist_says(stack, message: dict) -> dict:
    response = await post(stack, inbound_delivery([message]))
    assert response.status_code == 200, response.text
    return response.json()


async def handed_over(stack, sessions) -> tuple[str, LeadRecord]:
    phone = new_phone()
    await converse(stack, phone, ["Hi, I'd like a tattoo", "Can I talk to a real person?"])
    lead = await eventually(lambda: status_is(stack, sessions, phone, "NEEDS_ARTIST_REPLY"))
    await eventually(lambda: told_artist(stack, lead.lead_id, "needs you"))
    return phone, lead


def wamid_of_handover(stack, lead_id: str) -> str:
    return next(
        wamid
        for body, wamid in stack.graph.wamids_to(ARTIST)
        if lead_id[:8] in body_of(body) and "needs you" in body_of(body)
    )


def texts_to(stack, phone: str) -> list[str]:
    return [body_of(message) for message in sent_to(stack, phone)]


async def test_artist_answers_by_swipe_reply_and_ref_then_hands_back(stack, sessions):
    phone, lead = await handed_over(stack, sessions)
    ref = lead.lead_id[:8]
    first, second = f"Hi, Sam here {uuid.uuid4().hex[:6]}", f"See you soon {uuid.uuid4().hex[:6]}"

    # A swipe-reply to the handover message: to the client, from the business number.
    swipe = text_message(ARTIST, first, timestamp=next(clock), reply_to=wamid_of_handover(
        stack, lead.lead_id))  # fmt: skip
    assert (await artist_says(stack, swipe))["received"] == 1
    await eventually(lambda: first in texts_to(stack, phone), timeout=30)
    assert await eventually(lambda: told_artist(stack, lead.lead_id, "Sent to"))
    # Redelivered by Meta: handled once.
    assert (await artist_says(stack, swipe))["duplicates"] == 1

    async def taken_over():
        found = await lead_of(stack, sessions, phone)
        return found if found and found.taken_over and found.waiting_since else None

    assert await eventually(taken_over)

    # The client writes meanwhile: forwarded to the artist, and the bot says nothing.
    before = len(sent_to(stack, phone))
    note = f"Friday works {uuid.uuid4().hex[:6]}"
    await say(stack, phone, note)
    await eventually(lambda: told_artist(stack, lead.lead_id, note), timeout=30)
    forwarded = told_artist(stack, lead.lead_id, note)[-1]
    assert forwarded["type"] == "interactive"  # with the "Hand back to bot" button
    assert forwarded["interactive"]["action"]["buttons"][0]["reply"]["id"] == (
        f"hand_back:{lead.lead_id}"
    )

    # `#ref text` without a reply context.
    typed = text_message(ARTIST, f"#{ref} {second}", timestamp=next(clock))
    assert (await artist_says(stack, typed))["received"] == 1
    await eventually(lambda: second in texts_to(stack, phone), timeout=30)
    assert len(sent_to(stack, phone)) == before + 1  # only the artist's reply

    # "Hand back to bot": the consultation carries on where it stood (the open question).
    tap = button_reply(ARTIST, f"hand_back:{lead.lead_id}", "Hand back to bot",
                       timestamp=next(clock))  # fmt: skip
    assert (await artist_says(stack, tap))["ignored"] == 1
    await eventually(lambda: status_is(stack, sessions, phone, "QUALIFYING"), timeout=30)
    await eventually(lambda: "Thanks for waiting" in " ".join(texts_to(stack, phone)[-1:]))
    assert await eventually(lambda: told_artist(stack, lead.lead_id, "back with the bot"))
    resumed = await lead_of(stack, sessions, phone)
    assert resumed is not None and not resumed.taken_over

    # Each reply once, in order with the client's messages and the bot's.
    texts = texts_to(stack, phone)
    assert texts.count(first) == 1 and texts.count(second) == 1
    assert texts.index(first) < texts.index(second) < len(texts) - 1
    assert "Thanks for waiting" in texts[-1]

    # The bot answers the client again.
    await converse(stack, phone, ["A small moth on my ankle"])
    assert (await lead_of(stack, sessions, phone)).answers.get("idea") == "A small moth on my ankle"


async def test_artist_image_goes_to_the_client_with_its_caption(stack, sessions):
    phone, lead = await handed_over(stack, sessions)
    media_id = f"artist-media-{uuid.uuid4().hex[:8]}"
    image = image_message(ARTIST, media_id, caption=f"#{lead.lead_id[:8]} the sketch",
                          timestamp=next(clock))  # fmt: skip
    # The ref in a caption names the lead too; the caption goes without it.
    image["image"]["caption"] = f"#{lead.lead_id[:8]} the sketch"
    assert (await artist_says(stack, image))["received"] == 1
    sent = await eventually(
        lambda: [m for m in sent_to(stack, phone) if m["type"] == "image"], timeout=30
    )
    assert sent[0]["image"] == {"id": media_id, "caption": "the sketch"}


async def test_anything_else_from_the_artist_gets_the_help_text(stack, sessions):
    words = f"what's up {uuid.uuid4().hex[:6]}"
    message_id = f"wamid.artist-{uuid.uuid4().hex}"
    message = text_message(ARTIST, words, message_id=message_id, timestamp=next(clock))
    assert (await artist_says(stack, message))["ignored"] == 1
    assert (await artist_says(stack, message))["duplicates"] == 1

    def helps():
        return [m for m in sent_to(stack, ARTIST) if "swipe right" in body_of(m)]

    before = len(helps())
    unknown = text_message(ARTIST, "#ffffff00 hello?", timestamp=next(clock))
    await artist_says(stack, unknown)
    await eventually(lambda: len(helps()) > before, timeout=20)
    async with sessions() as session:
        assert await session.scalar(select(LeadRecord).where(LeadRecord.lead_id.startswith(
            "ffffff00"))) is None  # fmt: skip


async def test_a_reply_for_an_enquiry_that_has_ended_is_not_sent(stack, sessions):
    phone, lead = await handed_over(stack, sessions)
    handle = stack.client.get_workflow_handle(lead.workflow_id)
    result = await handle.execute_update(LeadWorkflow.act, ActionRequest("reject", "admin"))
    assert result.done  # declined: the run ends
    await handle.result()
    before = len(sent_to(stack, phone))
    typed = text_message(ARTIST, f"#{lead.lead_id[:8]} one more thing", timestamp=next(clock))
    assert (await artist_says(stack, typed))["ignored"] == 1
    assert await eventually(lambda: told_artist(stack, lead.lead_id, "no open enquiry"))
    assert len(sent_to(stack, phone)) == before
    assert (await lead_of(stack, sessions, phone)).lead_id == lead.lead_id  # no new run
