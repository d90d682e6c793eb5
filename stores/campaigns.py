"""Segments, campaigns and their recipients in PostgreSQL. The audience is contacts joined to
their latest lead; a campaign's recipients are frozen once, and each one's state only moves
forward, so a retried batch finds nothing twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    and_,
    cast,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import async_sessionmaker

from campaigns import SegmentFilter
from models import Campaign, CampaignRecipient, Contact, LeadRecord, MarketingConsent, Segment


def _text(column: Any, name: str) -> Any:
    return func.lower(func.coalesce(column[name].astext, ""))


def _number(column: Any, name: str) -> Any:
    return cast(column[name].astext, Integer)


def _lead_conditions(segment: SegmentFilter) -> list[Any]:
    """What one of a contact's leads must match for the contact to be in `segment`."""
    parsed = LeadRecord.parsed
    conditions: list[Any] = []
    if segment.statuses:
        conditions.append(LeadRecord.status.in_(segment.statuses))
    for value, column in (
        (segment.region, _text(parsed, "region")),
        (segment.city, _text(parsed, "city")),
        (segment.country, _text(parsed, "country")),
    ):
        if value:
            conditions.append(column == value.lower())
    if segment.tour_city:
        tour_city = func.coalesce(parsed["tour_city"].astext, parsed["travel_city"].astext)
        conditions.append(func.lower(tour_city) == segment.tour_city.lower())
    if segment.style:
        conditions.append(_text(LeadRecord.answers, "style").contains(segment.style.lower()))
    area, budget = _number(parsed, "area_cm2"), _number(parsed, "budget_pence")
    for bound, column, low in (
        (segment.min_area_cm2, area, True),
        (segment.max_area_cm2, area, False),
        (segment.min_budget_pence, budget, True),
        (segment.max_budget_pence, budget, False),
    ):
        if bound is not None:
            conditions.append(column >= bound if low else column <= bound)
    return conditions


def audience(segment: SegmentFilter) -> Select[Any]:
    """Contacts in `segment`, with a lead of theirs that matches it (the newest such):
    (key, profile name, that lead's status and city, consent). A contact is in a segment when
    any of their leads matches, so a new enquiry does not take them out of a waitlist."""
    lead_conditions = _lead_conditions(segment)
    matching = (
        select(LeadRecord.status)
        .where(LeadRecord.contact_key == Contact.key, *lead_conditions)
        .order_by(LeadRecord.created_at.desc())
        .limit(1)
    )
    city = func.coalesce(LeadRecord.parsed["travel_city"].astext, LeadRecord.parsed["city"].astext)
    consent = func.coalesce(MarketingConsent.granted, False)
    query = (
        select(
            Contact.key,
            Contact.profile_name,
            matching.scalar_subquery().label("status"),
            matching.with_only_columns(city).scalar_subquery().label("city"),
            consent.label("consent"),
        )
        .select_from(Contact)
        .outerjoin(MarketingConsent, MarketingConsent.contact_key == Contact.key)
    )
    conditions: list[Any] = []
    if lead_conditions:
        conditions.append(exists(matching))
    now = func.now()
    if segment.last_contact_days is not None:
        since = now - timedelta(days=segment.last_contact_days)
        conditions.append(Contact.last_inbound_at >= since)
    if segment.quiet_days is not None:
        before = now - timedelta(days=segment.quiet_days)
        conditions.append(or_(Contact.last_inbound_at.is_(None), Contact.last_inbound_at < before))
    if segment.consenting_only:
        conditions.append(consent.is_(True))
    return query.where(and_(*conditions)) if conditions else query


@dataclass(frozen=True)
class Due:
    """A recipient whose send is due, with what the send needs."""

    contact_key: str
    wa_id: str | None
    user_id: str | None
    profile_name: str
    attempt: int
    consent: bool


