"""`erase_contact`: everything kept about one contact, gone (a deletion request, or retention).
The contact's lead run is ended first, so nothing writes after us; then the sheet row is
blanked, stored images deleted, PostgreSQL rows deleted (with a `contact.erased` event that
carries counts only), and last the contact's payload key, after which its histories in Temporal
can never be read again. Every step is idempotent: a retry finishes the job."""

# Annotations here are evaluated (no `from __future__ import annotations`): Temporal's
# converter resolves them on every payload.

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity
from temporalio.service import RPCError, RPCStatusCode

from activities.lead_log import COLUMNS, LeadRow, SheetsLog
from activities.media import Storage
from consultation.statuses import FINAL
from sealing import Keyring
from stores.contact_data import ContactData

LEAD_WORKFLOW_PREFIX = "lead-"
ERASED_VERSION = 2**31 - 1  # beats every version a lead's row can have


@dataclass
class EraseContact:
    contact_key: str
    reason: str = "request"  # request | retention


@dataclass
class ContactErased:
    lead_ids: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    images: int = 0
    key_erased: bool = False


@dataclass
class ExpiredQuery:
    finished_before: datetime  # leads that finished and last changed before this
    limit: int = 100


@dataclass
class ExpiredContacts:
    contact_keys: list[str] = field(default_factory=list)


class ErasureActivities:
    def __init__(
        self,
        sessions: async_sessionmaker,
        storage: Storage,
        lead_log: SheetsLog | None = None,
        keys: Keyring | None = None,
    ) -> None:
        self.data = ContactData(sessions)
        self.storage = storage
        self.lead_log = lead_log
        self.keys = keys

    @activity.defn(name="erase_contact")
    async def erase_contact(self, request: EraseContact) -> ContactErased:
        key = request.contact_key
        await self._end_run(key)
        lead_ids = await self.data.lead_ids(key)
        if self.lead_log and lead_ids:
            # Only rows the sheet has: a lead never logged gets no "erased" row.
            placed = await self.lead_log.index.placed(lead_ids)
            await self.lead_log.write([blank_row(lead_id) for lead_id in placed])
        media = await self.data.media(key)
        for _storage, object_key in media:
            await self.storage.delete(object_key)
        erased = await self.data.erase(key, reason=request.reason)
        key_erased = await self.keys.erase(key) if self.keys else False
        return ContactErased(erased.lead_ids, erased.counts, len(media), key_erased)

    @activity.defn(name="expired_contacts")
    async def expired_contacts(self, query: ExpiredQuery) -> ExpiredContacts:
        """Contacts past retention: every lead of theirs finished before the cut-off."""
        found = await self.data.finished_before(query.finished_before, FINAL)
        return ExpiredContacts(found[: query.limit])

    async def _end_run(self, key: str) -> None:
        handle = activity.client().get_workflow_handle(LEAD_WORKFLOW_PREFIX + key)
        try:
            await handle.terminate(reason="contact erased")
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:  # no run, or it had ended
                raise


def blank_row(lead_id: str) -> LeadRow:
    return LeadRow(lead_id, ERASED_VERSION, [lead_id, "ERASED", *[""] * (len(COLUMNS) - 2)])
