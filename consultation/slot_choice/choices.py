"""What a reply to a list of offered slots can mean, and the list rows it is read against."""

from __future__ import annotations

from dataclasses import dataclass

from consultation.calendar_rules import Rules
from consultation.copy import render
from consultation.messages import ListRow
from consultation.slots import Slot, describe_slot, format_slot


@dataclass(frozen=True)
class Chosen:
    index: int  # into the offered slots, from 0


@dataclass(frozen=True)
class Ambiguous:
    question: str  # e.g. "10am or 2pm on Wednesday?"
    candidates: list[int]  # indexes into the offered slots, at least two


@dataclass(frozen=True)
class NotUnderstood:
    hint: str  # what to reply, for the repair message


@dataclass(frozen=True)
class WantsMore:
    """None of these suit: the client asked for other times."""


Choice = Chosen | Ambiguous | NotUnderstood | WantsMore
ROW_PREFIX = "slot:"
MORE_ID = "slot:more"


def row_id(index: int, slot: Slot) -> str:
    """The list-row id for offered slot `index`: its number as the client sees it and its start,
    so a tap on an older list cannot pick whatever now sits at that position."""
    return f"{ROW_PREFIX}{index + 1}:{slot.start:%Y%m%dT%H%MZ}"


def slot_rows(offered: list[Slot], rules: Rules) -> tuple[ListRow, ...]:
    return tuple(
        ListRow(row_id(i, slot), format_slot(slot, rules), describe_slot(slot, rules))
        for i, slot in enumerate(offered)
    )


def tapped(choice_id: str, offered: list[Slot]) -> Choice:
    number, _, start = choice_id.removeprefix(ROW_PREFIX).partition(":")
    index = int(number) - 1 if number.isdecimal() and len(number) < 4 else -1
    if 0 <= index < len(offered) and (not start or row_id(index, offered[index]) == choice_id):
        return Chosen(index)
    for i, slot in enumerate(offered):  # the same slot, now at another position
        if start and row_id(i, slot).endswith(":" + start):
            return Chosen(i)
    return NotUnderstood(render("slot.stale", n=len(offered)))
