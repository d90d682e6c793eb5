"""The state of one enquiry, as the lead workflow carries it, and the result of one turn.

Plain dataclasses so Temporal's JSON converter round-trips them and continue-as-new can carry
them. Only add fields with defaults: running workflows must keep deserialising.
"""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload, and string annotations made that ~4x slower.

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from consultation.currency import DEFAULT_RATES, DEFAULT_RATES_DATE
from consultation.messages import Outbound
from consultation.prices import Prices


@dataclass
class Estimate:
    category: str  # SMALL | MEDIUM | LARGE | XL
    deposit_pence: int
    days: float | None  # XL only
    price_min_pence: int
    price_max_pence: int
    min_budget_pence: int
    region: str  # UK | EUROPE | ROW
    currency: str = "GBP"  # of every amount above (minor units)


@dataclass
class TourStop:
    city: str
    country: str
    start: str  # ISO date
    end: str  # ISO date
    # The stop's IANA zone (e.g. "Europe/Berlin"): its sessions keep the artist's local working
    # hours there and are shown in its time. Empty: the artist's own zone.
    timezone: str = ""


@dataclass
class Deposit:
    """The deposit the artist approved: the amount is locked at approval, so a later change to
    the pricing rules never changes what the client was asked for (`rule_version` says which
    rules priced it)."""

    amount_pence: int
    rule_version: str
    attempt: int = 0  # checkout links made for this deposit
    session_id: str | None = None  # the current Stripe checkout session
    url: str | None = None  # None: the workflow must make a fresh checkout (`needs_checkout`)
    expires_at: datetime | None = None  # when the current checkout session stops working
    # Start of the current round of asking (the first link after approval or `send_deposit`);
    # links re-made for reminders or failures keep it, so they never push the expiry back.
    sent_at: datetime | None = None
    # Deposit reminders fallen due in this round, sent or not: the schedule's place (those
    # really sent are counted in `Lead.reminders_delivered`). Likewise the counters below.
    reminders_sent: int = 0
    paid_at: datetime | None = None
    paid_pence: int | None = None
    payment_intent: str | None = None
    refunded_pence: int = 0  # the total refunded so far


@dataclass(frozen=True)
class Slot:
    """A session the client could book, in UTC. A multi-day XL slot runs from the opening of
    its first working day to the close of its last; `days` says how many working days."""

    start: datetime
    end: datetime
    days: int = 1


@dataclass
class Hold:
    """A slot held in PostgreSQL for this lead while the client pays."""

    hold_id: str
    slot: Slot
    expires_at: datetime
    session_id: str | None = None  # the checkout session bound to this hold


@dataclass
class Appointment:
    """A booking to take out of the calendar (cancelled, or moved to another time)."""

    hold_id: str
    event_ids: list[str] = field(default_factory=list)


@dataclass
class Booking:
    """Choosing a time and booking it. The workflow reads what is wanted from here
    (`consultation.booking.next_need`): times to offer, a pick to hold, a hold to release, a
    paid hold to book."""

    offered: list[Slot] = field(default_factory=list)  # the list the client picks from, 1..n
    seen: list[datetime] = field(default_factory=list)  # starts offered this round ("more")
    candidates: list[int] = field(default_factory=list)  # an ambiguous reply's options
    failures: int = 0  # replies to the list not understood in a row
    wants_slots: bool = False  # the workflow must read the calendar and offer times
    intro: str = ""  # why times are (re)offered: approved | more | taken | lapsed | ...
    picked: Slot | None = None  # the client's pick: the workflow must hold it
    rebook: bool = False  # the pick is a paid, lapsed hold being taken again
    hold: Hold | None = None
    holds: int = 0  # holds placed so far: numbers the hold ids
    lapsed: list[Hold] = field(default_factory=list)  # released holds, for late payments
    release: list[Hold] = field(default_factory=list)  # holds the workflow must release
    slot: Slot | None = None  # the booked session
    bookings: int = 0  # sessions booked so far: numbers the calendar event ids
    event_ids: list[str] = field(default_factory=list)
    reminders_sent: int = 0  # appointment reminders fallen due
    over: bool = False  # the appointment has passed
    windows: list[str] = field(default_factory=list)  # preferred times when nothing is free
    booked_hold_id: str = ""  # the hold that became the booking
    moving: bool = False  # the artist is moving the booking: it stands until the new one is in
    cancel: list[Appointment] = field(default_factory=list)  # for the workflow to take out
    # The calendar rules the times were offered under, as the calendar activity reported them
    # (`calendar_rules.to_mapping`); empty for runs from before the rules were recorded.
    rules: dict[str, Any] = field(default_factory=dict)
    moves: int = 0  # times the booking was moved to another time (the policy allows free ones)


