"""LeadWorkflow: one enquiry from first message to a final status, durable across restarts.

The conversation and every decision are made by the pure core (`consultation`); this workflow
orders the inputs (client messages, payments, artist decisions), runs the timers and carries out
what a turn decided (send, take a deposit, issue the artist's links, project) through activities.
"""

from __future__ import annotations

import asyncio
import contextlib
from copy import deepcopy
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.calendar import (
        BookRequest,
        BookResult,
        BusyRequest,
        CalendarView,
        CancelRequest,
        HoldRequest,
        HoldResult,
        Span,
    )
    from activities.links import IssueLinks
    from activities.media import StoredMedia, StoreMedia
    from activities.payments import CheckoutRequest, CheckoutSession
    from consultation.core import (
        Event,
        Inbound,
        Lead,
        Media,
        Outbound,
        Payment,
        Status,
        Turn,
        arrival,
        artist,
        booking,
        calendar_rules,
        delivery,
        engine,
    )
    from workflows.contracts import (
        ActionRequest,
        ActionResult,
        Carried,
        Delivery,
        LeadInput,
        LeadSnapshot,
        OptOutChange,
        PauseNotice,
        SendRequest,
        SendResult,
    )
    from workflows.visibility import Value, attributes, changes, shown

# Bounded so the carried state stays small; Meta's redeliveries come within days, and the edge
# dedupes in PostgreSQL first anyway.
SEEN_LIMIT = 500

SEND_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=30,
)
DB_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)
)
MEDIA_RETRY = RetryPolicy(
    initial_interval=timedelta(minutes=5), backoff_coefficient=1.0, maximum_attempts=5
)
PATCH_BOOKED_LINKS = "booked-leads-carry-links"
# One local activity per turn (projection, then replies), and the step shown only with a status
# change: the two dearest things the run did with every message (bench/RESULTS.md).
PATCH_LIGHTER_TURNS = "lighter-turns"
# The calendar rules come back with the busy times and stay with the lead (`Booking.rules`),
# so editing calendar_rules.yml cannot change what a running lead already decided on replay.
PATCH_RULES_IN_HISTORY = "rules-in-history"
# The core counts the reminders a turn really sent (`consultation.delivery`), in a turn of its
# own after the sends: runs from before it had no such turn.
PATCH_COUNT_SENT = "count-what-was-sent"

CALENDAR_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=2),
    maximum_attempts=20,
)


