"""Fitting a parsed WhatsApp message to what PostgreSQL and Temporal accept (pure, no I/O)."""

from __future__ import annotations

import pytest

from api.message_limits import fit
from api.meta_payload import Contact, InboundMessage
from consultation.messages import Inbound, Media


def item(
    text: str = "Hi",
    *,
    message_id: str = "wamid.1",
    wa_id: str | None = "447700900123",
    user_id: str | None = None,
    name: str = "Ana",
    sent_at: int = 1_700_000_000,
    media: Media | None = None,
) -> InboundMessage:
    message = Inbound(message_id, sent_at, "media" if media else "text", text, media=media)
    return InboundMessage(Contact(wa_id, user_id, name), message, "PNID")


@pytest.mark.parametrize(
    ("bad", "refusal"),
    [
        (item(message_id="w" * 257), "message id longer than 256 characters"),
        (item(message_id="wamid.\x00"), "message id has characters PostgreSQL cannot store"),
        (item(wa_id="4" * 33), "sender wa_id longer than 32 characters"),
        (item(wa_id="44\x007"), "sender wa_id has characters PostgreSQL cannot store"),
        (item(wa_id=None, user_id="US." + "1" * 126), "sender user id longer than 128 characters"),
    ],
)
def test_ids_are_stored_exactly_or_the_message_is_refused(bad, refusal):
    assert fit(bad).refusal == refusal


def test_ids_at_their_limits_are_kept():
    ok = item(message_id="w" * 256, wa_id="4" * 32)
    assert fit(ok).refusal == "" and fit(ok).item == ok


def test_texts_lose_what_postgresql_cannot_store_and_are_cut_to_whatsapps_limit():
    fitted = fit(item("Hi\x00 there \ud800" + "z" * 5000, name="A\x00na"))
    assert fitted.refusal == ""
    assert fitted.item.message.text == ("Hi there ?" + "z" * 5000)[:4096]
    assert fitted.item.contact.name == "Ana"
    assert fitted.cut == {"text": 5010} and fitted.cleaned == 2


def test_every_text_of_a_media_message_is_fitted_too():
    media = Media("MEDIA1", "image", filename="x" * 5000, sha256="ab\x00c")
    fitted = fit(item("c" * 4097, media=media))
    assert fitted.item.message.media == Media("MEDIA1", "image", filename="x" * 4096, sha256="abc")
    assert fitted.cut == {"text": 4097, "media.filename": 5000} and fitted.cleaned == 1


def test_a_timestamp_no_bigint_can_hold_reads_as_unreadable():
    fitted = fit(item(sent_at=10**20))
    assert fitted.item.message.sent_at == 0 and fitted.cleaned == 1
