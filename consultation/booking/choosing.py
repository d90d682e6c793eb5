"""A client message about times or the booking (`on_message`): a pick from the offered list,
or a message while a slot is held; preferred windows and after-booking messages go to their
own modules."""

from __future__ import annotations

from datetime import datetime, timedelta

from consultation import outbound, slot_choice
from consultation.booking.appointment import after_booking
from consultation.booking.holds import give_up_hold, held_text
from consultation.booking.needs import CHOOSING, Interval, rules_of
from consultation.booking.rounds import restart
from consultation.booking.windows import take_window
from consultation.booking.wording import example, when_text
from consultation.lead import Lead, Policy, Slot
from consultation.messages import Inbound
from consultation.money import format_money
from consultation.reply import Reply
from consultation.slots import format_slot, free_slots
from consultation.statuses import Status
from consultation.templates import template

MAX_FAILURES = 3  # replies to the list not understood in a row before the artist steps in


def on_message(reply: Reply, msg: Inbound, text: str) -> bool:
    """A client message about times or the booking; False when it is not for us."""
    status = reply.lead.status
    b = reply.lead.booking
    if status == Status.COLLECTING_TIME_WINDOWS:
        take_window(reply, text)
        return True
    if status == Status.BOOKED:
        after_booking(reply, text)
        return True
    if status not in CHOOSING or b.wants_slots or b.picked is not None:
        return False
    if b.hold is not None:
        return _while_held(reply, msg, text)
    if b.offered:
        _choose(reply, msg, text)
        return True
    if status == Status.AWAITING_DEPOSIT:
        restart(reply, "again")  # nothing on offer (an old link, say): show the times
        return True
    return False


def free_times(lead: Lead, busy: list[Interval], now: datetime, policy: Policy) -> list[Slot]:
    estimate = lead.estimate
    category = estimate.category if estimate else "MEDIUM"
    tour_city = lead.parsed.get("tour_city")
    return free_slots(
        rules_of(lead),
        category,
        estimate.days if estimate else None,
        busy,
        now,
        policy.tour,
        str(tour_city) if tour_city else None,
    )


def send_offer(reply: Reply, intro: str, more: bool) -> None:
    b = reply.lead.booking
    deposit = reply.lead.deposit
    amount = format_money(deposit.amount_pence, reply.policy.currency) if deposit else ""
    rules = rules_of(reply.lead)
    lines = "\n".join(f"{i}. {when_text(slot, rules)}" for i, slot in enumerate(b.offered, start=1))
    body = reply.say(
        "booking.offer",
        intro=reply.say(f"booking.intro.{intro}", amount=amount),
        lines=lines,
        example=example(b.offered[0], rules),
    )
    rows = [(row.id, row.title, row.description) for row in slot_choice.slot_rows(b.offered, rules)]
    if more:
        rows.append(
            (
                slot_choice.MORE_ID,
                reply.say("booking.offer.more_row"),
                reply.say("booking.offer.more_description"),
            )
        )
    fallback = template("booking_times", reply.policy.artist_name)
    reply.send(
        outbound.choices(
            "client",
            body,
            reply.say("booking.offer.button"),
            rows,
            f"booking.offer.{intro}",
            fallback,
        )
    )


def _choose(reply: Reply, msg: Inbound, text: str) -> None:
    b = reply.lead.booking
    choice_id = msg.choice_id if msg.kind == "choice" else None
    # After "10am or 2pm?", "2pm" is read against those two first.
    pool = [i for i in b.candidates if i < len(b.offered)] or list(range(len(b.offered)))
    rules = rules_of(reply.lead)
    choice = slot_choice.choose(text, choice_id, [b.offered[i] for i in pool], rules)
    if len(pool) < len(b.offered) and isinstance(choice, slot_choice.NotUnderstood):
        pool = list(range(len(b.offered)))
        choice = slot_choice.choose(text, choice_id, b.offered, rules)
    if isinstance(choice, slot_choice.Chosen):
        index = pool[choice.index]
        slot = b.offered[index]
        if slot.start - reply.now < timedelta(hours=rules.minimum_notice_hours) / 2:
            # Picked from a list that has aged: a list keeps for a while (its first time sits
            # right at the notice), but a time within half the notice is too close, or gone.
            reply.event("booking.pick_too_late", slot=slot.start.isoformat())
            restart(reply, "stale")
            return
        b.picked, b.candidates, b.failures = slot, [], 0
        reply.event("booking.picked", option=str(index + 1))
    elif isinstance(choice, slot_choice.Ambiguous):
        b.candidates = [pool[i] for i in choice.candidates]
        _ask_which(reply, choice.question)
    elif isinstance(choice, slot_choice.WantsMore):
        b.wants_slots, b.intro, b.candidates = True, "more", []
    else:
        b.failures += 1
        b.candidates = []
        reply.event("booking.not_understood", "WARN", attempt=str(b.failures))
        if b.failures >= MAX_FAILURES:  # §14.4: the artist takes over rather than loop
            reply.hand_over(
                "slot_choice", f"Could not understand a time after {MAX_FAILURES} tries"
            )
            return
        reply.send(outbound.text("client", choice.hint, "booking.repair"))


def _ask_which(reply: Reply, question: str) -> None:
    b = reply.lead.booking
    if len(b.candidates) > 3:  # more than three buttons allow
        reply.send(outbound.text("client", question, "booking.which"))
        return
    options = [
        (slot_choice.row_id(i, b.offered[i]), format_slot(b.offered[i], rules_of(reply.lead)))
        for i in b.candidates
    ]
    reply.send(outbound.buttons("client", question, options, "booking.which"))


def _while_held(reply: Reply, msg: Inbound, text: str) -> bool:
    """A message while a slot is held for payment: other times on request, else a reminder of
    the hold and the link (at most once per status-reply cooldown)."""
    b = reply.lead.booking
    choice_id = msg.choice_id if msg.kind == "choice" else None
    if isinstance(
        slot_choice.choose(text, choice_id, [], rules_of(reply.lead)), slot_choice.WantsMore
    ):
        give_up_hold(reply)
        b.wants_slots, b.intro = True, "more"
        return True
    if reply.lead.deposit is None or reply.lead.deposit.url is None:
        return True  # the link is on its way
    if reply.may_send_status():
        reply.lead.last_status_reply_at = reply.now
        reply.send(
            outbound.text(
                "client", reply.say("booking.hold_reply", **held_text(reply)), "booking.hold_reply"
            )
        )
    return True
