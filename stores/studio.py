"""The studio's SQL: sessions, sign-in links and attempts, the pipeline's filtered and
cursor-paged lead lists, and everything the lead page shows about one lead."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    and_,
    cast,
    delete,
    func,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from models import (
    Attachment,
    CalendarHold,
    Contact,
    InboundMessage,
    LeadRecord,
    OutboundMessage,
    StudioSession,
    StudioSignInAttempt,
    StudioSignInLink,
    SystemEvent,
)

# -- sessions, links, attempts ---------------------------------------------------------------


async def add_session(session: AsyncSession, row: StudioSession) -> None:
    # A sign-in is a good moment to drop sessions that have run out.
    await session.execute(delete(StudioSession).where(StudioSession.expires_at < func.now()))
    session.add(row)


async def live_session(
    session: AsyncSession, token_hash: str, idle: timedelta
) -> StudioSession | None:
    """The session, unless it is past its expiry or idle for longer than `idle`."""
    now = datetime.now(UTC)
    row = await session.get(StudioSession, token_hash)
    if row is None or row.expires_at <= now or row.last_seen_at + idle <= now:
        return None
    return row


async def touch_session(session: AsyncSession, token_hash: str) -> None:
    await session.execute(
        update(StudioSession)
        .where(StudioSession.token_hash == token_hash)
        .values(last_seen_at=func.now())
    )


async def end_session(session: AsyncSession, token_hash: str) -> None:
    await session.execute(delete(StudioSession).where(StudioSession.token_hash == token_hash))


async def claim_link(session: AsyncSession, token_hash: str) -> StudioSignInLink | None:
    """Use a sign-in link once: of two clicks at once exactly one gets the row."""
    return await session.scalar(
        update(StudioSignInLink)
        .where(
            StudioSignInLink.token_hash == token_hash,
            StudioSignInLink.used_at.is_(None),
            StudioSignInLink.expires_at > func.now(),
        )
        .values(used_at=func.now())
        .returning(StudioSignInLink)
    )


async def attempts_since(session: AsyncSession, bucket: str, since: datetime) -> list[datetime]:
    """When each attempt in `bucket` since `since` was made, oldest first."""
    rows = await session.scalars(
        select(StudioSignInAttempt.created_at)
        .where(StudioSignInAttempt.bucket == bucket, StudioSignInAttempt.created_at > since)
        .order_by(StudioSignInAttempt.created_at)
    )
    return list(rows)


async def count_attempt(session: AsyncSession, bucket: str, forget_before: datetime) -> None:
    await session.execute(
        delete(StudioSignInAttempt).where(
            StudioSignInAttempt.bucket == bucket, StudioSignInAttempt.created_at < forget_before
        )
    )
    session.add(StudioSignInAttempt(bucket=bucket))


# -- the pipeline ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    status: str = ""
    region: str = ""
    size: str = ""
    budget_min_pence: int | None = None
    budget_max_pence: int | None = None
    tour_city: str = ""
    created_from: date | None = None
    created_to: date | None = None  # inclusive
    q: str = ""  # a client's name, or the start of a lead's reference


def _region() -> ColumnElement[Any]:
    return func.coalesce(LeadRecord.estimate["region"].astext, LeadRecord.parsed["region"].astext)


def _budget() -> tuple[ColumnElement[bool], ColumnElement[int]]:
    value = LeadRecord.parsed["budget_pence"]
    # Only a JSON number is a budget (a lead mid-consultation may have none).
    return func.jsonb_typeof(value) == "number", cast(value.astext, BigInteger)


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(f: Filters, *, with_status: bool = True) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if with_status and f.status:
        where.append(LeadRecord.status == f.status)
    if f.region:
        where.append(_region() == f.region)
    if f.size:
        where.append(LeadRecord.estimate["category"].astext == f.size)
    is_number, budget = _budget()
    if f.budget_min_pence is not None:
        where.append(and_(is_number, budget >= f.budget_min_pence))
    if f.budget_max_pence is not None:
        where.append(and_(is_number, budget <= f.budget_max_pence))
    if f.tour_city:
        where.append(func.lower(LeadRecord.parsed["tour_city"].astext) == f.tour_city.lower())
    if f.created_from:
        where.append(LeadRecord.created_at >= datetime.combine(f.created_from, time(), UTC))
    if f.created_to:
        end = datetime.combine(f.created_to + timedelta(days=1), time(), UTC)
        where.append(LeadRecord.created_at < end)
    if q := f.q.strip():
        named = select(Contact.key).where(Contact.profile_name.ilike(f"%{_like(q)}%"))
        where.append(
            or_(LeadRecord.lead_id.ilike(f"{_like(q)}%"), LeadRecord.contact_key.in_(named))
        )
    return where


async def status_counts(session: AsyncSession, f: Filters) -> dict[str, int]:
    """Leads per status under every filter but the status itself (the status tabs)."""
    rows = await session.execute(
        select(LeadRecord.status, func.count())
        .where(*_conditions(f, with_status=False))
        .group_by(LeadRecord.status)
    )
    return {status: count for status, count in rows.tuples()}


@dataclass(frozen=True)
class Cursor:
    """A place in the list (newest enquiries first): the created time and id of a row."""

    created_at: datetime
    lead_id: str

    def encode(self) -> str:
        raw = json.dumps([self.created_at.isoformat(), self.lead_id]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor | None:
        """None for anything that is not a cursor this module made."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            created, lead_id = json.loads(raw)
            return cls(datetime.fromisoformat(created), str(lead_id)[:64])
        except (ValueError, TypeError):
            return None

    @classmethod
    def of(cls, row: LeadRecord) -> Cursor:
        return cls(row.created_at, row.lead_id)