class PaymentKind(StrEnum):
    """What a payment-provider event means for a deposit, as the edge maps Stripe's events.
    The values are carried in histories: add members, never rename or remove one."""

    PAID = "paid"
    PENDING = "pending"
    FAILED = "failed"
    EXPIRED = "expired"
    REFUNDED = "refunded"
    IGNORED = "ignored"


@dataclass
class Payment:
    """One payment-provider event, already mapped from Stripe's vocabulary by the edge.

    kind: a `PaymentKind` value; kept a plain string so a kind this code does not know yet is
    recorded (`payment.unknown_kind`) rather than failing the signal. `amount_pence` is what was
    paid, or for `refunded` the total refunded so far on that payment (Stripe's
    `amount_refunded`), so redeliveries and out-of-order events cannot double count."""

    event_id: str
    kind: str
    session_id: str | None = None
    payment_intent: str | None = None
    amount_pence: int | None = None


@dataclass
class Policy:
    """Configuration the conversation needs, passed in by the workflow (never read from env)."""

    artist_name: str = "the artist"
    tour: list[TourStop] = field(default_factory=list)
    status_reply_cooldown_hours: int = 6
    reminder_1_hours: int = 12
    reminder_2_hours: int = 36  # after the last client message; no reply by then → ABANDONED
    studio_city: str = "London"  # where the artist works when not on tour
    # Hours after the deposit link was first sent: reminders, then the request lapses.
    deposit_reminder_hours: tuple[int, ...] = (24, 72)
    deposit_expiry_hours: int = 96
    approval_stale_hours: int = 72  # PENDING_APPROVAL this long → the artist is nudged once
    booking_reminder_hours: tuple[int, ...] = (24, 72)  # BOOKING_PENDING → artist reminders
    # The deposit terms shown to clients; empty: the standard wording, with the notice and the
    # free moves below (`consultation.terms`).
    deposit_policy: str = ""
    deposit_rule_version: str = "2026-11"
    # How long a chosen slot is held while the client pays: the Checkout Session lives as long
    # (Stripe allows 30 min to 24 h).
    hold_minutes: int = 60
    appointment_reminder_hours: tuple[int, ...] = (48, 24)  # before the appointment
    reschedule_notice_hours: int = 48  # a move with this much notice is within the policy
    free_moves: int = 1  # moves of a booked session the deposit covers
    # Waiting on the artist this long (unpaid) → STALE; the client returning is welcomed back.
    stale_after_days: int = 14
    # No free times: the client is reminded to send the times that suit them after this long,
    # and the artist is handed whatever came after the longer wait.
    windows_reminder_hours: int = 24
    windows_wait_hours: int = 72
    studio_address: str = ""
    # Ask for marketing consent at the end of a consultation and at booking. Off by default,
    # so runs started before campaigns existed replay as they were recorded.
    ask_marketing_consent: bool = False
    # How long after the client sent it a message waits before it is read, so an older one
    # Meta delivers late can still be read first (`consultation.arrival`).
    settle_seconds: float = 2.0
    # The artist's settings version this lead took (`consultation.artist_settings`): its price
    # list and calendar rules stay the lead's own for the whole run, whatever is saved later.
    # None: a run from before settings were versioned (the bundled rules, the standard prices).
    settings_version: int | None = None
    prices: Prices = field(default_factory=Prices)
    rules: dict[str, Any] | None = None  # `calendar_rules.Rules.to_mapping()` of that version

    @property
    def currency(self) -> str:
        return self.prices.currency

    # What one unit of another currency is worth in the artist's ("EUR=0.85,USD=0.79") and the
    # day they were taken: a budget in euros is converted with these (`consultation.currency`).
    currency_rates: str = DEFAULT_RATES
    currency_rates_date: str = DEFAULT_RATES_DATE

    def deposit_deadline(self, sent_at: datetime) -> datetime:
        """When a deposit request first sent at `sent_at` lapses (DEPOSIT_EXPIRED)."""
        return sent_at + timedelta(hours=self.deposit_expiry_hours)


