"""The studio's inbox over HTTP, against the running stack: a handed-over client is listed first
and answered from the web (through the lead's workflow, once, even when the form is sent twice),
then handed back to the bot; the conversation fragment the page polls; the nav's badges."""

from __future__ import annotations

import re
import uuid

import pytest

from stores.studio.lead_page import record_event
from tests.conftest import Stack, eventually
from tests.e2e.test_takeover import handed_over, texts_to
from tests.studio.conftest import Studio, browser_like, csrf_of, project, sign_in
from tests.whatsapp_client import lead_of, say, sent_to, status_is, told_artist

pytestmark = pytest.mark.asyncio(loop_scope="session")

NONCE = re.compile(r'name="nonce" value="([^"]+)"')


async def test_a_handed_over_client_is_answered_from_the_inbox_and_handed_back(
    studio: Studio, stack: Stack, sessions
) -> None:
    phone, lead = await handed_over(stack, sessions)
    async with browser_like(studio.base_url) as http:
        await sign_in(http)
        inbox = (await http.get("/studio/inbox")).text
        needing = inbox.split('data-testid="needing"')[1].split('data-testid="rest"')[0]
        assert f'data-lead="{lead.lead_id[:8]}"' in needing
        assert "waiting" in needing and phone not in inbox

        page = await http.get(f"/studio/inbox/{lead.lead_id}")
        assert "Can I talk to a real person?" in page.text
        nonce = NONCE.search(page.text)
        assert nonce is not None
        form = {"csrf": csrf_of(page.text), "nonce": nonce.group(1)}
        words = f"Hello from the studio {uuid.uuid4().hex[:6]}"
        sent = await http.post(f"/studio/inbox/{lead.lead_id}/reply", data={**form, "text": words})
        assert sent.status_code == 303
        assert sent.headers["location"] == f"/studio/inbox/{lead.lead_id}?done=sent"
        again = await http.post(f"/studio/inbox/{lead.lead_id}/reply", data={**form, "text": words})
        assert again.status_code == 303  # the same form twice: one message
        await eventually(lambda: words in texts_to(stack, phone), timeout=30)
        assert await eventually(lambda: told_artist(stack, lead.lead_id, "Sent to"))

        # The client answers; the page's poll shows it (and the reply, with its tick).
        note = f"Lovely, thanks {uuid.uuid4().hex[:6]}"
        await say(stack, phone, note)

        async def polled():
            fragment = await http.get(f"/studio/inbox/{lead.lead_id}/messages")
            return fragment.text if note in fragment.text else None

        fragment = await eventually(polled, timeout=30)
        assert words in fragment and 'data-delivery="sent"' in fragment
        assert texts_to(stack, phone).count(words) == 1

        # Without the form's CSRF token nothing is sent.
        forged = await http.post(
            f"/studio/inbox/{lead.lead_id}/reply",
            data={"csrf": "forged", "nonce": "n", "text": "forged"},
        )
        assert forged.status_code == 403

        page = await http.get(f"/studio/inbox/{lead.lead_id}")
        assert 'data-testid="paused"' in page.text
        back = await http.post(
            f"/studio/inbox/{lead.lead_id}/hand-back", data={"csrf": csrf_of(page.text)}
        )
        assert back.status_code == 303
        await eventually(lambda: status_is(stack, sessions, phone, "QUALIFYING"), timeout=30)
        resumed = await lead_of(stack, sessions, phone)
        assert resumed is not None and not resumed.taken_over
        assert "forged" not in texts_to(stack, phone)
        assert "Thanks for waiting" in texts_to(stack, phone)[-1]
        assert len([m for m in sent_to(stack, phone) if words in str(m)]) == 1

        # Handing back twice is refused in words.
        page = await http.get(f"/studio/inbox/{lead.lead_id}")
        refused = await http.post(
            f"/studio/inbox/{lead.lead_id}/hand-back", data={"csrf": csrf_of(page.text)}
        )
        assert refused.status_code == 409 and "Not done" in refused.text


async def test_the_inbox_escapes_what_clients_write(studio: Studio, sessions) -> None:
    lead_id = await project(sessions, status="NEEDS_ARTIST_REPLY", name="<script>alert(1)</script>")
    async with browser_like(studio.base_url) as http:
        await sign_in(http)
        page = await http.get(f"/studio/inbox/{lead_id}")
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "&lt;script&gt;alert(1)" in page.text
        assert (await http.get("/studio/inbox/not-a-lead")).status_code == 404


async def test_badges_count_what_came_since_the_inbox_was_last_seen(
    studio: Studio, sessions
) -> None:
    async with browser_like(studio.base_url) as http:
        await sign_in(http, "manager", "front-desk-ledger-7")
        await http.get("/studio/inbox")  # looked just now
        before = (await http.get("/studio/badges")).json()
        lead_id = await project(sessions, status="QUALIFYING")
        async with sessions.begin() as session:
            await record_event(session, "lead.handover", lead_id, reason="test")
        after = (await http.get("/studio/badges")).json()
        assert after["handovers"] == before["handovers"] + 1
        await http.get("/studio/inbox")
        assert (await http.get("/studio/badges")).json()["handovers"] == 0
