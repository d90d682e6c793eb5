"""The pipeline's leads: filtered, counted by status, and paged by cursor (a keyset)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import BigInteger, and_, cast, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from models import Contact, LeadRecord


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
    return {status: count for status, count in rows}


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
