"""Phone numbers in the settings are normalised once, at load, to the digits WhatsApp puts in a
delivery's `wa_id`: however the operator writes them, they match what Meta sends."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import aiohttp
import pytest
from pydantic import ValidationError
from temporalio.testing import ActivityEnvironment

from activities.contracts import SendRequest
from activities.messaging import MessagingActivities
from activities.whatsapp_cloud import CloudApi
from consultation import outbound
from models import Contact, OutboundMessage
from settings import Settings
from tests.api.test_edge_modes import edge_with
from tests.conftest import eventually
from tests.fakes.graph_api import inbound_delivery, text_message
from tests.whatsapp_client import new_phone, post, say, sent_to

pytestmark = pytest.mark.asyncio(loop_scope="session")


def settings(**values: str) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


@pytest.mark.parametrize(
    ("written", "wa_id"),
    [
        ("447700900123", "447700900123"),
        ("+447700900123", "447700900123"),
        ("+44 7700 900123", "447700900123"),
        (" +44-7700-900-123 ", "447700900123"),
        ("+1 (555) 010-4477", "15550104477"),
    ],
)
async def test_artist_number_is_stored_as_a_wa_id(written, wa_id):
    assert wa_id == settings(ARTIST_WHATSAPP_NUMBER=written).ARTIST_WHATSAPP_NUMBER


async def test_allowlist_numbers_with_spaces_and_plus_signs_are_wa_ids():
    loaded = settings(PILOT_ALLOWLIST_NUMBERS="+44 7700 900123, 447700900124 ,, +49 170 1234567")
    assert loaded.pilot_allowlist == {"447700900123", "447700900124", "491701234567"}


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("ARTIST_WHATSAPP_NUMBER", "07700 900123"),  # national format: which country?
        ("ARTIST_WHATSAPP_NUMBER", "call me"),
        ("PILOT_ALLOWLIST_NUMBERS", "447700900123, 12"),
    ],
)
async def test_a_number_that_is_not_one_is_refused_naming_the_setting(name, written):
    with pytest.raises(ValidationError) as refused:
        settings(**{name: written})
    message = str(refused.value)
    assert name in message and "international format" in message
    assert "900123" not in message  # numbers never reach a log, even a start-up error


async def test_artist_number_with_plus_sees_the_artists_open_window(graph, sessions):
    """The artist wrote in (Meta's wa_id has no '+'); the setting was written with one."""
    loaded = settings(ARTIST_WHATSAPP_NUMBER="+44 7700 900 932")
    async with sessions.begin() as session:
        session.add(
            Contact(key=uuid.uuid4().hex, wa_id="447700900932", last_inbound_at=datetime.now(UTC))
        )
    graph.clear()
    async with aiohttp.ClientSession() as http:
        api = CloudApi(
            base_url=graph.base_url, phone_number_id="PNID", access_token="test-token", client=http
        )
        messaging = MessagingActivities(sessions, api, loaded.ARTIST_WHATSAPP_NUMBER)
        note = outbound.text("artist", "A new lead is waiting (window check)", key="artist.new")
        request = SendRequest(f"lead-w:{uuid.uuid4()}", "", "lead-w", note, False)
        result = await ActivityEnvironment().run(messaging.send_message, request)

    assert result.status == "SENT"  # free text in the open window, not a template
    assert graph.sent[-1]["to"] == "447700900932"
    assert graph.sent[-1]["type"] == "text"
    async with sessions() as session:
        row = await session.get(OutboundMessage, request.outbound_id)
    assert row is not None and row.status == "SENT"


async def test_pilot_allowlist_written_with_spaces_lets_that_client_in(stack):
    allowed, stranger = new_phone(), new_phone()
    spaced = f"+{allowed[:2]} {allowed[2:6]} {allowed[6:]}"
    async with edge_with(
        stack, PILOT_MODE_ENABLED=True, PILOT_ALLOWLIST_NUMBERS=f"{spaced} , 447700900999"
    ) as pilot:
        await say(pilot, allowed, "Hi, spaced allowlist here")
        response = await post(pilot, inbound_delivery([text_message(stranger, "Hi")]))
        assert response.json()["ignored"] == 1
        await eventually(lambda: sent_to(stack, allowed))
    assert sent_to(stack, stranger) == []
