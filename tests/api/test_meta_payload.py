"""Reading Meta's webhook deliveries: every message type, batching, statuses, BSUID senders,
unreadable parts and the signature check."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.meta_payload import (
    Contact,
    Delivery,
    MalformedDelivery,
    parse_delivery,
    verify_signature,
)
from consultation.messages import Inbound, Media
from tests.fakes.graph_api import (
    button_reply,
    image_message,
    inbound_delivery,
    list_reply,
    sign,
    status_update,
    text_message,
)

CLIENT = "447700900123"
SECRET = "app-secret"


def parse(body: dict[str, Any]) -> Delivery:
    return parse_delivery(json.dumps(body).encode())


def only_message(body: dict[str, Any]) -> Inbound:
    delivery = parse(body)
    assert delivery.problems == []
    assert len(delivery.messages) == 1
    return delivery.messages[0].message


def raw_message(kind: str, content: Any) -> dict[str, Any]:
    return {"from": CLIENT, "id": "wamid.X", "timestamp": "1700000000", "type": kind, kind: content}


MESSAGE_TYPES = [
    pytest.param(
        text_message(CLIENT, "a dragon on my back", message_id="wamid.X", timestamp=1700000000),
        Inbound("wamid.X", 1700000000, "text", "a dragon on my back"),
        id="text",
    ),
    pytest.param(
        button_reply(CLIENT, "size:large", "Large", message_id="wamid.X", timestamp=1700000000),
        Inbound("wamid.X", 1700000000, "choice", "Large", choice_id="size:large"),
        id="interactive button reply",
    ),
    pytest.param(
        list_reply(CLIENT, "region:eu", "Europe", "EU", message_id="wamid.X", timestamp=1700000000),
        Inbound("wamid.X", 1700000000, "choice", "Europe", choice_id="region:eu"),
        id="interactive list reply",
    ),
    pytest.param(
        raw_message("button", {"payload": "resume", "text": "Continue"}),
        Inbound("wamid.X", 1700000000, "choice", "Continue", choice_id="resume"),
        id="template quick-reply button",
    ),
    pytest.param(
        image_message(
            CLIENT,
            "MEDIA1",
            caption="my reference",
            sha256="abc",
            message_id="wamid.X",
            timestamp=1700000000,
        ),
        Inbound(
            "wamid.X",
            1700000000,
            "media",
            "my reference",
            media=Media("MEDIA1", "image", "image/jpeg", "abc"),
        ),
        id="image with caption inside the image object",
    ),
    pytest.param(
        raw_message("image", {"id": "MEDIA1", "mime_type": "image/png", "sha256": "abc"}),
        Inbound(
            "wamid.X", 1700000000, "media", "", media=Media("MEDIA1", "image", "image/png", "abc")
        ),
        id="image without caption is empty text, not a placeholder",
    ),
    pytest.param(
        raw_message(
            "document",
            {"id": "D1", "mime_type": "application/pdf", "sha256": "s", "filename": "idea.pdf"},
        ),
        Inbound(
            "wamid.X",
            1700000000,
            "media",
            "",
            media=Media("D1", "document", "application/pdf", "s", "idea.pdf"),
        ),
        id="document keeps its filename",
    ),
    *[
        pytest.param(
            raw_message(kind, {"id": "M", "mime_type": "x/y", "sha256": "s"}),
            Inbound("wamid.X", 1700000000, "media", "", media=Media("M", kind, "x/y", "s")),
            id=kind,
        )
        for kind in ("video", "audio", "sticker")
    ],
    pytest.param(
        raw_message("reaction", {"message_id": "wamid.OURS", "emoji": "👍"}),
        Inbound("wamid.X", 1700000000, "reaction", "👍"),
        id="reaction",
    ),
    pytest.param(
        raw_message("reaction", {"message_id": "wamid.OURS"}),
        Inbound("wamid.X", 1700000000, "reaction", ""),
        id="removed reaction has no emoji",
    ),
    pytest.param(
        raw_message(
            "location",
            {"latitude": 51.5, "longitude": -0.12, "name": "Studio", "address": "1 High St"},
        ),
        Inbound("wamid.X", 1700000000, "location", "51.5,-0.12; Studio; 1 High St"),
        id="location with name and address",
    ),
    pytest.param(
        raw_message("location", {"latitude": 51.5, "longitude": -0.12}),
        Inbound("wamid.X", 1700000000, "location", "51.5,-0.12"),
        id="bare location",
    ),
    pytest.param(
        {
            **raw_message("unsupported", {"type": "poll"}),
            "errors": [{"code": 131051, "title": "Message type unknown"}],
        },
        Inbound("wamid.X", 1700000000, "unsupported", "poll"),
        id="unsupported names the real type",
    ),
    pytest.param(
        raw_message("unknown", {}),
        Inbound("wamid.X", 1700000000, "unsupported", "unknown"),
        id="unknown (older payloads)",
    ),
    pytest.param(
        raw_message("interactive", {"type": "nfm_reply", "nfm_reply": {"response_json": "{}"}}),
        Inbound("wamid.X", 1700000000, "unsupported", "nfm_reply"),
        id="flow reply",
    ),
    *[
        pytest.param(
            raw_message(kind, {}),
            Inbound("wamid.X", 1700000000, "unsupported", kind),
            id=kind,
        )
        for kind in ("contacts", "order", "system", "request_welcome", "edit", "revoke")
    ],
]


@pytest.mark.parametrize(("message", "expected"), MESSAGE_TYPES)
def test_each_message_type_becomes_our_inbound(message: dict, expected: Inbound) -> None:
    assert only_message(inbound_delivery([message])) == expected


def test_a_swipe_reply_names_the_message_it_answers() -> None:
    message = text_message(CLIENT, "Friday works", message_id="wamid.R", reply_to="wamid.OURS")
    read = only_message(inbound_delivery([message]))
    assert (read.text, read.reply_to) == ("Friday works", "wamid.OURS")
    assert only_message(inbound_delivery([text_message(CLIENT, "hi")])).reply_to == ""


def test_long_text_is_kept_whole() -> None:
    body = "x" * 10_000
    assert only_message(inbound_delivery([text_message(CLIENT, body)])).text == body


def test_sender_carries_wa_id_user_id_name_and_our_number() -> None:
    message = text_message(CLIENT, "hi")
    message["from_user_id"] = "GB.1234567890"
    body = inbound_delivery([message], phone_number_id="OURS", name="Alex")
    [item] = parse(body).messages
    assert item.contact == Contact(wa_id=CLIENT, user_id="GB.1234567890", name="Alex")
    assert item.phone_number_id == "OURS"


def test_sender_with_phone_withheld_is_known_by_business_scoped_id_only() -> None:
    message = text_message(CLIENT, "hi")
    del message["from"]
    message["from_user_id"] = "US.13491208655302741918"
    [item] = parse(inbound_delivery([message], name="Sam")).messages
    assert item.contact == Contact(wa_id=None, user_id="US.13491208655302741918", name="Sam")


def test_user_id_found_only_in_contacts_is_matched_to_the_sender() -> None:
    body = inbound_delivery([text_message(CLIENT, "hi")])
    body["entry"][0]["changes"][0]["value"]["contacts"][0]["user_id"] = "GB.42"
    [item] = parse(body).messages
    assert (item.contact.wa_id, item.contact.user_id) == (CLIENT, "GB.42")


def test_every_entry_change_and_message_in_one_delivery_is_returned() -> None:
    first = inbound_delivery(
        [
            text_message("441", "one", message_id="wamid.1"),
            text_message("442", "two", message_id="wamid.2"),
        ]
    )
    second = inbound_delivery([text_message("443", "three", message_id="wamid.3")])
    change = second["entry"][0]["changes"][0]
    first["entry"][0]["changes"].append(change)
    first["entry"].append({"id": "OTHER_WABA", "changes": [change]})
    delivery = parse(first)
    assert [(m.contact.wa_id, m.message.message_id) for m in delivery.messages] == [
        ("441", "wamid.1"),
        ("442", "wamid.2"),
        ("443", "wamid.3"),
        ("443", "wamid.3"),
    ]
    assert delivery.problems == []


def test_statuses_are_read_with_their_error_codes() -> None:
    statuses = [
        status_update("wamid.A", "delivered", recipient_id=CLIENT, timestamp=1700000001),
        status_update("wamid.A", "read", recipient_id=CLIENT, timestamp=1700000002),
        status_update(
            "wamid.B", "failed", recipient_id=CLIENT, timestamp=1700000003, error_codes=(131047,)
        ),
    ]
    delivery = parse(inbound_delivery([], statuses=statuses))
    assert [(s.message_id, s.status, s.timestamp, s.error_codes) for s in delivery.statuses] == [
        ("wamid.A", "delivered", 1700000001, ()),
        ("wamid.A", "read", 1700000002, ()),
        ("wamid.B", "failed", 1700000003, (131047,)),
    ]
    assert {s.recipient_id for s in delivery.statuses} == {CLIENT}
    assert delivery.messages == [] and delivery.problems == []


def test_a_status_carries_the_outbound_id_meta_echoes() -> None:
    # We send our outbound id as biz_opaque_callback_data; Meta echoes it on every status.
    status = status_update("wamid.A", "delivered", recipient_id=CLIENT)
    status["biz_opaque_callback_data"] = "lead-1:3"
    plain = status_update("wamid.B", "read", recipient_id=CLIENT)
    too_long = {**plain, "biz_opaque_callback_data": "x" * 300}  # cannot be one of ours
    delivery = parse(inbound_delivery([], statuses=[status, plain, too_long]))
    assert [s.callback_data for s in delivery.statuses] == ["lead-1:3", "", ""]


def test_status_for_a_phone_less_recipient_names_the_business_scoped_id() -> None:
    status = status_update("wamid.A", "sent", recipient_id="")
    del status["recipient_id"]
    status["recipient_user_id"] = "US.99"
    [update] = parse(inbound_delivery([], statuses=[status])).statuses
    assert update.recipient_id == "US.99"


def test_other_webhook_fields_are_ignored_quietly() -> None:
    body = inbound_delivery([text_message(CLIENT, "hi")])
    body["entry"][0]["changes"].append(
        {"field": "message_template_status_update", "value": {"event": "APPROVED"}}
    )
    delivery = parse(body)
    assert len(delivery.messages) == 1 and delivery.problems == []


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"{not json", id="not JSON"),
        pytest.param(b"\xff\xfe\x00", id="not UTF-8"),
        pytest.param(b"[]", id="a list"),
        pytest.param(b'{"object": "whatsapp_business_account"}', id="no entry"),
        pytest.param(
            b'{"object": "whatsapp_business_account", "entry": {}}', id="entry not a list"
        ),
        pytest.param(b'{"object": "page", "entry": []}', id="another product"),
        pytest.param(b'{"entry": []}', id="no object"),
    ],
)
def test_a_body_that_is_not_a_whatsapp_envelope_is_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedDelivery):
        parse_delivery(raw)


def test_unreadable_parts_are_reported_and_the_rest_survives() -> None:
    no_id = text_message(CLIENT, "lost")
    del no_id["id"]
    no_sender = text_message(CLIENT, "anonymous", message_id="wamid.ANON")
    del no_sender["from"]
    good = text_message(CLIENT, "kept", message_id="wamid.GOOD")
    bad_time = text_message(CLIENT, "late", message_id="wamid.TIME")
    bad_time["timestamp"] = "yesterday"
    body = inbound_delivery([no_id, good, bad_time], statuses=[{"status": "read"}])
    # A second change whose sender cannot be told apart from another contact.
    other = inbound_delivery([no_sender])
    other_value = other["entry"][0]["changes"][0]["value"]
    other_value["contacts"] = [{"profile": {"name": "A"}}, {"profile": {"name": "B"}}]
    body["entry"][0]["changes"] += other["entry"][0]["changes"] + ["junk", {"value": []}]
    body["entry"] += [{"id": "no changes"}, 7]

    delivery = parse(body)

    assert [(m.message.message_id, m.message.sent_at) for m in delivery.messages] == [
        ("wamid.GOOD", int(good["timestamp"])),
        ("wamid.TIME", 0),
    ]
    assert delivery.problems == [
        "entry[0].changes[0].messages[0]: no message id",
        "entry[0].changes[0].messages[2]: unreadable timestamp",
        "entry[0].changes[0].statuses[0]: no message id or status",
        "entry[0].changes[1].messages[0]: no sender (neither 'from' nor a user id)",
        "entry[0].changes[2]: no 'value' object",
        "entry[0].changes[3]: no 'value' object",
        "entry[1]: no 'changes' list",
        "entry[2]: no 'changes' list",
    ]
    assert not any(CLIENT in problem for problem in delivery.problems)


def test_media_without_an_id_is_unsupported_and_reported() -> None:
    body = inbound_delivery([raw_message("image", {"caption": "look"})])
    delivery = parse(body)
    assert delivery.messages[0].message == Inbound("wamid.X", 1700000000, "unsupported", "image")
    assert delivery.problems == ["entry[0].changes[0].messages[0]: image without a media id"]


# -- signature ---------------------------------------------------------------------------------

RAW = json.dumps(inbound_delivery([text_message(CLIENT, "hi")])).encode()


@pytest.mark.parametrize(
    ("header", "valid"),
    [
        pytest.param(sign(RAW, SECRET), True, id="valid"),
        pytest.param(sign(RAW, SECRET).upper().replace("SHA256=", "sha256="), True, id="hex case"),
        pytest.param(sign(RAW, "another secret"), False, id="forged with another secret"),
        pytest.param(sign(RAW + b" ", SECRET), False, id="body changed"),
        pytest.param(None, False, id="missing"),
        pytest.param("", False, id="empty"),
        pytest.param(sign(RAW, SECRET).removeprefix("sha256="), False, id="no prefix"),
        pytest.param(sign(RAW, SECRET).replace("sha256=", "sha1="), False, id="wrong prefix"),
        pytest.param("sha256=é" + "0" * 63, False, id="non-ASCII"),
    ],
)
def test_signature(header: str | None, valid: bool) -> None:
    assert verify_signature(RAW, header, SECRET) is valid


def test_signature_never_validates_without_an_app_secret() -> None:
    assert verify_signature(RAW, sign(RAW, ""), "") is False


# -- never anything but MalformedDelivery ------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
MESSAGE_KEYS = ["from", "from_user_id", "id", "timestamp", "type", "text", "interactive"]
MESSAGE_KEYS += ["button", "image", "document", "reaction", "location", "unsupported"]
plausible_message = st.dictionaries(st.sampled_from(MESSAGE_KEYS), json_values, max_size=6)
plausible_value = st.fixed_dictionaries(
    {},
    optional={
        "metadata": json_values,
        "contacts": st.lists(json_values, max_size=3),
        "messages": st.lists(plausible_message | json_values, max_size=3),
        "statuses": st.lists(
            st.dictionaries(st.sampled_from(["id", "status", "timestamp", "errors"]), json_values)
            | json_values,
            max_size=3,
        ),
        "errors": json_values,
    },
)
plausible_delivery = st.fixed_dictionaries(
    {
        "object": st.just("whatsapp_business_account"),
        "entry": st.lists(
            st.fixed_dictionaries(
                {
                    "changes": st.lists(
                        st.fixed_dictionaries({"value": plausible_value}) | json_values
                    )
                }
            )
            | json_values,
            max_size=3,
        ),
    }
)


def parses_or_is_malformed(raw: bytes) -> None:
    try:
        delivery = parse_delivery(raw)
    except MalformedDelivery:
        return
    for item in delivery.messages:
        assert item.message.message_id
        assert item.contact.wa_id or item.contact.user_id


@settings(max_examples=300)
@given(st.binary())
def test_arbitrary_bytes_never_raise_anything_but_malformed(raw: bytes) -> None:
    parses_or_is_malformed(raw)


@settings(max_examples=300)
@given(json_values)
def test_arbitrary_json_never_raises_anything_but_malformed(value: Any) -> None:
    parses_or_is_malformed(json.dumps(value).encode())


@settings(max_examples=150)
@given(plausible_delivery)
def test_envelopes_with_arbitrary_insides_are_read_without_raising(value: dict[str, Any]) -> None:
    delivery = parse_delivery(json.dumps(value).encode())
    for item in delivery.messages:  # whatever it kept has an id and a sender
        assert item.message.message_id
        assert item.contact.wa_id or item.contact.user_id
