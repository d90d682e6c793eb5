"""After booking: the client's change requests, the artist calling off or moving the booking,
and the appointment's reminders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from consultation import outbound
from consultation.booking.holds import hold_lapsed
from consultation.booking.needs import rules_of
from consultation.booking.rounds import restart
from consultation.booking.wording import booking_params, when_text
from consultation.intents import asks_refund, booking_change, wants_data_deleted, wants_human
from consultation.lead import Appointment, Lead, Policy
from consultation.reply import Reply
from consultation.statuses import Status
from consultation.templates import template
from consultation.terms import deposit_terms, move_verdict, times
from consultation.text import cap

Timer = tuple[datetime, Callable[[Reply], None]]


def timers(lead: Lead, policy: Policy) -> list[Timer]:
    """The hold's expiry while unpaid, and around a booked appointment its reminders and end."""
    b = lead.booking
    if lead.status == Status.AWAITING_DEPOSIT and b.hold is not None:
        return [(b.hold.expires_at, hold_lapsed)]
    if lead.status != Status.BOOKED or b.slot is None or b.over:
        return []
    hours = policy.appointment_reminder_hours
    if b.reminders_sent < len(hours):
        return [(b.slot.start - timedelta(hours=hours[b.reminders_sent]), _remind_appointment)]
    return [(b.slot.end, _appointment_over)]


def after_booking(reply: Reply, text: str) -> None:
    lead = reply.lead
    slot = lead.booking.slot
    if wants_human(text) or asks_refund(text) or wants_data_deleted(text):
        # A booked lead cannot be handed over (it stays booked): the artist gets the message.
        lead.last_status_reply_at = reply.now
        reply.send(
            outbound.text(
                "client", reply.say("booking.change.client.manual"), "booking.change.client"
            )
        )
        reply.tell_artist("artist.booked_client_asks", text=cap(text, 500))
        reply.event("booking.client_asks")
        return
    change = booking_change(text)
    if change is not None and slot is None:
        # Booked by hand: no date here to apply the policy to, so the artist judges it.
        lead.last_status_reply_at = reply.now
        reply.send(
            outbound.text(
                "client", reply.say("booking.change.client.manual"), "booking.change.client"
            )
        )
        reply.tell_artist("artist.change_request.manual", change=change)
        reply.event("booking.change_requested", change=change)
        return
    if change is None or slot is None:
        if reply.may_send_status():
            lead.last_status_reply_at = reply.now
            when = when_text(slot, rules_of(reply.lead)) if slot else ""
            key = "booking.booked_reply" if slot else "status_reply.booked"
            reply.send(outbound.text("client", reply.say(key, when=when), key))
        return
    policy = reply.policy
    hours = policy.reschedule_notice_hours
    notice = int((slot.start - reply.now) / timedelta(hours=1))
    within = notice >= hours
    # What the policy says, with the moves already used: the artist sees it with the request.
    used, free = lead.booking.moves, policy.free_moves
    outcome = "cancel" if change == "cancel" else move_verdict(lead, notice, policy)
    client_key = (
        "booking.change.client.cancel"
        if outcome == "cancel"
        else f"booking.change.client.reschedule.{outcome}"
    )
    verdict = reply.say(f"artist.change.{outcome}", hours=hours, used=used, free=free)
    lead.last_status_reply_at = reply.now
    body = reply.say(client_key, hours=hours, moves=times(used))
    reply.send(outbound.text("client", body, client_key))
    reply.tell_artist(
        "artist.change_request",
        change=change,
        when=when_text(slot, rules_of(reply.lead)),
        notice=max(notice, 0),
        verdict=verdict,
    )
    reply.event(
        "booking.change_requested",
        change=change,
        notice_hours=str(notice),
        within=str(within),
        moves_used=str(used),
    )


def call_off(reply: Reply) -> None:
    """The artist cancels the booking: CANCELLED, the client told, and the calendar freed."""
    lead = reply.lead
    b = lead.booking
    when = when_text(b.slot, rules_of(reply.lead)) if b.slot else ""
    if b.slot is not None and b.booked_hold_id:
        b.cancel.append(Appointment(b.booked_hold_id, list(b.event_ids)))
    reply.move(Status.CANCELLED)
    key = "booking.cancelled" if when else "booking.cancelled.no_date"
    fallback = template("appointment_cancelled", reply.policy.artist_name, when or "-")
    reply.send(outbound.text("client", reply.say(key, when=when), key, fallback))
    reply.event("lead.cancelled", slot=b.slot.start.isoformat() if b.slot else "")


def move(reply: Reply) -> None:
    """The artist moves the booking: the client picks a new time (paid already, so it is
    booked at once); the old booking stands until then."""
    reply.lead.booking.moving = True
    reply.move(Status.BOOKING_PENDING)
    restart(reply, "reschedule")


def _remind_appointment(reply: Reply) -> None:
    b = reply.lead.booking
    if b.slot is None:
        return
    hours = reply.policy.appointment_reminder_hours
    due = sum(1 for h in hours if b.slot.start - timedelta(hours=h) <= reply.now)
    b.reminders_sent = max(b.reminders_sent + 1, due)
    params = booking_params(reply)
    body = reply.say("booking.reminder", policy=deposit_terms(reply.policy), **params)
    fallback = template(
        "appointment_reminder",
        reply.policy.artist_name,
        f"{params['when']} ({params['zone']})",
        params["place"],
    )
    reply.send(outbound.text("client", body, "booking.reminder", fallback))
    reply.event("booking.reminder", number=str(b.reminders_sent))


def _appointment_over(reply: Reply) -> None:
    reply.lead.booking.over = True
    reply.event("booking.appointment_over")
