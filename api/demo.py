"""/demo: a browser page that plays the client's phone and the artist's phone against the real
pipeline. Messages go in through the same `ingest` code as Meta's webhook (signed when a secret
is set); replies are read from the sandbox outbox."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.state import Edge
from api.whatsapp import ingest
from models import Contact, InboundMessage, LeadRecord, OutboundMessage

router = APIRouter(prefix="/demo", tags=["demo"])
PAGE = Path(__file__).parent / "static" / "demo.html"


class DemoMessage(BaseModel):
    phone: str = Field(pattern=r"^\+?[0-9]{6,15}$")
    text: str = Field(default="", max_length=4096)
    choice_id: str | None = Field(default=None, max_length=256)
    name: str = Field(default="Demo client", max_length=100)


@router.get("", response_class=HTMLResponse)
async def page() -> HTMLResponse:
    return HTMLResponse(PAGE.read_text(encoding="utf-8"))


def delivery_for(message: DemoMessage) -> dict[str, Any]:
    """The message as Meta would deliver it (platform_facts B1–B2)."""
    wa_id = message.phone.lstrip("+")
    body: dict[str, Any] = {
        "from": wa_id,
        "id": f"wamid.demo.{uuid.uuid4().hex}",
        "timestamp": str(int(time.time())),
    }
    if message.choice_id:
        kind = "list_reply" if message.choice_id.startswith("row:") else "button_reply"
        body["type"] = "interactive"
        body["interactive"] = {
            "type": kind,
            kind: {"id": message.choice_id.removeprefix("row:"), "title": message.text[:24]},
        }
    else:
        body["type"] = "text"
        body["text"] = {"body": message.text}
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "DEMO_WABA",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550000000",
                                "phone_number_id": "DEMO",
                            },
                            "contacts": [{"profile": {"name": message.name}, "wa_id": wa_id}],
                            "messages": [body],
                        },
                    }
                ],
            }
        ],
    }


@router.post("/send")
async def send(message: DemoMessage, state: Edge) -> dict[str, Any]:
    raw = json.dumps(delivery_for(message)).encode()
    secret = state.settings.WHATSAPP_APP_SECRET
    signature = (
        "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest() if secret else None
    )
    status, body = await ingest(state, raw, signature)
    if status != 200:
        raise HTTPException(status, body)
    return body


def _outbound(row: OutboundMessage) -> dict[str, Any]:
    message = row.message
    return {
        "seq": row.seq,
        "from": "bot",
        "text": row.body,
        "status": row.status,
        "buttons": message.get("buttons", []),
        "rows": message.get("rows", []),
        "list_button": message.get("list_button", ""),
        "at": row.created_at.timestamp(),
    }


@router.get("/chat")
async def chat(phone: str, state: Edge) -> dict[str, Any]:
    wa_id = phone.strip().lstrip("+")
    async with state.sessions() as session:
        contact = await session.scalar(select(Contact).where(Contact.wa_id == wa_id))
        if contact is None:
            return {"messages": [], "status": None, "lead_id": None}
        inbound = (
            await session.scalars(
                select(InboundMessage).where(InboundMessage.contact_key == contact.key)
            )
        ).all()
        outbound = (
            await session.scalars(
                select(OutboundMessage)
                .where(OutboundMessage.contact_key == contact.key)
                .order_by(OutboundMessage.seq)
            )
        ).all()
        lead = await session.scalar(
            select(LeadRecord)
            .where(LeadRecord.contact_key == contact.key)
            .order_by(LeadRecord.created_at.desc())
            .limit(1)
        )
    messages = [
        {"from": "client", "text": row.payload.get("text", ""), "at": row.received_at.timestamp()}
        for row in inbound
    ] + [_outbound(row) for row in outbound]
    messages.sort(key=lambda m: m["at"])
    return {
        "messages": messages,
        "status": lead.status if lead else None,
        "lead_id": lead.lead_id if lead else None,
        "opted_out": contact.opted_out,
    }


@router.get("/artist")
async def artist(state: Edge) -> dict[str, Any]:
    async with state.sessions() as session:
        rows = (
            await session.scalars(
                select(OutboundMessage)
                .where(OutboundMessage.recipient == "artist")
                .order_by(OutboundMessage.seq.desc())
                .limit(50)
            )
        ).all()
    return {"messages": [_outbound(row) for row in reversed(rows)]}
