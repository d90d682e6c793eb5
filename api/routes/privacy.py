"""The admin API's data-subject requests (GDPR): export everything PostgreSQL holds about a
contact as JSON, or erase it everywhere through the ErasureWorkflow (which the worker runs:
the lead's run, the sheet row, images, rows, the payload key). The contact is named by one of
their leads or their phone number in the body (never in a URL, where it would be logged)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel

from api.deps import Edge, rate_limited, require_admin
from settings import wa_id
from stores.contact_data import ContactData
from workflows import erasure

router = APIRouter(
    prefix="/admin/contacts",
    tags=["admin"],
    dependencies=[Depends(rate_limited("admin")), Depends(require_admin)],
)


class ContactRef(BaseModel):
    lead_id: str = ""
    phone: str = ""


Rows = list[dict[str, Any]]


class ContactExport(BaseModel):
    """Every row PostgreSQL holds about the contact, column by column."""

    contact: dict[str, Any] | None
    leads: Rows
    messages_received: Rows
    messages_sent: Rows
    events: Rows
    provider_events: Rows
    checkout_sessions: Rows
    attachments: Rows
    lead_log_rows: Rows


class Erasure(BaseModel):
    lead_ids: list[str]
    counts: dict[str, int]
    images: int
    key_erased: bool


async def contact_key(state: Edge, ref: ContactRef) -> str:
    if not (ref.lead_id or ref.phone):
        raise HTTPException(422, "name the contact by lead_id or phone")
    data = ContactData(state.sessions)
    try:
        key = await (
            data.key_for(lead_id=ref.lead_id)
            if ref.lead_id
            else data.key_for(wa_id=wa_id(ref.phone))
        )
    except ValueError:  # not a phone number: no such contact
        key = None
    if key is None:
        raise HTTPException(404, "no such contact")
    return key


@router.post("/export", response_model=ContactExport)
async def export(ref: ContactRef, state: Edge) -> dict[str, Any]:
    return await ContactData(state.sessions).export(await contact_key(state, ref))


@router.post("/erase", response_model=Erasure)
async def erase(ref: ContactRef, state: Edge) -> dict[str, Any]:
    key = await contact_key(state, ref)
    client = await state.temporal()
    return await erasure.erase(client, state.settings.TEMPORAL_TASK_QUEUE, key)
