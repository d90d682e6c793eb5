"""Where a campaign's recipients are in the world, for a send at a local hour: what their zone
is read from, the zone and send time frozen for each, and when the next group is due."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from campaigns import SegmentFilter
from models import CampaignRecipient, Contact, LeadRecord
from stores.campaigns import audience


def _home() -> tuple[Any, Any]:
    """Where a contact lives, as their latest lead's parsed answers say: (city, country)."""
    latest = (
        select(LeadRecord.parsed)
        .where(LeadRecord.contact_key == Contact.key)
        .order_by(LeadRecord.created_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    return latest["city"].astext, latest["country"].astext


@dataclass(frozen=True)
class Place:
    """What a recipient's time zone is read from."""

    contact_key: str
    wa_id: str | None
    city: str | None
    country: str | None


class CampaignZones:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    async def places(self, segment: SegmentFilter) -> list[Place]:
        """Where each consenting member of `segment` lives, for the plan of a local-hour send."""
        members = audience(SegmentFilter(**{**segment.__dict__, "consenting_only": True}))
        keys = members.with_only_columns(Contact.key).subquery()
        return await self._places(Contact.key.in_(select(keys.c.key)))

    async def unplaced(self, campaign_id: str) -> list[Place]:
        """The recipients not yet given a local send time (a retried freeze skips the rest)."""
        recipient = CampaignRecipient
        return await self._places(
            Contact.key.in_(
                select(recipient.contact_key).where(
                    recipient.campaign_id == campaign_id, recipient.send_at.is_(None)
                )
            )
        )

    async def _places(self, which: Any) -> list[Place]:
        city, country = _home()
        query = select(Contact.key, Contact.wa_id, city, country).where(which)
        async with self.sessions() as session:
            return [Place(*row) for row in (await session.execute(query)).all()]

    async def place(self, campaign_id: str, sends: list[tuple[str, str, datetime]]) -> None:
        """Each recipient's (key, zone, send_at): when their local hour comes."""
        if not sends:
            return
        # The Core table: one UPDATE executed for every row (the ORM's bulk form wants keys).
        table = typing.cast(Table, CampaignRecipient.__table__)
        async with self.sessions.begin() as session:
            await session.execute(
                update(table)
                .where(table.c.campaign_id == campaign_id)
                .where(table.c.contact_key == bindparam("p_key"))
                .values(zone=bindparam("p_zone"), send_at=bindparam("p_at")),
                [{"p_key": key, "p_zone": zone, "p_at": at} for key, zone, at in sends],
            )

    async def next_send_at(self, campaign_id: str, now: datetime) -> datetime | None:
        """When the next pending recipient's local hour comes, if after `now`."""
        async with self.sessions() as session:
            return await session.scalar(
                select(func.min(CampaignRecipient.send_at))
                .where(CampaignRecipient.campaign_id == campaign_id)
                .where(CampaignRecipient.state == "pending")
                .where(CampaignRecipient.send_at > now)
            )
