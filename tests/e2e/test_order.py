"""End to end through the signed webhook: a client's quick messages are stored on the questions
they were typed for, whatever order Meta delivers them in. 50 clients whose two answers arrive
newest first, 0.2 s apart, and 50 whose two answers share one timestamp, all at once."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Coroutine
from typing import Any

import httpx
import pytest

from tests.conftest import APP_SECRET, Stack, eventually
from tests.fakes.graph_api import inbound_delivery, sign, text_message
from tests.whatsapp_client import answered, body_of, lead_of, sent_to

pytestmark = pytest.mark.asyncio(loop_scope="session")
TRIALS = 50
GAP = 0.2  # seconds between the two deliveries
# Clients at once: the worker, the API and the fakes share this test's one Python process, and
# a hundred conversations at the same instant would measure its CPU, not the ordering.
AT_ONCE = 20


async def deliver(stack: Stack, phone: str, body: str, sent_at: int) -> None:
    raw = json.dumps(inbound_delivery([text_message(phone, body, timestamp=sent_at)])).encode()
    # A fresh connection per delivery, as Meta makes them: a kept-alive one can be closed by
    # the server (its 5 s idle limit) just as a trial reuses it, which is no part of the test.
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=30) as http:
        response = await http.post(
            "/webhooks/whatsapp",
            content=raw,
            headers={
                "X-Hub-Signature-256": sign(raw, APP_SECRET),
                "Content-Type": "application/json",
            },
        )
    assert response.status_code == 200, response.text


async def apart(first: Coroutine[Any, Any, None], second: Coroutine[Any, Any, None]) -> None:
    """Two deliveries made GAP apart, each on its own (Meta does not wait for our answer to
    one before it sends the next)."""
    started = asyncio.ensure_future(first)
    await asyncio.sleep(GAP)
    await asyncio.gather(started, second)


async def asked_the_idea(stack: Stack, phone: str) -> None:
    # The greeting is long settled when it arrives, so it is answered at once.
    await deliver(stack, phone, "Hi, I'd like a tattoo", int(time.time()) - 30)
    await eventually(lambda: sent_to(stack, phone), timeout=60)


async def reversed_trial(stack: Stack, sessions, n: int) -> tuple[str, str, str] | None:
    """The idea, then the placement a moment later; Meta delivers the placement first."""
    phone = f"4477011{n:05d}"
    idea, placement = f"A lantern with moths, trial {n}", f"Left calf, trial {n}"
    await asked_the_idea(stack, phone)
    sent = int(time.time()) - 1
    await apart(deliver(stack, phone, placement, sent + 1), deliver(stack, phone, idea, sent))
    lead = await eventually(lambda: answered(stack, sessions, phone, "placement"), timeout=60)
    got = (lead.answers["idea"], lead.answers["placement"])
    return None if got == (idea, placement) else (phone, *got)


async def same_second_trial(stack: Stack, sessions, n: int) -> tuple[str, str, str] | None:
    """The idea and the size typed within one second (one timestamp), delivered in a random
    order; then the placement. Each answer must end on its own question."""
    phone = f"4477012{n:05d}"
    idea, size = f"A paper crane, pair {n}", f"{4 + n % 9}x{5 + n % 7}cm"
    await asked_the_idea(stack, phone)
    sent = int(time.time())
    first, second = random.sample([idea, size], 2)
    await apart(deliver(stack, phone, first, sent), deliver(stack, phone, second, sent))
    await eventually(lambda: answered(stack, sessions, phone, "idea"), timeout=60)
    await deliver(stack, phone, f"Shoulder blade, pair {n}", sent + 1)
    lead = await eventually(lambda: answered(stack, sessions, phone, "placement"), timeout=60)
    got = (lead.answers["idea"], lead.answers.get("dimensions", ""))
    if got != (idea, size):
        return (phone, *got)
    # The size was answered ahead: the next question is the style, not the size again.
    await eventually(lambda: "style" in body_of(sent_to(stack, phone)[-1]).lower(), timeout=60)
    return None


async def test_quick_messages_land_on_their_questions_whatever_order_they_arrive_in(
    stack, sessions
):
    room = asyncio.Semaphore(AT_ONCE)

    async def one(trial: Coroutine[Any, Any, tuple[str, str, str] | None]):
        async with room:
            return await trial

    trials = [reversed_trial(stack, sessions, n) for n in range(TRIALS)]
    trials += [same_second_trial(stack, sessions, n) for n in range(TRIALS)]
    random.shuffle(trials)
    results = await asyncio.gather(*(one(trial) for trial in trials))
    wrong = [result for result in results if result is not None]
    assert wrong == [], (
        f"{len(wrong)} of {len(results)} trials stored answers on the wrong question"
    )
    for phone in ("447701100000", "447701200000"):
        assert (await lead_of(stack, sessions, phone)).status == "QUALIFYING"
