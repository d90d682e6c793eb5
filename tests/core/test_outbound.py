"""Outbound builders refuse messages WhatsApp would reject."""

from __future__ import annotations

import pytest

from consultation import outbound
from consultation.messages import Template
from consultation.templates import TEMPLATES, template


def test_text_message() -> None:
    message = outbound.text("client", "Hello", "welcome")
    assert (message.to, message.text, message.key) == ("client", "Hello", "welcome")


def test_buttons_carry_ids_and_titles() -> None:
    message = outbound.buttons("client", "Pick", [("a", "A"), ("b", "B")], "question.x")
    assert [(b.id, b.title) for b in message.buttons] == [("a", "A"), ("b", "B")]


def test_list_rows_and_button_label() -> None:
    message = outbound.choices("client", "Pick", "Choose", [("a", "A", "first")], "question.x")
    assert message.list_button == "Choose" and message.rows[0].description == "first"


@pytest.mark.parametrize(
    "build",
    [
        lambda: outbound.text("client", "", "k"),
        lambda: outbound.text("client", "x" * 4097, "k"),
        lambda: outbound.buttons("client", "x", [], "k"),
        lambda: outbound.buttons(
            "client", "x", [("1", "a"), ("2", "b"), ("3", "c"), ("4", "d")], "k"
        ),
        lambda: outbound.buttons("client", "x", [("1", "a" * 21)], "k"),
        lambda: outbound.buttons("client", "x", [("1", "a"), ("1", "b")], "k"),
        lambda: outbound.buttons("client", "x" * 1025, [("1", "a")], "k"),
        lambda: outbound.choices(
            "client", "x", "Choose", [(str(i), "t", "") for i in range(11)], "k"
        ),
        lambda: outbound.choices("client", "x", "Choose", [("1", "t" * 25, "")], "k"),
        lambda: outbound.choices("client", "x", "Choose", [("1", "t", "d" * 73)], "k"),
        lambda: outbound.choices("client", "x", "C" * 21, [("1", "t", "")], "k"),
    ],
)
def test_limits_are_enforced(build) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        build()


def test_templates_are_registered_with_their_parameter_count() -> None:
    assert set(TEMPLATES) == {
        "consultation_reminder", "enquiry_closed", "new_lead_for_artist", "artist_handover",
        "artist_update", "deposit_link", "deposit_expired", "payment_received",
        "enquiry_declined", "booking_confirmed", "booking_times", "appointment_booked",
        "appointment_cancelled", "appointment_reminder", "artist_reply_waiting",
    }  # fmt: skip
    assert TEMPLATES["appointment_reminder"] == ("artist_name", "when", "place")
    assert template("enquiry_closed", "Sam") == Template("enquiry_closed", ("Sam",))
    with pytest.raises(ValueError):
        template("enquiry_closed")
    with pytest.raises(ValueError):
        template("no_such_template", "x")


def test_template_parameters_are_flattened_to_one_line() -> None:
    built = template("artist_handover", "Lead 1", "line one\n\nline   two")
    assert built.params == ("Lead 1", "line one line two")
