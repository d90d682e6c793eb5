"""The relay: hands stored inbound messages to their lead workflows, after the webhook answered.

Runs in every API process (started in the app's lifespan). It wakes when its own process's
intake has stored a message, on `LISTEN inbound_messages` (a trigger NOTIFYs when a row is given
back: released after a pause, replayed by an operator), and polls every few seconds besides, so
a missed wake or a Temporal outage only delays a message: once Temporal answers again the relay
catches up by itself, in order, without Meta redelivering anything. Nothing on the hot path
NOTIFYs: PostgreSQL serialises the commits that do (migration 0018). A message handed over
twice (a crash between the signal and the commit) is dropped by the workflow, which ignores a
message id it has seen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta
from typing import Any

import psycopg
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode

from api.contacts import workflow_id
from api.deps import EdgeState
from api.events import record_event
from consultation.messages import Inbound, Media
from models import SystemEvent
from models.base import async_url
from stores import inbound_queue
from stores.inbound_queue import Outcome, Waiting
from workflows.contracts import LeadInput, PauseNotice
from workflows.lead import LeadWorkflow

log = logging.getLogger(__name__)

CHANNEL = "inbound_messages"
BATCH = 50  # contacts per round; each gets its oldest waiting message
POLL_SECONDS = 2.0
FIRST_BACKOFF, MAX_BACKOFF = 0.5, 10.0  # while Temporal cannot be reached
ADMISSION_TICK = 0.05  # seconds a full relay waits before it looks for reads again
UNREAD = 30.0  # seconds a handed-over message counts as in flight at most, read or not
RPC_TIMEOUT = timedelta(seconds=10)  # the claimed rows stay locked while a signal is on its way


class Unreachable(Exception):
    """Temporal could not take a message now; trying again later can succeed."""


def inbound_from(payload: dict[str, Any]) -> Inbound:
    media = payload.get("media")
    return Inbound(**{**payload, "media": Media(**media) if media else None})


async def signal_lead(
    client: Client, state: EdgeState, key: str, opted_out: bool, signal: Inbound | PauseNotice
) -> None:
    """Signal-with-start the contact's lead workflow: the first message creates it, race-free."""
    settings = state.settings
    start = LeadInput(
        contact_key=key,
        policy=settings.policy,
        opted_out=opted_out,
        public_base_url=settings.PUBLIC_BASE_URL,
    )
    name = "hold" if isinstance(signal, PauseNotice) else "message"  # the signals' wire names
    await client.start_workflow(
        LeadWorkflow.run,
        start,
        id=workflow_id(key),
        task_queue=settings.TEMPORAL_TASK_QUEUE,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        start_signal=name,
        start_signal_args=[signal],
        rpc_timeout=RPC_TIMEOUT,
    )


