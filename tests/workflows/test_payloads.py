"""The worker's payload converter writes and reads exactly what Temporal's default does, faster:
every recorded history replays with it, and a whole consultation's payloads are written byte for
byte the same and read back the same."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pytest
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.worker import Replayer

from activities.contracts import Delivery, LeadSnapshot, SendRequest
from consultation.core import Inbound, Lead, engine
from consultation.lead import Policy
from temporal_payloads import PayloadConverter
from tests.e2e.journeys import ANSWERS
from workflows.contracts import Carried, LeadInput
from workflows.lead import LeadWorkflow

HISTORIES = sorted((Path(__file__).parent.parent / "data" / "histories").glob("*.json"))
DEFAULT = DataConverter.default.payload_converter
FAST = PayloadConverter()
POLICY = Policy(artist_name="Sam")


def consultation() -> list[Delivery]:
    """The delivery of every turn of a whole consultation, as the workflow sends them."""
    lead, now, deliveries = Lead(lead_id="run-1"), datetime(2026, 12, 2, 12, tzinfo=UTC), []
    for n, text in enumerate(["Hi, I'd like a tattoo", *ANSWERS, "confirm"]):
        turn = engine.handle(
            lead, Inbound(f"m{n}", int(now.timestamp()), "text", text), now, POLICY
        )
        lead, now = turn.lead, now + timedelta(seconds=5)
        sends = [
            SendRequest(f"run-1:{n}:{i}", "key", "run-1", reply, True)
            for i, reply in enumerate(turn.replies)
        ]
        deliveries.append(
            Delivery(LeadSnapshot("key", "lead-key", "run-1", lead, turn.events), sends)
        )
    return deliveries


def test_a_consultations_payloads_read_back_as_the_sdks_own_converter_reads_them():
    deliveries = consultation()
    assert deliveries[-1].snapshot.lead.estimate is not None, "a lead with nested dataclasses"
    for delivery in deliveries:
        payloads = DEFAULT.to_payloads([delivery])
        assert FAST.to_payloads([delivery]) == payloads
        assert FAST.from_payloads(payloads, [Delivery]) == DEFAULT.from_payloads(
            payloads, [Delivery]
        )
        assert FAST.from_payloads(payloads, [Delivery]) == [delivery]
    start = LeadInput("key", POLICY, carried=Carried(lead=deliveries[-1].snapshot.lead))
    assert FAST.to_payloads([start]) == DEFAULT.to_payloads([start])
    assert FAST.from_payloads(DEFAULT.to_payloads([start]), [LeadInput]) == [start]


def test_unknown_fields_are_ignored_and_a_wrong_shape_is_refused_as_the_sdk_does():
    inbound = Inbound("m1", 1_000, "text", "hello")
    [payload] = DEFAULT.to_payloads([{**dataclasses.asdict(inbound), "added_later": 1}])
    assert FAST.from_payloads([payload], [Inbound]) == [inbound]
    [wrong] = DEFAULT.to_payloads([["not", "an", "object"]])
    with pytest.raises(TypeError):
        FAST.from_payloads([wrong], [Inbound])


@dataclasses.dataclass
class Shapes:
    """A field of each shape a JSON value may be taken as it is for, or not."""

    s: str = ""
    i: int = 0
    f: float = 0.0
    b: bool = False
    oi: int | None = None
    of: float | None = None
    lit: Literal["a", "b"] = "a"
    ls: list[str] = dataclasses.field(default_factory=list)
    lf: list[float] = dataclasses.field(default_factory=list)
    ds: dict[str, int] = dataclasses.field(default_factory=dict)
    da: dict[str, Any] = dataclasses.field(default_factory=dict)
    when: datetime | None = None


@pytest.mark.parametrize(
    "value",
    [
        {"s": "é 🌹 刺青", "i": 3, "f": 2.5, "b": True, "oi": 7, "of": 1.5, "lit": "b"},
        {"ls": ["a", "b"], "lf": [1.5], "ds": {"a": 1}, "da": {"a": [1, {"b": None}]}},
        {"i": 12.5}, {"i": True}, {"f": 3}, {"b": 1}, {"s": 5}, {"s": None},
        {"oi": None}, {"oi": 2.5}, {"oi": "2"}, {"of": 2}, {"lit": "c"},
        {"ls": ["a", 1]}, {"lf": [1, 2.5]}, {"ds": {"a": True}}, {"ds": {"a": "1"}},
        {"da": []}, {"when": "2026-12-02T10:00:00+00:00"}, {"when": None}, {"when": 5},
    ],
)  # fmt: skip
def test_a_value_taken_as_it_is_reads_exactly_as_the_sdk_reads_it(value: dict[str, Any]):
    """Equal and of the same types (1 == True, 3 == 3.0), or refused by both."""
    [payload] = DEFAULT.to_payloads([value])

    def read(converter: Any) -> str:
        try:
            return repr(converter.from_payloads([payload], [Shapes]))
        except TypeError:
            return "refused"

    assert read(FAST) == read(DEFAULT)


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_recorded_histories_replay_through_it(path: Path):
    history = WorkflowHistory.from_json(f"replay-{path.stem}", path.read_text(encoding="utf-8"))
    converter = dataclasses.replace(DataConverter.default, payload_converter_class=PayloadConverter)
    await Replayer(workflows=[LeadWorkflow], data_converter=converter).replay_workflow(history)
