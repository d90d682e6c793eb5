"""LeadWorkflow: one enquiry from first message to a final status, durable across restarts.

The conversation and every decision are made by the pure core (`consultation`); this workflow
orders the inputs (client messages, payments, artist decisions), runs the timers and carries out
what a turn decided (send, take a deposit, issue the artist's links, project) through activities.
"""

from __future__ import annotations

import asyncio
from copy import deepcopy

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.artist_settings import SettingsActivities
    from activities.campaign_replies import CampaignReplyActivities, WaitlistedRequest
    from activities.contracts import OptOutChange, SendRequest
    from activities.media import MediaActivities, StoreMedia
    from activities.records import RecordActivities
    from consultation.core import (
        ArtistSettings,
        Event,
        Inbound,
        Lead,
        Media,
        Payment,
        Turn,
        arrival,
        artist,
        booking,
        delivery,
        engine,
        takeover,
    )
    from workflows import calls, lead_booking
    from workflows.alarm import Alarm
    from workflows.contracts import ActionRequest, ActionResult, Carried, LeadInput, PauseNotice
    from workflows.lead_inbox import Inbox
    from workflows.lead_publish import Publisher, with_links

# The SDK metric (on the worker's Temporal metrics port) counting timers that fired.
TIMERS_FIRED = "inkflow_timers_fired"


@workflow.defn(name="LeadWorkflow")
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
        self.inbox = Inbox(carried.inbox, carried.seen, carried.arrived)
        self.payments = list(carried.payments)
        self.sent = carried.sent
        self.paused: list[PauseNotice] = list(carried.paused)
        self.publisher = Publisher(start.contact_key)
        # One turn at a time: the main loop and artist decisions (updates) both change the lead.
        self.turn_lock = asyncio.Lock()
        self.media_tasks: list[asyncio.Future[None]] = []
        self.alarm = Alarm()  # the reminder timer

    # -- inputs ---------------------------------------------------------------------------------

    @workflow.signal
    def message(self, msg: Inbound) -> None:
        self.inbox.add(msg, workflow.now())

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
        await self._take_settings()
        if not self._pending():
            # Shown at once; a run started with input (signal-with-start: always) is shown by
            # its first turn a moment later, which spares a new lead one projection.
            await self.publisher.publish(self.lead)
        while not (engine.finished(self.lead, self.policy) and not self._pending()):
            if not self._pending():
                due = engine.next_reminder_at(self.lead, self.policy)
                if due is None or due > workflow.now():
                    # Wait for an input, an artist's decision (an update changes the lead with
                    # nothing queued, and the timers must be those of the new state), or the
                    # alarm; then look again.
                    version = self.lead.version
                    alarm = self.alarm.set_for(due)
                    await workflow.wait_condition(
                        lambda v=version, a=alarm: (  # type: ignore[misc]
                            self._pending() or self.lead.version != v or a.done()
                        )
                    )
                    continue
                # A durable timer fired (a reminder, a hold's hour, an expiry). Counted through
                # the SDK's meter, which records nothing on replay.
                meter = workflow.metric_meter()
                meter.create_counter(TIMERS_FIRED, "Lead timers that fired").add(1)
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
                            inbox=self.inbox.messages,
                            payments=self.payments,
                            seen=self.inbox.seen,
                            sent=self.sent,
                            paused=self.paused,
                            arrived=self.inbox.arrived,
                        ),
                        public_base_url=self.base_url,
                    )
                )
        await asyncio.gather(*self.media_tasks)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.lead.status

    async def _take_settings(self) -> None:
        """The artist's settings version in force now becomes this lead's for good: kept in
        its policy (and carried by continue-as-new), so a later save never changes its quote
        or its times, and the activity's result in history makes replay exact."""
        if self.policy.settings_version is not None:  # taken already (continue-as-new)
            return
        taken = await workflow.execute_local_activity_method(
            SettingsActivities.settings_in_force, self.lead.lead_id, **calls.PROJECT
        )
        settings = ArtistSettings.from_mapping(taken.settings)
        self.policy = settings.apply(self.policy, taken.version)

    # -- reading the client's messages in the order they were sent ---------------------------

    async def _settled(self) -> bool:
        """Whether the first queued message may be read now. Meta delivers a client's quick
        messages in separate webhooks, newest first at times; reading one only once it has
        settled (`arrival.settles_at`) lets an older one that is still on its way be sorted in
        ahead of it. The wait is a workflow timer: durable, and skipped through in tests."""
        head = self.inbox.head()
        wait = (self.inbox.settles_at(workflow.now(), self.policy) - workflow.now()).total_seconds()
        if wait <= 0:
            return True
        try:
            # Woken early by an older message sorted in ahead (it is read first, at once if it
            # has settled) or by a payment or pause notice, which does not wait for the client.
            await workflow.wait_condition(
                lambda: self.inbox.head() is not head or self._other_input(), timeout=wait
            )
        except TimeoutError:
            return True
        return False

    def _other_input(self) -> bool:
        return bool(self.paused or self.payments)

    async def _read_next(self) -> list[Inbound]:
        """Read the first queued message, with any sent in the same second: Meta's timestamps
        have one-second resolution, so their order is unknown and the core decides it. The
        artist's messages (queued with the client's by the relay) are read one at a time."""
        group = self.inbox.take_next()
        if group[0].from_artist:
            await self._apply(takeover.artist_message, group[0])
        elif len(group) == 1:
            await self._handle(group[0])
        else:
            await self._apply(arrival.handle_together, group)
        return group

    async def _handle(self, msg: Inbound) -> None:
        """One client message. A campaign reply that may answer a tour announcement reads what
        the core needs first (the stop, the contact's waitlisted enquiry); the core checks the
        lead again, since an artist's decision may have moved it meanwhile."""
        if not engine.wants_context(self.lead, msg):
            await self._apply(engine.handle, msg)
            return
        waitlisted = await workflow.execute_local_activity_method(
            CampaignReplyActivities.waitlisted,
            WaitlistedRequest(msg.campaign_id, self.contact_key),
            **calls.PROJECT,
        )
        await self._apply(engine.handle_tour_reply, engine.TourReply(msg, waitlisted))

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
            await self._commit(
                await lead_booking.fulfil(self.lead, need, self.policy, self.base_url)
            )

    async def _commit(self, turn: Turn) -> None:
        before = self.lead
        lead = turn.lead
        lead.version = before.version + 1
        self.lead = lead
        if lead.opted_out != before.opted_out:
            await workflow.execute_activity_method(
                RecordActivities.set_opt_out,
                OptOutChange(self.contact_key, lead.opted_out),
                **calls.DB,
            )
        replies = [await with_links(lead, reply) for reply in turn.replies]
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
        results = await self.publisher.publish(lead, turn.events, sends)
        # The core counts the reminders that went out, not those that were only due.
        counted = delivery.count(lead, results, workflow.now(), self.policy)
        if counted is not None:
            await self._commit(counted)

    async def _store_media(self, media: Media) -> None:
        """Keep a reference image in our storage (Meta's copy expires), beside the conversation:
        five tries, five minutes apart; a lost image never holds the consultation up."""
        request = StoreMedia(
            self.lead.lead_id, media.media_id, media.kind, media.mime_type, media.sha256
        )
        try:
            stored = await workflow.execute_activity_method(
                MediaActivities.store_media, request, **calls.MEDIA
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
