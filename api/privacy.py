"""A contact's data on request (GDPR): found by one of their leads or their phone number,
exported as JSON from PostgreSQL, or erased everywhere by the ErasureWorkflow (which the worker
runs: images, the sheet row, the rows, the payload key, the lead's run). Used by the admin API
and the ops CLI."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy

from settings import wa_id
from stores.contact_data import ContactData
from workflows.erasure import EraseContact, ErasureWorkflow, erasure_id


async def find_contact(
    sessions: async_sessionmaker, *, lead_id: str = "", phone: str = ""
) -> str | None:
    data = ContactData(sessions)
    if lead_id:
        return await data.key_for(lead_id=lead_id)
    try:
        return await data.key_for(wa_id=wa_id(phone)) if phone else None
    except ValueError:
        return None


async def export_contact(sessions: async_sessionmaker, key: str) -> dict[str, Any]:
    return await ContactData(sessions).export(key)


async def erase_contact(
    client: Client, task_queue: str, key: str, reason: str = "request"
) -> dict[str, Any]:
    """Run the erasure to its end and say what went (counts, never the data)."""
    result = await client.execute_workflow(
        ErasureWorkflow.run,
        EraseContact(key, reason),
        id=erasure_id(key),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    return asdict(result)