class CampaignStore:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    # -- segments ----------------------------------------------------------------------------

    async def save_segment(
        self, name: str, segment: SegmentFilter, tour_stop: dict[str, Any] | None = None
    ) -> int:
        async with self.sessions.begin() as session:
            row = Segment(name=name[:120], filters=segment.to_json(), tour_stop=tour_stop)
            session.add(row)
            await session.flush()
            return row.id

    async def segments(self) -> list[Segment]:
        async with self.sessions() as session:
            return list(await session.scalars(select(Segment).order_by(Segment.id.desc())))

    async def segment(self, segment_id: int) -> Segment | None:
        async with self.sessions() as session:
            return await session.get(Segment, segment_id)

    async def count(self, segment: SegmentFilter) -> int:
        async with self.sessions() as session:
            total = await session.scalar(
                select(func.count()).select_from(audience(segment).subquery())
            )
        return int(total or 0)

    async def sample(self, segment: SegmentFilter, size: int = 5) -> list[Any]:
        async with self.sessions() as session:
            query = audience(segment).order_by(Contact.last_inbound_at.desc().nulls_last())
            return list((await session.execute(query.limit(size))).all())

    # -- campaigns ---------------------------------------------------------------------------

    async def create(self, campaign: Campaign) -> None:
        async with self.sessions.begin() as session:
            session.add(campaign)

    async def campaign(self, campaign_id: str) -> Campaign | None:
        async with self.sessions() as session:
            return await session.get(Campaign, campaign_id)

    async def campaigns(self) -> list[Campaign]:
        async with self.sessions() as session:
            query = select(Campaign).order_by(Campaign.created_at.desc())
            return list(await session.scalars(query))

    async def freeze(self, campaign_id: str, segment: SegmentFilter) -> int:
        """The campaign's recipients: the segment's consenting contacts now, written once. A
        retry after the first write keeps the first audience (whoever joined since is not in)."""
        consenting = SegmentFilter(**{**segment.__dict__, "consenting_only": True})
        members = audience(consenting).subquery()
        already = exists().where(CampaignRecipient.campaign_id == campaign_id)
        async with self.sessions.begin() as session:
            await session.execute(
                insert(CampaignRecipient).from_select(
                    ["campaign_id", "contact_key"],
                    select(literal(campaign_id), members.c.key).where(~already),
                )
            )
            total = await session.scalar(
                select(func.count()).where(CampaignRecipient.campaign_id == campaign_id)
            )
        return int(total or 0)

    @asynccontextmanager
    async def sending(self, campaign_id: str) -> AsyncIterator[bool]:
        """Hold the campaign's send lock for a batch: True when this holder has it. One
        connection holds a session advisory lock for the whole batch, so a retried batch whose
        earlier attempt is still alive (only slow to heartbeat) waits instead of sending beside
        it; a worker that dies drops its connection, and the lock with it."""
        async with self.sessions() as session:
            key = func.hashtextextended(f"campaign:{campaign_id}", 0)
            held = bool(await session.scalar(select(func.pg_try_advisory_lock(key))))
            try:
                yield held
            finally:
                if held:
                    await session.scalar(select(func.pg_advisory_unlock(key)))

    async def due(self, campaign_id: str, now: datetime, limit: int) -> list[Due]:
        """Up to `limit` recipients to send to now: pending ones (whose local hour has come, when
        the campaign sends at one), and deferred ones whose retry time has come; in key order,
        so a retried batch meets the same recipients first."""
        recipient = CampaignRecipient
        query = (
            select(
                recipient.contact_key,
                Contact.wa_id,
                Contact.user_id,
                Contact.profile_name,
                recipient.attempt,
                func.coalesce(MarketingConsent.granted, False).label("consent"),
            )
            .join(Contact, Contact.key == recipient.contact_key)
            .outerjoin(MarketingConsent, MarketingConsent.contact_key == recipient.contact_key)
            .where(recipient.campaign_id == campaign_id)
            .where(
                or_(
                    and_(
                        recipient.state == "pending",
                        or_(recipient.send_at.is_(None), recipient.send_at <= now),
                    ),
                    and_(recipient.state == "deferred", recipient.retry_at <= now),
                )
            )
            .order_by(recipient.contact_key)
            .limit(limit)
        )
        async with self.sessions() as session:
            rows = (await session.execute(query)).all()
        return [Due(*row) for row in rows]

    async def mark(self, campaign_id: str, contact_key: str, **values: Any) -> None:
        async with self.sessions.begin() as session:
            await session.execute(
                update(CampaignRecipient)
                .where(CampaignRecipient.campaign_id == campaign_id)
                .where(CampaignRecipient.contact_key == contact_key)
                .values(**values)
            )

    async def totals(self, campaign_id: str) -> dict[str, int]:
        """Recipients by state."""
        async with self.sessions() as session:
            rows = await session.execute(
                select(CampaignRecipient.state, func.count())
                .where(CampaignRecipient.campaign_id == campaign_id)
                .group_by(CampaignRecipient.state)
            )
            return {state: int(count) for state, count in rows.all()}

    async def next_retry(self, campaign_id: str) -> datetime | None:
        async with self.sessions() as session:
            return await session.scalar(
                select(func.min(CampaignRecipient.retry_at))
                .where(CampaignRecipient.campaign_id == campaign_id)
                .where(CampaignRecipient.state == "deferred")
            )
