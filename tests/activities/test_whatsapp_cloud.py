"""The Cloud API adapter against the fake Graph API: what Meta is sent, and how its errors are
classified for the messaging activity."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Iterator

import aiohttp
import httpx
import pytest
import pytest_asyncio

from activities.whatsapp_cloud import CloudApi, SendError, classify, clip, payload
from consultation import outbound
from consultation.messages import (
    MAX_BODY,
    MAX_BUTTON_ID,
    MAX_BUTTON_TITLE,
    MAX_BUTTONS,
    MAX_LIST_BUTTON,
    MAX_LIST_ROWS,
    MAX_ROW_DESCRIPTION,
    MAX_ROW_ID,
    MAX_ROW_TITLE,
    MAX_TEXT,
    Button,
    ListRow,
    Outbound,
    Template,
)
from tests.fakes.graph_api import FakeGraphApi

TOKEN = "graph-test-token"
CLIENT = "447700900123"

TEXT = Outbound("client", "Thanks! What size are you thinking?", key="question.size")
BUTTONS = Outbound(
    "client",
    "Is this a cover-up?",
    buttons=(Button("coverup:yes", "Yes"), Button("coverup:no", "No")),
)
LIST = Outbound(
    "client",
    "Where on the body?",
    rows=tuple(ListRow(f"place:{n}", f"Place {n}", "Some detail") for n in range(10)),
    list_button="Choose a place",
)
TEMPLATED = Outbound(
    "client",
    "Hi Sam, shall we carry on?",
    template=Template("consultation_reminder_2_final", ("Sam",)),
)


@pytest.fixture(scope="module")
def fake_graph() -> Iterator[FakeGraphApi]:
    with FakeGraphApi(access_token=TOKEN) as fake:
        yield fake


@pytest_asyncio.fixture
async def cloud(fake_graph: FakeGraphApi) -> AsyncIterator[CloudApi]:
    fake_graph.clear()
    async with aiohttp.ClientSession() as client:
        yield CloudApi(
            base_url=fake_graph.base_url,
            phone_number_id="PNID",
            access_token=TOKEN,
            client=client,
        )


async def send_one(
    cloud: CloudApi, fake: FakeGraphApi, message: Outbound, *, as_template: bool = False
) -> dict:
    """Send `message` and return the one payload the fake Graph API accepted."""
    wamid = await cloud.send(CLIENT, message, as_template=as_template)
    assert wamid.startswith("wamid.")
    [sent] = fake.sent
    return sent


# -- what Meta is sent -------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_text_is_sent_in_metas_shape_and_returns_the_wamid(
    cloud: CloudApi, fake_graph: FakeGraphApi
) -> None:
    assert await send_one(cloud, fake_graph, TEXT) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": CLIENT,
        "type": "text",
        "text": {"body": TEXT.text, "preview_url": False},
    }


@pytest.mark.asyncio
async def test_reply_buttons_are_sent_as_an_interactive_button_message(
    cloud: CloudApi, fake_graph: FakeGraphApi
) -> None:
    sent = await send_one(cloud, fake_graph, BUTTONS)
    assert sent["type"] == "interactive"
    assert sent["interactive"] == {
        "type": "button",
        "body": {"text": "Is this a cover-up?"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "coverup:yes", "title": "Yes"}},
                {"type": "reply", "reply": {"id": "coverup:no", "title": "No"}},
            ]
        },
    }


@pytest.mark.asyncio
async def test_list_is_sent_as_one_section_of_rows(
    cloud: CloudApi, fake_graph: FakeGraphApi
) -> None:
    interactive = (await send_one(cloud, fake_graph, LIST))["interactive"]
    assert interactive["type"] == "list"
    assert interactive["body"] == {"text": "Where on the body?"}
    assert interactive["action"]["button"] == "Choose a place"
    [section] = interactive["action"]["sections"]
    assert section["rows"][0] == {"id": "place:0", "title": "Place 0", "description": "Some detail"}
    assert len(section["rows"]) == 10


@pytest.mark.asyncio
async def test_template_is_sent_with_its_body_parameters(
    cloud: CloudApi, fake_graph: FakeGraphApi
) -> None:
    sent = await send_one(cloud, fake_graph, TEMPLATED, as_template=True)
    assert sent["type"] == "template"
    assert sent["template"] == {
        "name": "consultation_reminder_2_final",
        "language": {"code": "en_GB"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Sam"}]}],
    }


def test_template_without_parameters_has_no_components() -> None:
    message = Outbound("client", "x", template=Template("next_steps_reply_to_continue"))
    assert "components" not in payload(CLIENT, message, as_template=True)["template"]


def test_template_parameters_lose_the_new_lines_meta_rejects() -> None:
    message = Outbound("client", "x", template=Template("t", ("Sam\nand\tJo     Smith",)))
    template = payload(CLIENT, message, as_template=True)["template"]
    assert template["components"][0]["parameters"][0]["text"] == "Sam and Jo Smith"


def test_a_message_without_a_template_cannot_be_sent_as_one() -> None:
    with pytest.raises(SendError) as raised:
        payload(CLIENT, TEXT, as_template=True)
    assert raised.value.kind == "rejected"


@pytest.mark.asyncio
async def test_a_phone_less_client_is_addressed_by_business_scoped_id(
    cloud: CloudApi, fake_graph: FakeGraphApi
) -> None:
    await cloud.send("US.13491208655302741918", TEXT)
    [sent] = fake_graph.sent
    assert sent["recipient"] == "US.13491208655302741918"
    assert "to" not in sent


@pytest.mark.asyncio
async def test_over_long_texts_are_clipped_so_meta_accepts_them(
    cloud: CloudApi, fake_graph: FakeGraphApi
) -> None:
    long = "🐉" * 5000
    messages = [
        Outbound("client", long),
        Outbound("client", long, buttons=(Button("b", "A button title far too long"),)),
        Outbound(
            "client",
            long,
            rows=(ListRow("r", "A row title that is far too long", "d" * 100),),
            list_button="A list label that is too long",
        ),
    ]
    for message in messages:
        await cloud.send(CLIENT, message)
    text, buttons, rows = fake_graph.sent
    row = rows["interactive"]["action"]["sections"][0]["rows"][0]
    clipped = [
        (text["text"]["body"], MAX_TEXT),
        (buttons["interactive"]["body"]["text"], MAX_BODY),
        (buttons["interactive"]["action"]["buttons"][0]["reply"]["title"], MAX_BUTTON_TITLE),
        (row["title"], MAX_ROW_TITLE),
        (row["description"], MAX_ROW_DESCRIPTION),
    ]
    for value, limit in clipped:
        assert value.endswith("…") and len(value) <= limit


@pytest.mark.parametrize(
    ("text", "limit", "clipped"),
    [
        ("short", 10, "short"),
        ("exactly10!", 10, "exactly10!"),
        ("one two three four", 10, "one two t…"),
        ("ab👩\u200d🎨cd", 5, "ab…"),  # never half of "woman artist"
        ("abce\u0301f", 5, "abc…"),  # nor an e without its accent
        ("ok👍🏽 great", 4, "ok…"),  # nor a skin tone without its hand
    ],
)
def test_clip(text: str, limit: int, clipped: str) -> None:
    assert clip(text, limit) == clipped
    assert len(clip(text, limit)) <= limit


# -- the fake rejects what Meta rejects, so builder-made messages prove themselves -------------


def reply_buttons(count: int, title: str = "Option ") -> dict:
    buttons = [
        {"type": "reply", "reply": {"id": str(n), "title": f"{title}{n}"}} for n in range(count)
    ]
    return {"type": "button", "body": {"text": "pick"}, "action": {"buttons": buttons}}


def list_rows(count: int, title: str = "Row") -> dict:
    rows = [{"id": str(n), "title": title} for n in range(count)]
    action = {"button": "Choose", "sections": [{"title": "Places", "rows": rows}]}
    return {"type": "list", "body": {"text": "pick"}, "action": action}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "interactive",
    [
        pytest.param(reply_buttons(4), id="four buttons"),
        pytest.param(reply_buttons(1, title="x" * 20), id="button title over 20"),
        pytest.param(list_rows(11), id="eleven rows"),
        pytest.param(list_rows(1, title="t" * 25), id="row title over 24"),
    ],
)
async def test_the_fake_rejects_over_limit_interactive_messages_like_meta(
    fake_graph: FakeGraphApi, interactive: dict
) -> None:
    body = {"messaging_product": "whatsapp", "to": CLIENT, "type": "interactive"}
    async with httpx.AsyncClient(base_url=fake_graph.base_url) as http:
        response = await http.post(
            "/v21.0/PNID/messages",
            json={**body, "interactive": interactive},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 131009


@pytest.mark.asyncio
async def test_messages_from_our_builders_at_every_limit_are_accepted_unchanged(
    cloud: CloudApi, fake_graph: FakeGraphApi
) -> None:
    body = "b" * MAX_BODY
    messages = [
        outbound.text("client", "t" * MAX_TEXT, key="k"),
        outbound.buttons(
            "client",
            body,
            [(str(n) * MAX_BUTTON_ID, f"{n}" * MAX_BUTTON_TITLE) for n in range(MAX_BUTTONS)],
            key="k",
        ),
        outbound.choices(
            "client",
            body,
            "L" * MAX_LIST_BUTTON,
            [
                (
                    f"{n:02}" * (MAX_ROW_ID // 2),
                    f"{n:02}" * (MAX_ROW_TITLE // 2),
                    "d" * MAX_ROW_DESCRIPTION,
                )
                for n in range(MAX_LIST_ROWS)
            ],
            key="k",
        ),
    ]
    for message in messages:
        await cloud.send(CLIENT, message)
    assert fake_graph.sent == [payload(CLIENT, message) for message in messages]
    text, buttons, rows = fake_graph.sent
    assert text["text"]["body"] == messages[0].text
    assert [b["reply"]["title"] for b in buttons["interactive"]["action"]["buttons"]] == [
        button.title for button in messages[1].buttons
    ]
    sent_rows = rows["interactive"]["action"]["sections"][0]["rows"]
    assert [(r["id"], r["title"], r["description"]) for r in sent_rows] == [
        (row.id, row.title, row.description) for row in messages[2].rows
    ]


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("code", "http_status", "kind"),
    [
        (131047, 400, "template_required"),
        (131026, 400, "unreachable"),
        (130429, 400, "retry"),
        (131056, 400, "retry"),
        (131000, 500, "retry"),
        (131016, 503, "retry"),
        (135000, 400, "retry"),
        (80007, 400, "retry"),
        (4, 400, "retry"),
        (2, 503, "retry"),  # any 5xx, whatever the code
        (131009, 400, "rejected"),
        (132001, 404, "rejected"),  # template does not exist
        (131030, 400, "rejected"),  # recipient not in the allowed list
    ],
)
async def test_graph_errors_are_classified(
    cloud: CloudApi, fake_graph: FakeGraphApi, code: int, http_status: int, kind: str
) -> None:
    fake_graph.fail_next(code, http_status=http_status)
    with pytest.raises(SendError) as raised:
        await cloud.send(CLIENT, TEXT)
    assert (raised.value.kind, raised.value.code) == (kind, code)
    assert fake_graph.sent == []


@pytest.mark.asyncio
async def test_injected_failures_run_out_and_sending_recovers(
    cloud: CloudApi, fake_graph: FakeGraphApi
) -> None:
    fake_graph.fail_next(130429, times=2)
    for _ in range(2):
        with pytest.raises(SendError):
            await cloud.send(CLIENT, TEXT)
    assert (await cloud.send(CLIENT, TEXT)).startswith("wamid.")
    assert len(fake_graph.sent) == 1


@pytest.mark.asyncio
async def test_a_wrong_token_is_rejected_not_retried(fake_graph: FakeGraphApi) -> None:
    cloud = CloudApi(base_url=fake_graph.base_url, phone_number_id="PNID", access_token="wrong")
    try:
        with pytest.raises(SendError) as raised:
            await cloud.send(CLIENT, TEXT)
    finally:
        await cloud.aclose()
    assert (raised.value.kind, raised.value.code) == ("rejected", 190)


@pytest.mark.asyncio
async def test_connection_refused_is_retried() -> None:
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cloud = CloudApi(base_url=f"http://127.0.0.1:{port}", phone_number_id="P", access_token="t")
    try:
        with pytest.raises(SendError) as raised:
            await cloud.send(CLIENT, TEXT)
    finally:
        await cloud.aclose()
    assert (raised.value.kind, raised.value.code) == ("retry", None)


@pytest.mark.asyncio
async def test_a_timeout_is_retried() -> None:
    with socket.socket() as sock:  # accepts connections into its backlog, never answers
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        cloud = CloudApi(base_url=base_url, phone_number_id="P", access_token="t", timeout=0.2)
        try:
            with pytest.raises(SendError) as raised:
                await cloud.send(CLIENT, TEXT)
        finally:
            await cloud.aclose()
    assert raised.value.kind == "retry"


def test_phone_numbers_in_graph_error_text_are_not_repeated() -> None:
    error = {"code": 131030, "message": f"Recipient +{CLIENT} not in allowed list"}
    refusal = classify(400, json.dumps({"error": error}).encode())
    assert CLIENT not in str(refusal)
    assert refusal.kind == "rejected" and refusal.code == 131030


@pytest.mark.parametrize(
    ("status", "content", "kind"),
    [
        (502, b"<html>Bad gateway</html>", "retry"),  # a proxy's page, not Graph's JSON
        (429, b"", "retry"),
        (400, b'{"error": "not an object"}', "rejected"),
        (400, b'{"error": {"code": true}}', "rejected"),  # a bool is not a code
    ],
)
def test_error_answers_that_are_not_graphs_json_are_judged_by_status(
    status: int, content: bytes, kind: str
) -> None:
    refusal = classify(status, content)
    assert (refusal.kind, refusal.code) == (kind, None)
    assert refusal.detail == f"HTTP {status}"
