"""Which offered slot the client meant (`choose`), and the list rows offered slots are shown as.

The wording of questions and hints is in the copy YAML (`slot.*`)."""

from consultation.slot_choice.choices import (
    MORE_ID,
    ROW_PREFIX,
    Ambiguous,
    Choice,
    Chosen,
    NotUnderstood,
    WantsMore,
    row_id,
    slot_rows,
)
from consultation.slot_choice.patterns import FULL_DAYS
from consultation.slot_choice.reading import choose

__all__ = [
    "FULL_DAYS",
    "MORE_ID",
    "ROW_PREFIX",
    "Ambiguous",
    "Choice",
    "Chosen",
    "NotUnderstood",
    "WantsMore",
    "choose",
    "row_id",
    "slot_rows",
]
