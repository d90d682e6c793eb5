"""The commands. Each opens what it needs (database, Temporal, Graph) for its own run and
closes it; output is for a person, or JSON with `--json` where a script may read it."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import httpx
import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio.client import Client

from models import LeadRecord, OutboundMessage
from models.base import make_engine, make_sessions
from sealing import Keyring
from settings import Settings, wa_id
from stores import inbound_queue
from stores.contact_data import ContactData, as_dict
from temporal_connection import connect, keyring
from workflows import erasure

app = typer.Typer(help="Operate inkflow: configuration, leads, contacts, messages, metrics.")
config_app = typer.Typer(help="The configuration.")
lead_app = typer.Typer(help="Leads in the read model.")
contact_app = typer.Typer(help="A contact's data: export or erase (GDPR).")
keys_app = typer.Typer(help="The keys sealing workflow payloads.")
app.add_typer(config_app, name="config")
app.add_typer(lead_app, name="lead")
app.add_typer(contact_app, name="contact")
app.add_typer(keys_app, name="keys")

T = TypeVar("T")


@dataclass
class Ops:
    settings: Settings
    sessions: async_sessionmaker
    keys: Keyring | None
    _client: Client | None = None

    async def temporal(self) -> Client:
        if self._client is None:
            self._client = await connect(self.settings, keys=self.keys)
        return self._client


@asynccontextmanager
async def opened() -> AsyncIterator[Ops]:
    settings = Settings()
    if not settings.DATABASE_URL:
        fail("DATABASE_URL is not set")
    engine = make_engine(settings.DATABASE_URL)
    sessions = make_sessions(engine)
    try:
        yield Ops(settings, sessions, keyring(settings, sessions))
    finally:
        await engine.dispose()


def run(work: Callable[[Ops], Awaitable[T]]) -> T:
    async def main() -> T:
        async with opened() as ops:
            return await work(ops)

    return asyncio.run(main())


def fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def show(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str, ensure_ascii=False))


# -- configuration -----------------------------------------------------------------------------


@config_app.command("check")
def config_check(
    production: Annotated[bool, typer.Option(help="Check as APP_ENV=production would.")] = False,
) -> None:
    """Say what is missing or unsafe for production; exit 1 if anything is."""
    settings = Settings()
    if production:
        settings = settings.model_copy(update={"APP_ENV": "production"})
    problems = settings.production_problems() if settings.APP_ENV == "production" else []
    advice = []
    if not settings.PAYLOAD_MASTER_KEYS:
        advice.append("PAYLOAD_MASTER_KEYS is not set: client data is not sealed in Temporal")
    if not settings.sheets_enabled:
        advice.append("Google Sheets is off: the lead log is GET /admin/leads.csv")
    if not settings.METRICS_TOKEN:
        advice.append("METRICS_TOKEN is not set: keep /metrics off the public proxy")
    for problem in problems:
        typer.echo(f"missing: {problem}")
    for line in advice:
        typer.echo(f"note: {line}")
    if problems:
        raise typer.Exit(1)
    typer.echo(f"ok: nothing missing for {settings.APP_ENV}")


# -- leads -------------------------------------------------------------------------------------


@lead_app.command("list")
def lead_list(
    status: Annotated[str, typer.Option(help="Only this status, e.g. PENDING_APPROVAL.")] = "",
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The newest leads (never a phone number)."""

    async def work(ops: Ops) -> list[dict[str, Any]]:
        query = select(LeadRecord).order_by(LeadRecord.created_at.desc()).limit(limit)
        if status:
            query = query.where(LeadRecord.status == status.upper())
        async with ops.sessions() as session:
            rows = (await session.scalars(query)).all()
        return [
            {"lead_id": r.lead_id, "status": r.status, "step": r.step,
             "created_at": r.created_at.isoformat(), "updated_at": r.updated_at.isoformat()}
            for r in rows
        ]  # fmt: skip

    leads = run(work)
    if as_json:
        show(leads)
        return
    for lead in leads:
        typer.echo(f"{lead['lead_id']}  {lead['status']:<24} {lead['updated_at']}")
    typer.echo(f"{len(leads)} lead(s)")


@lead_app.command("show")
def lead_show(lead_id: str) -> None:
    """One lead as the admin API shows it: answers, parsed values, estimate, messages sent."""

    async def work(ops: Ops) -> dict[str, Any] | None:
        async with ops.sessions() as session:
            row = await session.get(LeadRecord, lead_id)
            if row is None:
                return None
            sent = await session.scalars(
                select(OutboundMessage)
                .where(OutboundMessage.lead_id == lead_id)
                .order_by(OutboundMessage.seq)
            )
            settings = ops.settings
            return {
                **{k: v for k, v in as_dict(row).items() if k != "contact_key"},
                "temporal_ui": f"{settings.TEMPORAL_UI_URL}/namespaces/"
                f"{settings.TEMPORAL_NAMESPACE}/workflows/{row.workflow_id}/{row.run_id}/history",
                "messages_sent": [
                    {"to": m.recipient, "key": m.key, "status": m.status} for m in sent.all()
                ],
            }

    detail = run(work)
    if detail is None:
        fail(f"no lead {lead_id}")
    show(detail)


# -- contacts ----------------------------------------------------------------------------------


async def contact_of(ops: Ops, lead_id: str, phone: str) -> str | None:
    if not (lead_id or phone):
        fail("name the contact with --lead-id or --phone")
    data = ContactData(ops.sessions)
    if lead_id:
        return await data.key_for(lead_id=lead_id)
    try:
        return await data.key_for(wa_id=wa_id(phone))
    except ValueError:
        return None


