"""The lead log's own index of the sheet: which sheet row holds each lead, at which version."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker

from models import LeadLogRow


class LeadLogIndex:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    async def placed(self, lead_ids: list[str]) -> dict[str, tuple[int, int]]:
        """lead id → (sheet row, version written), for those the index knows."""
        if not lead_ids:
            return {}
        async with self.sessions() as session:
            result = await session.execute(
                select(LeadLogRow.lead_id, LeadLogRow.sheet_row, LeadLogRow.version).where(
                    LeadLogRow.lead_id.in_(lead_ids)
                )
            )
            return {lead_id: (sheet_row, version) for lead_id, sheet_row, version in result}

    async def record(self, written: dict[str, tuple[int, int]]) -> None:
        """Remember where each lead's row now is and the version it holds."""
        statement = insert(LeadLogRow).values(
            [
                {"lead_id": lead_id, "sheet_row": sheet_row, "version": version}
                for lead_id, (sheet_row, version) in written.items()
            ]
        )
        statement = statement.on_conflict_do_update(
            index_elements=[LeadLogRow.lead_id],
            set_={
                "sheet_row": statement.excluded.sheet_row,
                "version": statement.excluded.version,
                "updated_at": func.now(),
            },
        )
        async with self.sessions.begin() as session:
            await session.execute(statement)