@workflow.defn
class LeadWorkflow:
    @workflow.init
    def __init__(self, start: LeadInput) -> None:
        self.contact_key = start.contact_key
        self.policy = start.policy
        self.base_url = start.public_base_url
        carried = start.carried or Carried(
            lead=Lead(
                lead_id=workflow.info().run_id,
                status="OPTOUT" if start.opted_out else "NEW",
                opted_out=start.opted_out,
            )
        )
        self.lead = carried.lead
        self.inbox = list(carried.inbox)
        self.payments = list(carried.payments)
        self.seen = list(carried.seen)
        self.seen_set = set(self.seen)
        self.sent = carried.sent
        self.paused: list[PauseNotice] = list(carried.paused)
        self.arrived = dict(carried.arrived)  # queued message id → when it reached us
        self.visible: dict[str, Value] = {}  # search attributes as last upserted
        # One turn at a time: the main loop and artist decisions (updates) both change the lead.
        self.turn_lock = asyncio.Lock()
        self.media_tasks: list[asyncio.Future[None]] = []

    # -- inputs ---------------------------------------------------------------------------------

    @workflow.signal
    def message(self, msg: Inbound) -> None:
        if msg.message_id in self.seen_set:
            return  # a redelivery the edge let through (e.g. its row was lost): ignore it
        self.seen.append(msg.message_id)
        self.seen_set.add(msg.message_id)
        if len(self.seen) > SEEN_LIMIT:
            self.seen_set.discard(self.seen.pop(0))
        # Meta does not guarantee order: queue by the client's own timestamp (stable for ties).
        position = len(self.inbox)
        while position > 0 and self.inbox[position - 1].sent_at > msg.sent_at:
            position -= 1
        self.inbox.insert(position, msg)
        self.arrived[msg.message_id] = workflow.now()

    @workflow.signal(name="hold")  # the wire name runs carry
    def paused_message(self, notice: PauseNotice) -> None:
        self.paused.append(notice)

    @workflow.signal
    def payment(self, payment: Payment) -> None:
        self.payments.append(payment)

    @workflow.update
    async def act(self, request: ActionRequest) -> ActionResult:
        async with self.turn_lock:
            # The validator ran before earlier turns finished: check again under the lock.
            if reason := self._refusal(request):
                return ActionResult(False, self.lead.status, reason)
            turn = artist.decide(self.lead, request.action, workflow.now(), self.policy)
            await self._carry_out(turn)
            return ActionResult(True, self.lead.status)

    @act.validator
    def validate_act(self, request: ActionRequest) -> None:
        if reason := self._refusal(request):
            raise ValueError(reason)

    @workflow.query
    def state(self) -> Lead:
        return self.lead

    def _refusal(self, request: ActionRequest) -> str | None:
        if request.issued_status and request.issued_status != self.lead.status:
            return (
                f"This link was for a lead in {request.issued_status}; "
                f"it is now {self.lead.status}."
            )
        return artist.why_not(self.lead, request.action)

    # -- the loop -------------------------------------------------------------------------------

    def _pending(self) -> bool:
        return bool(self.inbox or self.paused or self.payments)

    @workflow.run
    async def run(self, start: LeadInput) -> str:
        await self._publish(self.lead)
        while not (engine.finished(self.lead, self.policy) and not self._pending()):
            if not self._pending():
                due = engine.next_reminder_at(self.lead, self.policy)
                timeout = (due - workflow.now()).total_seconds() if due else None
                # An artist's decision (an update) changes the lead without any input queued:
                # wake up for it too, so the timers are those of the new state.
                version = self.lead.version
                if timeout is None or timeout > 0:
                    with contextlib.suppress(TimeoutError):
                        await workflow.wait_condition(
                            lambda v=version: self._pending() or self.lead.version != v,  # type: ignore[misc]
                            timeout=timeout,
                        )
                if self.lead.version != version:
                    continue
                if not self._pending():
                    await self._apply(engine.remind, None)
                    continue
            if self.paused:
                self.paused.pop(0)
                await self._apply(engine.status_reply, None)
            elif self.payments:
                await self._apply(artist.apply_payment, self.payments.pop(0))
            elif await self._settled():
                for msg in await self._read_next():
                    if msg.media and msg.media.media_id in self.lead.media:
                        self.media_tasks.append(asyncio.ensure_future(self._store_media(msg.media)))
            else:
                continue  # an older message, a payment or a pause notice came in: look again
            if workflow.info().is_continue_as_new_suggested() and not engine.finished(
                self.lead, self.policy
            ):
                await asyncio.gather(*self.media_tasks)
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(
                    LeadInput(
                        contact_key=self.contact_key,
                        policy=self.policy,
                        carried=Carried(
                            lead=self.lead,
                            inbox=self.inbox,
                            payments=self.payments,
                            seen=self.seen,
                            sent=self.sent,
                            paused=self.paused,
                            arrived=self.arrived,
                        ),
                        public_base_url=self.base_url,
                    )
                )
        await asyncio.gather(*self.media_tasks)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.lead.status

    # -- reading the client's messages in the order they were sent ---------------------------

    async def _settled(self) -> bool:
        """Whether the first queued message may be read now. Meta delivers a client's quick
        messages in separate webhooks, newest first at times; reading one only once it has
        settled (`arrival.settles_at`) lets an older one that is still on its way be sorted in
        ahead of it. The wait is a workflow timer: durable, and skipped through in tests."""
        head = self.inbox[0]
        due = arrival.settles_at(
            head.sent_at, self.arrived.get(head.message_id, workflow.now()), self.policy
        )
        wait = (due - workflow.now()).total_seconds()
        if wait <= 0:
            return True
        try:
            # Woken early by an older message sorted in ahead (it is read first, at once if it
            # has settled) or by a payment or pause notice, which does not wait for the client.
            await workflow.wait_condition(
                lambda: self.inbox[0] is not head or self._other_input(), timeout=wait
            )
        except TimeoutError:
            return True
        return False

    def _other_input(self) -> bool:
        return bool(self.paused or self.payments)

    async def _read_next(self) -> list[Inbound]:
        """Read the first queued message, with any sent in the same second: Meta's timestamps
        have one-second resolution, so their order is unknown and the core decides it."""
        count = next(
            (i for i, msg in enumerate(self.inbox) if msg.sent_at != self.inbox[0].sent_at),
            len(self.inbox),
        )
        group, self.inbox = self.inbox[:count], self.inbox[count:]
        for msg in group:
            self.arrived.pop(msg.message_id, None)
        if len(group) == 1:
            await self._apply(engine.handle, group[0])
        else:
            await self._apply(arrival.handle_together, group)
        return group

    # -- carrying out a turn --------------------------------------------------------------------

    async def _apply(self, decide, item) -> None:  # type: ignore[no-untyped-def]
        """Decide a turn from the state as it is once no other turn runs, then carry it out."""
        async with self.turn_lock:
            now = workflow.now()
            turn = (
                decide(self.lead, now, self.policy)
                if item is None
                else decide(self.lead, item, now, self.policy)
            )
            await self._carry_out(turn)

    async def _carry_out(self, turn: Turn) -> None:
        await self._commit(turn)
        # What the new state asks for (times to offer, a pick to hold, a hold to release, a
        # link to make, a paid hold to book), one at a time, each result decided by the core.
        while (need := booking.next_need(self.lead, workflow.now(), self.policy)) is not None:
            try:
                turn = await self._fulfil(need)
            except ActivityError as error:
                if isinstance(need, booking.ReleaseHold):
                    raise  # our own database, retried without limit: never given up on
                reason, now = str(error.cause or error), workflow.now()
                if isinstance(need, booking.MakeCheckout):
                    turn = booking.checkout_failed(self.lead, reason, now, self.policy)
                elif isinstance(need, booking.BookHold):
                    turn = booking.booked(self.lead, False, [], reason, now, self.policy)
                elif isinstance(need, booking.CancelBooking):
                    hold_id = need.appointment.hold_id
                    turn = booking.taken_out(self.lead, hold_id, now, self.policy, error=reason)
                else:
                    turn = booking.calendar_failed(self.lead, reason, now, self.policy)
            await self._commit(turn)

    async def _fulfil(self, need: booking.Need) -> Turn:
        lead_id = self.lead.lead_id
        if isinstance(need, booking.FindTimes):
            request = BusyRequest(lead_id, need.start, need.end)
            if not workflow.patched(PATCH_RULES_IN_HISTORY):
                busy = await workflow.execute_activity(
                    "busy_times",
                    request,
                    result_type=list[Span],
                    start_to_close_timeout=timedelta(seconds=30),
                    retry_policy=CALENDAR_RETRY,
                )
                spans = [(span.start, span.end) for span in busy]
                return booking.offer(self.lead, spans, workflow.now(), self.policy)
            view = await workflow.execute_activity(
                "calendar_view",
                request,
                result_type=CalendarView,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=CALENDAR_RETRY,
            )
            spans = [(span.start, span.end) for span in view.busy]
            rules = calendar_rules.from_history(view.rules)
            return booking.offer(self.lead, spans, workflow.now(), self.policy, rules)
        if isinstance(need, booking.PlaceHold):
            held = await workflow.execute_activity(
                "place_hold",
                HoldRequest(need.hold_id, lead_id, _spans(need.spans), need.expires_at),
                result_type=HoldResult,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=CALENDAR_RETRY,
            )
            return booking.held(
                self.lead, need.hold_id, need.expires_at, held.won, workflow.now(), self.policy
            )
        if isinstance(need, booking.ReleaseHold):
            await workflow.execute_activity(
                "release_hold",
                need.hold.hold_id,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=DB_RETRY,
            )
            if need.hold.session_id and not self._paid():
                await self._expire_checkout(need.hold.session_id)
            return booking.released(self.lead, need.hold.hold_id, workflow.now(), self.policy)
        if isinstance(need, booking.CancelBooking):
            appointment = need.appointment
            await workflow.execute_activity(
                "cancel_booking",
                CancelRequest(appointment.hold_id, appointment.event_ids),
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=CALENDAR_RETRY,
            )
            return booking.taken_out(self.lead, appointment.hold_id, workflow.now(), self.policy)
        if isinstance(need, booking.MakeCheckout):
            session = await self._checkout(need.expires_at)
            return artist.deposit_link(
                self.lead,
                session.session_id,
                session.url,
                session.expires_at,
                workflow.now(),
                self.policy,
            )
        done = await workflow.execute_activity(
            "book_slot",
            BookRequest(
                need.hold.hold_id,
                lead_id,
                workflow.info().workflow_id,
                need.event_id,
                _spans(need.spans),
                need.title,
                need.description,
            ),
            result_type=BookResult,
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=CALENDAR_RETRY,
        )
        return booking.booked(
            self.lead, done.booked, done.event_ids, done.reason, workflow.now(), self.policy
        )

    def _paid(self) -> bool:
        return self.lead.deposit is not None and self.lead.deposit.paid_at is not None

    async def _expire_checkout(self, session_id: str) -> None:
        """Close the link of a released hold. A session already completed (a payment on its
        way) cannot be expired: that payment takes the slot back if it is still free."""
        try:
            await workflow.execute_activity(
                "expire_checkout",
                session_id,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=SEND_RETRY,
            )
        except ActivityError as error:
            workflow.logger.warning("checkout not expired: %s", error.cause or error)

    async def _commit(self, turn: Turn) -> None:
        before = self.lead
        lead = turn.lead
        lead.version = before.version + 1
        self.lead = lead
        if lead.opted_out != before.opted_out:
            await workflow.execute_activity(
                "set_opt_out",
                OptOutChange(self.contact_key, lead.opted_out),
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=DB_RETRY,
            )
        replies = [await self._with_links(reply) for reply in turn.replies]
        window_open = engine.window_open(lead, workflow.now())
        sends = []
        for reply in replies:
            self.sent += 1
            sends.append(
                SendRequest(
                    # Numbered here, so a retry never sends twice.
                    outbound_id=f"{lead.lead_id}:{self.sent}",
                    contact_key=self.contact_key,
                    lead_id=lead.lead_id,
                    message=reply,
                    window_open=window_open if reply.to == "client" else True,
                )
            )
        results = await self._publish(lead, turn.events, sends)
        # The core counts the reminders that went out, not those that were only due.
        counted = delivery.count(lead, results, workflow.now(), self.policy)
        if counted is not None and workflow.patched(PATCH_COUNT_SENT):
            await self._commit(counted)

    async def _with_links(self, reply: Outbound) -> Outbound:
        """Messages to the artist carry the one-tap links that fit the lead's status now."""
        actions = artist.actions_for(self.lead)
        if reply.to != "artist" or not actions:
            return reply
        # Booked leads gained links (move, cancel) while leads were running: a run that booked
        # before that keeps sending its booked messages without them, as its history says.
        if self.lead.status == Status.BOOKED and not workflow.patched(PATCH_BOOKED_LINKS):
            return reply
        links = await workflow.execute_activity(
            "issue_links",
            IssueLinks(self.lead.lead_id, workflow.info().workflow_id, self.lead.status, actions),
            result_type=dict[str, str],
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=DB_RETRY,
        )
        return artist.with_links(reply, links)

    async def _checkout(self, expires_at: datetime) -> CheckoutSession:
        deposit = self.lead.deposit
        assert deposit is not None
        return await workflow.execute_activity(
            "create_checkout",
            CheckoutRequest(
                lead_id=self.lead.lead_id,
                workflow_id=workflow.info().workflow_id,
                amount_pence=deposit.amount_pence,
                description=f"Tattoo deposit ({deposit.rule_version})",
                # Derived here, so a retried activity never creates a second session.
                idempotency_key=f"{self.lead.lead_id}:deposit:{deposit.attempt + 1}",
                expires_at=expires_at,  # the hold's end: the link lives as long as the hold
                success_url=f"{self.base_url}/payment/success",
                cancel_url=f"{self.base_url}/payment/cancelled",
                reuse_session_id=deposit.session_id,
            ),
            result_type=CheckoutSession,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=SEND_RETRY,
        )

    async def _store_media(self, media: Media) -> None:
        """Keep a reference image in our storage (Meta's copy expires), beside the conversation:
        five tries, five minutes apart; a lost image never holds the consultation up."""
        request = StoreMedia(
            self.lead.lead_id, media.media_id, media.kind, media.mime_type, media.sha256
        )
        try:
            stored = await workflow.execute_activity(
                "store_media",
                request,
                result_type=StoredMedia,
                start_to_close_timeout=timedelta(minutes=2),
                retry_policy=MEDIA_RETRY,
            )
        except ActivityError as error:
            failure = Event("media.store_failed", "ERROR", {"media_id": media.media_id})
            failure.detail["error"] = str(error.cause or error)[:200]
            async with self.turn_lock:
                await self._commit(Turn(deepcopy(self.lead), events=[failure]))
            return
        async with self.turn_lock:
            lead = deepcopy(self.lead)
            lead.reference_urls.append(stored.url)
            await self._commit(
                Turn(lead, events=[Event("media.stored", detail={"media_id": media.media_id})])
            )

    async def _publish(
        self, lead: Lead, events: list[Event] | None = None, sends: list[SendRequest] | None = None
    ) -> list[delivery.Sent]:
        """Show the lead in the Temporal UI, then in one local activity project it to
        PostgreSQL with its events and send the turn's replies in order. One activity, not one
        per write: each local activity costs the worker about what a whole workflow task does
        (bench/floor.py), and it needs no round trip through the server. Returns what became
        of each reply."""
        events, sends = events or [], sends or []
        if not workflow.patched(PATCH_LIGHTER_TURNS):
            return await self._publish_as_before(lead, events, sends)
        status_changed = self._show(lead, step_follows_status=True)
        info = workflow.info()
        snapshot = LeadSnapshot(
            self.contact_key, info.workflow_id, info.run_id, lead, events, status_changed
        )
        try:
            results = await workflow.execute_local_activity(
                "deliver_turn",
                Delivery(snapshot, sends),
                result_type=list[SendResult],
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=SEND_RETRY if sends else DB_RETRY,
                # Retries back off on durable timers: an outage shows in the history as waits,
                # not as one workflow task held open for a minute at a time.
                local_retry_threshold=timedelta(seconds=1),
            )
        # A local activity that spent its retries raises the activity's own failure.
        except (ActivityError, ApplicationError) as error:
            if not sends:
                raise  # our own database, retried without limit
            # WhatsApp kept failing through every retry (hours): give these replies up on the
            # record rather than fail the run; the lead was projected first and goes on.
            reason = str(error.cause or error)[:200]
            gave_up = [
                Event(
                    "whatsapp.send_gave_up", "ERROR", {"message": send.message.key, "error": reason}
                )
                for send in sends
            ]
            # The turn's own events come first again: stored already, keyed by position.
            await self._publish(lead, [*events, *gave_up])
            return [delivery.Sent(send.message.key, "GAVE_UP") for send in sends]
        for send, result in zip(sends, results, strict=True):
            if result.status in ("FAILED", "SKIPPED"):
                workflow.logger.warning("reply %s not sent: %s", send.message.key, result.status)
        return [
            delivery.Sent(send.message.key, result.status)
            for send, result in zip(sends, results, strict=True)
        ]

    def _show(self, lead: Lead, *, step_follows_status: bool) -> bool:
        """Upsert the search attributes that changed; True when the status did."""
        current = shown(self.visible, attributes(lead), step_follows_status=step_follows_status)
        status_changed = current.get("LeadStatus") != self.visible.get("LeadStatus")
        if updates := changes(self.visible, current):
            workflow.upsert_search_attributes(updates)
        self.visible = current
        return status_changed

    async def _publish_as_before(
        self, lead: Lead, events: list[Event], sends: list[SendRequest]
    ) -> list[delivery.Sent]:
        """Runs started before PATCH_LIGHTER_TURNS, exactly as their histories say: the replies
        one local activity each, the projection in another beside them, the step shown with
        every message."""

        async def project() -> None:
            status_changed = self._show(lead, step_follows_status=False)
            info = workflow.info()
            await workflow.execute_local_activity(
                "save_lead",
                LeadSnapshot(
                    self.contact_key, info.workflow_id, info.run_id, lead, events, status_changed
                ),
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=DB_RETRY,
            )

        bookkeeping = asyncio.ensure_future(project())
        sent = []
        for send in sends:
            result = await workflow.execute_local_activity(
                "send_message",
                send,
                result_type=SendResult,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=SEND_RETRY,
            )
            if result.status in ("FAILED", "SKIPPED"):
                workflow.logger.warning("reply %s not sent: %s", send.message.key, result.status)
            sent.append(delivery.Sent(send.message.key, result.status))
        await bookkeeping
        return sent


def _spans(intervals: list[tuple[datetime, datetime]]) -> list[Span]:
    return [Span(start, end) for start, end in intervals]
