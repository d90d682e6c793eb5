"""The consultation script: 13 questions in the reference order, with the interactive options
offered for the ones that have a few likely answers. Typed answers are always accepted too."""

from __future__ import annotations

from dataclasses import dataclass

from consultation.answers import TIMING_OPTIONS


@dataclass(frozen=True)
class Option:
    id: str
    title: str
    value: str | None  # what the tap means as a typed answer; None = "let me type it"
    description: str = ""


@dataclass(frozen=True)
class Question:
    key: str
    label: str  # how the summary and the "change" list name it
    options: tuple[Option, ...] = ()
    as_list: bool = False  # a list message (≤10 rows) rather than reply buttons (≤3)
    list_button: str = ""

    def option(self, choice_id: str | None) -> Option | None:
        return next((o for o in self.options if o.id == choice_id), None)


def _rows(key: str, titles: str) -> tuple[Option, ...]:
    """List rows from "A|B|C", plus the "Other (type it)" row for free text."""
    options = tuple(
        Option(f"{key}_{index}", title, title) for index, title in enumerate(titles.split("|"))
    )
    return options + (Option(f"{key}_other", "Other (type it)", None),)


QUESTIONS: tuple[Question, ...] = (
    Question("idea", "Idea"),
    Question(
        "placement",
        "Placement",
        _rows(
            "placement",
            "Forearm|Upper arm|Hand / wrist|Leg / calf|Thigh|Back|Chest|Ribs|Ankle / foot",
        ),
        as_list=True,
        list_button="Choose placement",
    ),
    Question("dimensions", "Size"),
    Question(
        "style",
        "Style",
        _rows(
            "style",
            "Fine line|Realism|Traditional|Neo-traditional|Blackwork|Watercolour|Geometric|"
            "Japanese|Not sure yet",
        ),
        as_list=True,
        list_button="Choose style",
    ),
    Question(
        "complexity",
        "Detail level",
        (
            Option("complexity_1", "Simple linework", "1"),
            Option("complexity_2", "Medium detail", "2"),
            Option("complexity_3", "High detail/realism", "3"),
        ),
    ),
    Question(
        "coverup",
        "Cover-up",
        (Option("coverup_yes", "Yes", "yes"), Option("coverup_no", "No", "no")),
    ),
    Question("reference_images", "References"),
    Question("budget", "Budget"),
    Question("location_city", "Location"),
    Question("location_country", "Country"),
    Question("instagram_handle", "Instagram"),
    Question("travel_city", "Travel city"),
    Question(
        "timing",
        "Timing",
        tuple(Option(f"timing_{i}", title, title) for i, title in enumerate(TIMING_OPTIONS)),
    ),
)
KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS)
BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}


def question_at(step: int) -> Question | None:
    return QUESTIONS[step] if 0 <= step < len(QUESTIONS) else None


def is_last(step: int) -> bool:
    return step == len(QUESTIONS) - 1