@dataclass
class Lead:
    lead_id: str = ""
    status: str = "NEW"
    step: int = 0  # index into the 13 questions
    answers: dict[str, str] = field(default_factory=dict)  # raw text per question key, latest
    # Parsed values, flat and JSON-friendly: budget_pence, width_cm, height_cm, area_cm2, city,
    # country, region, complexity, coverup, instagram, travel_city, timing, reference_count ...
    # `Any`, not a union: Temporal's converter reads a union's members in order, so a union
    # starting with int turned 12.5 cm into 12 and False into 0 in every decoded lead (and so in
    # the read model). Values are str, int, float, bool or None, as JSON gives them.
    parsed: dict[str, Any] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)  # parse failures per field
    reviewing: bool = False  # answers complete, summary shown, waiting for "confirm"/corrections
    estimate: Estimate | None = None
    handover_reason: str | None = None
    handover_from: str | None = None  # status to resume to after a handover
    opted_out: bool = False
    last_client_at: datetime | None = None  # opens the 24 h customer-service window
    last_status_reply_at: datetime | None = None
    reminders_sent: int = 0  # client reminders fallen due since the last client message
    offered_tour_city: str | None = None
    media: list[str] = field(default_factory=list)  # media ids of reference images
    reference_urls: list[str] = field(default_factory=list)  # where stored images can be seen
    version: int = 0  # bumped on every change; orders read-model writes
    confirmed: bool = False  # the client confirmed the summary; completion has run
    editing: str | None = None  # question key being changed from the summary
    # Why the bot stepped aside: human | refund | delete_data | price | parse_failure | coverup |
    # budget. `resume` uses it to know what the artist has dealt with.
    handover_kind: str | None = None
    cleared: list[str] = field(
        default_factory=list
    )  # completion checks the artist waived on resume
    deposit: Deposit | None = None
    status_since: datetime | None = None  # when the current status was entered
    artist_nudges: int = 0  # reminders to the artist fallen due in the current status
    # Payment event ids and "kind:payment_intent" already applied: providers redeliver.
    payments: list[str] = field(default_factory=list)
    booking: Booking = field(default_factory=Booking)
    # Reminders that reached their recipient, by message key (`consultation.delivery`): the
    # counters above say which fell due, sent or not.
    reminders_delivered: dict[str, int] = field(default_factory=dict)
    # Answers typed before their question came up ("8x8cm" while the idea is asked), by
    # question key: used when the consultation reaches that question.
    ahead: dict[str, str] = field(default_factory=dict)
    # The artist is answering the client in person (`consultation.takeover`): the bot and its
    # timers are paused for this lead until the artist hands it back.
    taken_over: bool = False
    handed_back_at: datetime | None = None  # the qualifying reminders count from here too

    @property
    def currency(self) -> str:
        """The currency the lead was quoted in (the standard one until it is estimated)."""
        return self.estimate.currency if self.estimate else "GBP"

    marketing_asked: bool = False  # the marketing consent question was sent (once per lead)
    # The campaign whose message this enquiry answered (started or resumed it), if any.
    campaign_id: str | None = None


@dataclass
class Event:
    """A notable decision or failure, recorded as a system event."""

    type: str  # e.g. "lead.handover", "lead.parse_failure", "lead.opt_out"
    level: str = "INFO"
    detail: dict[str, str] = field(default_factory=dict)


@dataclass
class Turn:
    lead: Lead
    replies: list[Outbound] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