class Relay:
    def __init__(self, state: EdgeState, *, poll_seconds: float = POLL_SECONDS) -> None:
        self.state = state
        self.poll_seconds = poll_seconds
        self.wake = state.stored
        self.down_since: float | None = None  # when Temporal stopped taking messages
        self.full = False  # admission: as many handed over as may be unread at once

    async def run(self) -> None:
        listener = asyncio.create_task(self._listen())
        backoff = FIRST_BACKOFF
        try:
            while True:
                self.wake.clear()
                try:
                    settled = await self.round()
                except Exception as error:  # noqa: BLE001 - any failure is retried; see below
                    await self._down(error)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF)
                    continue
                backoff = FIRST_BACKOFF
                if self.full:
                    # Each read a turn stamps frees one place. Look again in a moment, when a
                    # few have landed, so one round hands several over.
                    await asyncio.sleep(ADMISSION_TICK)
                    continue
                if settled:
                    continue  # the contacts' next messages are heads now
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), self.poll_seconds)
        finally:
            listener.cancel()

    async def round(self) -> int:
        """Hand over the oldest waiting message of up to BATCH contacts, while fewer than
        RELAY_IN_FLIGHT handed over are still unread; returns how many were settled. Raises
        when Temporal could not be reached (the rest stay waiting)."""
        client = await self.state.temporal()
        unreachable: list[str] = []
        queue, cap = self.state.settings.TEMPORAL_TASK_QUEUE, self.state.settings.RELAY_IN_FLIGHT
        async with self.state.sessions.begin() as session:
            room = BATCH
            if cap:
                # Admission: past this, more handed over only waits in Temporal's queues, where
                # a running conversation's next message can overtake a new one's first. Here the
                # backlog waits in arrival order.
                room = min(BATCH, cap - await inbound_queue.in_flight(session, queue, UNREAD))
                self.full = room <= 0
                if self.full:
                    return 0
            claimed = await inbound_queue.claim(session, queue, room)
            self.full = bool(cap) and len(claimed) == room
            # One message per contact, so handing them over at once keeps each contact's order.
            results = await asyncio.gather(*(self._hand_over(client, w) for w in claimed))
            settled: list[tuple[str, Outcome]] = []
            for waiting, (outcome, reason) in zip(claimed, results, strict=True):
                if outcome is None:
                    unreachable.append(reason)
                    continue
                settled.append((waiting.message_id, outcome))
                if outcome == "refused":
                    payload = waiting.payload
                    kind = payload.get("kind") if isinstance(payload, dict) else None
                    detail = {"kind": kind, "reason": reason}  # never the content
                    session.add(SystemEvent(level="ERROR", type="relay.refused", detail=detail))
            await inbound_queue.settle(session, settled)
        if unreachable:
            raise Unreachable(unreachable[0])
        await self._up()
        return len(claimed)

    async def _hand_over(self, client: Client, waiting: Waiting) -> tuple[Outcome | None, str]:
        """What became of one message: settled as an outcome, or None to try again later."""
        try:
            message = inbound_from(waiting.payload)
        except (TypeError, ValueError, AttributeError) as error:
            return "refused", f"stored message unreadable: {type(error).__name__}"
        signal = PauseNotice(message.message_id) if waiting.paused else message
        try:
            await signal_lead(client, self.state, waiting.contact_key, waiting.opted_out, signal)
        except RPCError as error:
            if error.status == RPCStatusCode.INVALID_ARGUMENT:
                # Temporal refuses this request as it is (a payload over its limits...): no
                # retry can pass, so it must not hold up the contact's later messages.
                return "refused", f"Temporal refused it: {error.status.name}"
            return None, f"Temporal: {error.status.name if error.status else 'error'}"
        except Exception as error:  # noqa: BLE001 - connection failures and the like: later
            return None, type(error).__name__
        return ("told" if waiting.paused else "signalled"), ""

    async def _down(self, error: Exception) -> None:
        # Our own reason, or the error's type: a database error's text carries its parameters.
        reason = str(error)[:200] if isinstance(error, Unreachable) else type(error).__name__
        log.warning("relay waiting: %s", reason)
        if self.down_since is None:
            self.down_since = time.monotonic()
            await self._event("ERROR", "relay.waiting", reason=reason)

    async def _up(self) -> None:
        if self.down_since is not None:
            waited = round(time.monotonic() - self.down_since, 1)
            self.down_since = None
            await self._event("INFO", "relay.resumed", waited_seconds=waited)

    async def _event(self, level: str, type_: str, **detail: Any) -> None:
        with contextlib.suppress(Exception):  # the database may be what is down
            await record_event(self.state, level, type_, **detail)

    async def _listen(self) -> None:
        """Set `wake` on every NOTIFY; reconnect after a failure (the poll covers the gap)."""
        url = async_url(self.state.settings.DATABASE_URL).replace("+psycopg", "", 1)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.wake.set()  # anything stored while we were not listening
                    async for _ in conn.notifies():
                        self.wake.set()
            except Exception as error:  # noqa: BLE001 - keep listening whatever happened
                log.warning("relay listener reconnecting: %s", error)
            await asyncio.sleep(self.poll_seconds)