@dataclass
class PipelinePage:
    rows: list[tuple[LeadRecord, str]]  # each lead with its client's profile name
    next: Cursor | None = None  # older leads follow
    previous: Cursor | None = None  # newer leads come before


async def page(
    session: AsyncSession,
    f: Filters,
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
    limit: int = 25,
) -> PipelinePage:
    """One page of leads, newest first: those after `after`, or those just before `before`
    (going back), or the first page. A keyset on (created_at, lead_id): pages never skip or
    repeat a lead, however many arrive meanwhile."""
    key = tuple_(LeadRecord.created_at, LeadRecord.lead_id)
    query = (
        select(LeadRecord, func.coalesce(Contact.profile_name, ""))
        .outerjoin(Contact, Contact.key == LeadRecord.contact_key)
        .where(*_conditions(f))
    )
    backwards = before is not None and after is None
    if backwards:
        assert before is not None
        query = query.where(key > tuple_(before.created_at, before.lead_id)).order_by(
            LeadRecord.created_at, LeadRecord.lead_id
        )
    else:
        if after is not None:
            query = query.where(key < tuple_(after.created_at, after.lead_id))
        query = query.order_by(LeadRecord.created_at.desc(), LeadRecord.lead_id.desc())
    found = [(lead, name) for lead, name in (await session.execute(query.limit(limit + 1)))]
    more = len(found) > limit
    found = found[:limit]
    if backwards:
        found.reverse()
        result = PipelinePage(found)
        if found:
            result.next = Cursor.of(found[-1][0])
            result.previous = Cursor.of(found[0][0]) if more else None
        return result
    result = PipelinePage(found)
    if found:
        result.next = Cursor.of(found[-1][0]) if more else None
        result.previous = Cursor.of(found[0][0]) if after is not None else None
    return result


async def all_matching(session: AsyncSession, f: Filters, limit: int = 50_000) -> list[LeadRecord]:
    """Every lead the filters match, oldest first (the CSV export)."""
    rows = await session.scalars(
        select(LeadRecord)
        .where(*_conditions(f))
        .order_by(LeadRecord.created_at, LeadRecord.lead_id)
        .limit(limit)
    )
    return list(rows)


async def tour_cities(session: AsyncSession) -> list[str]:
    rows = await session.scalars(
        select(LeadRecord.parsed["tour_city"].astext)
        .where(LeadRecord.parsed.has_key("tour_city"))
        .distinct()
    )
    return sorted(city for city in rows if city)


# -- one lead ----------------------------------------------------------------------------------


@dataclass
class Moment:
    """One line of a lead's timeline: a system event or a message either way."""

    at: datetime
    kind: str  # event | client | bot | artist
    title: str
    text: str = ""
    level: str = "INFO"
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Image:
    object_key: str
    mime_type: str


@dataclass
class LeadView:
    lead: LeadRecord
    name: str
    timeline: list[Moment]
    holds: list[CalendarHold]
    images: list[Image]


async def lead_view(session: AsyncSession, lead_id: str) -> LeadView | None:
    lead = await session.get(LeadRecord, lead_id)
    if lead is None:
        return None
    name = await session.scalar(select(Contact.profile_name).where(Contact.key == lead.contact_key))
    events = await session.scalars(
        select(SystemEvent).where(SystemEvent.lead_id == lead_id).order_by(SystemEvent.id)
    )
    sent = await session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.lead_id == lead_id)
        .order_by(OutboundMessage.seq)
    )
    # The client's messages belong to the contact: this enquiry's are those from its start
    # (its first message came just before the lead existed) until the contact's next enquiry.
    following = await session.scalar(
        select(func.min(LeadRecord.created_at)).where(
            LeadRecord.contact_key == lead.contact_key, LeadRecord.created_at > lead.created_at
        )
    )
    window = [
        InboundMessage.contact_key == lead.contact_key,
        InboundMessage.received_at >= lead.created_at - timedelta(minutes=5),
    ]
    if following is not None:
        window.append(InboundMessage.received_at < following)
    received = await session.scalars(
        select(InboundMessage)
        .where(*window)
        .order_by(InboundMessage.sent_at, InboundMessage.received_at)
    )
    timeline = [
        Moment(e.created_at, "event", e.type, level=e.level, detail=dict(e.detail or {}))
        for e in events
    ]
    timeline += [
        Moment(m.created_at, "bot" if m.recipient == "client" else "artist", m.key, m.body)
        for m in sent
    ]
    for m in received:
        payload = m.payload or {}
        timeline.append(
            Moment(
                m.received_at,
                "client",
                str(payload.get("kind", m.kind)),
                str(payload.get("text", "")),
            )
        )
    timeline.sort(key=lambda moment: moment.at)
    holds = await session.scalars(
        select(CalendarHold).where(CalendarHold.lead_id == lead_id).order_by(CalendarHold.id)
    )
    images = await session.execute(
        select(Attachment.object_key, Attachment.mime_type)
        .where(Attachment.lead_id == lead_id, Attachment.status == "STORED")
        .order_by(Attachment.id)
    )
    return LeadView(
        lead,
        name or "",
        timeline,
        list(holds),
        [Image(key, mime or "") for key, mime in images if key],
    )


async def record_event(
    session: AsyncSession, type_: str, lead_id: str | None, **detail: Any
) -> None:
    """A system event from the studio (who decided what). Never a phone number."""
    session.add(SystemEvent(level="INFO", type=type_, lead_id=lead_id, detail=detail))
