"""Builders for outbound messages that enforce WhatsApp's interactive limits at build time.

A violation is a bug in our copy or code, never the client's doing, so it raises ValueError.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

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
    Recipient,
    Template,
)


def _check(condition: bool, problem: str) -> None:
    if not condition:
        raise ValueError(problem)


def _tidy(body: str) -> str:
    """One blank line at most between paragraphs, whatever parts a message was built from."""
    return re.sub(r"\n\s*\n(\s*\n)+", "\n\n", body).strip()


def _check_body(body: str, limit: int) -> None:
    _check(bool(body.strip()), "message body is empty")
    _check(len(body) <= limit, f"message body is {len(body)} characters, limit {limit}")


def _check_ids(ids: list[str], limit: int) -> None:
    _check(len(set(ids)) == len(ids), f"duplicate ids {ids}")
    for item in ids:
        _check(0 < len(item) <= limit, f"id {item!r} must be 1-{limit} characters")


def text(to: Recipient, body: str, key: str, template: Template | None = None) -> Outbound:
    body = _tidy(body)
    _check_body(body, MAX_TEXT)
    return Outbound(to=to, text=body, key=key, template=template)


def buttons(
    to: Recipient,
    body: str,
    options: Sequence[tuple[str, str]],
    key: str,
    template: Template | None = None,
) -> Outbound:
    """Reply buttons: 1-3 of them, titles up to 20 characters, body up to 1024."""
    body = _tidy(body)
    _check_body(body, MAX_BODY)
    _check(0 < len(options) <= MAX_BUTTONS, f"{len(options)} buttons, limit {MAX_BUTTONS}")
    _check_ids([option_id for option_id, _ in options], MAX_BUTTON_ID)
    for _, title in options:
        _check(0 < len(title) <= MAX_BUTTON_TITLE, f"button title {title!r} too long or empty")
    return Outbound(
        to=to,
        text=body,
        buttons=tuple(Button(option_id, title) for option_id, title in options),
        key=key,
        template=template,
    )


def choices(
    to: Recipient,
    body: str,
    button_label: str,
    rows: Sequence[tuple[str, str, str]],
    key: str,
    template: Template | None = None,
) -> Outbound:
    """A list message: 1-10 rows (title ≤24, description ≤72) behind a button (≤20)."""
    body = _tidy(body)
    _check_body(body, MAX_BODY)
    _check(0 < len(button_label) <= MAX_LIST_BUTTON, f"list button {button_label!r} too long")
    _check(0 < len(rows) <= MAX_LIST_ROWS, f"{len(rows)} rows, limit {MAX_LIST_ROWS}")
    _check_ids([row_id for row_id, _, _ in rows], MAX_ROW_ID)
    for _, title, description in rows:
        _check(0 < len(title) <= MAX_ROW_TITLE, f"row title {title!r} too long or empty")
        _check(len(description) <= MAX_ROW_DESCRIPTION, f"row description {description!r} too long")
    return Outbound(
        to=to,
        text=body,
        rows=tuple(ListRow(row_id, title, description) for row_id, title, description in rows),
        list_button=button_label,
        key=key,
        template=template,
    )