LeadOption = Annotated[str, typer.Option("--lead-id", help="One of the contact's leads.")]
PhoneOption = Annotated[str, typer.Option("--phone", help="The contact's number.")]


@contact_app.command("export")
def contact_export(
    lead_id: LeadOption = "",
    phone: PhoneOption = "",
    out: Annotated[Path | None, typer.Option(help="Write the JSON here.")] = None,
) -> None:
    """Everything PostgreSQL holds about a contact, as JSON."""

    async def work(ops: Ops) -> dict[str, Any] | None:
        key = await contact_of(ops, lead_id, phone)
        return await ContactData(ops.sessions).export(key) if key else None

    data = run(work)
    if data is None:
        fail("no such contact")
    text = json.dumps(data, indent=2, default=str, ensure_ascii=False)
    if out:
        out.write_text(text)
        typer.echo(f"written to {out}")
    else:
        typer.echo(text)


@contact_app.command("erase")
def contact_erase(
    lead_id: LeadOption = "",
    phone: PhoneOption = "",
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a contact everywhere (rows, images, sheet row, payload key, runs). Irreversible."""
    if not yes:
        typer.confirm("Erase this contact's data for good?", abort=True)

    async def work(ops: Ops) -> dict[str, Any] | None:
        key = await contact_of(ops, lead_id, phone)
        if key is None:
            return None
        client = await ops.temporal()
        return await erasure.erase(client, ops.settings.TEMPORAL_TASK_QUEUE, key)

    result = run(work)
    if result is None:
        fail("no such contact")
    show(result)


# -- messages ----------------------------------------------------------------------------------


@app.command("replay-webhook")
def replay_webhook(message_id: str) -> None:
    """Hand a stored WhatsApp message to its workflow again (a run that has it drops it)."""

    async def work(ops: Ops) -> bool:
        async with ops.sessions.begin() as session:
            return await inbound_queue.replay(session, message_id)

    if not run(work):
        fail(f"no handed-over or refused message {message_id}")
    typer.echo(f"{message_id} is queued for the relay again")


@app.command("release-paused")
def release_paused() -> None:
    """Give the messages kept while paused back to the relay (PAUSED must be off)."""

    async def work(ops: Ops) -> int:
        if ops.settings.PAUSED:
            fail("automation is paused; unpause it before releasing kept messages")
        async with ops.sessions.begin() as session:
            return await inbound_queue.release_paused(session)

    typer.echo(f"released {run(work)} message(s)")


@app.command("send-test")
def send_test(
    to: Annotated[str, typer.Option(help="The number to send to (international format).")],
    text: Annotated[str, typer.Option()] = "inkflow test message: the WhatsApp Cloud API works.",
) -> None:
    """Smoke-test the WhatsApp Cloud API: send one plain message (inside that number's 24 h
    window: write to the business number first)."""
    from activities.whatsapp_cloud import CloudApi, SendError
    from consultation import outbound

    settings = Settings()
    if settings.WHATSAPP_MODE != "cloud" or not settings.WHATSAPP_ACCESS_TOKEN:
        fail("WHATSAPP_MODE=cloud and the Cloud API credentials are needed")
    try:
        number = wa_id(to)
    except ValueError as error:
        fail(f"--to is {error}")

    async def send() -> str:
        async with CloudApi(
            base_url=settings.WHATSAPP_API_BASE_URL,
            api_version=settings.WHATSAPP_API_VERSION,
            phone_number_id=settings.WHATSAPP_PHONE_NUMBER_ID,
            access_token=settings.WHATSAPP_ACCESS_TOKEN,
            timeout=20,
        ) as api:
            return await api.send(number, outbound.text("client", text, key="ops.test"))

    try:
        message_id = asyncio.run(send())
    except SendError as error:
        fail(f"Graph refused the message: {error.kind} ({error.code})")
    typer.echo(f"sent: {message_id}")


# -- metrics and keys --------------------------------------------------------------------------

SERIES = re.compile(r"^(inkflow_\w+?)(?:_total)?(\{[^}]*\})? (\S+)$")


@app.command("metrics")
def metrics(
    url: Annotated[str, typer.Option(help="The API's /metrics.")] = "http://localhost:8000/metrics",
) -> None:
    """A summary of the product's metrics, read from the API's /metrics."""
    settings = Settings()
    headers = (
        {"Authorization": f"Bearer {settings.METRICS_TOKEN}"} if settings.METRICS_TOKEN else {}
    )
    try:
        answer = httpx.get(url, headers=headers, timeout=10)
    except httpx.HTTPError as error:
        fail(f"could not read {url}: {type(error).__name__}")
    if answer.status_code != 200:
        fail(f"{url} answered {answer.status_code}")
    for line in answer.text.splitlines():
        match = SERIES.match(line)
        if match and not match[1].endswith(("_bucket", "_created", "_sum")):
            value = float(match[3])
            typer.echo(f"{match[1]}{match[2] or ''} {value:g}")


@keys_app.command("rewrap")
def keys_rewrap() -> None:
    """Wrap every contact's payload key with the current (first) master key, after a rotation."""

    async def work(ops: Ops) -> int:
        if ops.keys is None:
            fail("PAYLOAD_MASTER_KEYS is not set")
        assert ops.keys is not None
        return await ops.keys.rewrap()

    typer.echo(f"re-wrapped {run(work)} key(s)")


def main() -> None:  # the console script
    app(prog_name="inkflow")


if __name__ == "__main__":
    main()
