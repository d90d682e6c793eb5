"""Temporal's JSON payloads, decoded with each dataclass's field types resolved once.

The SDK resolves a dataclass's annotations (`typing.get_type_hints`) every time it decodes one:
about half the cost of decoding a turn's delivery (the lead, its booking, its events) in the
worker, on every turn (bench/RESULTS.md). This resolves them once per class. The wire format is
Temporal's own, so a client or worker without it reads and writes the same payloads.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from typing import Any

from temporalio.converter import (
    CompositePayloadConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
    JSONTypeConverter,
    value_to_type,
)


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, Any, bool], ...]:
    """(name, type, init) of each field of a dataclass."""
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name], f.init) for f in dataclasses.fields(cls))


class Dataclasses(JSONTypeConverter):
    """What the SDK does for a dataclass (unknown keys ignored, `init=False` fields restored),
    with the field types looked up once."""

    def __init__(self) -> None:
        self.converters: list[JSONTypeConverter] = [self]

    def to_typed_value(self, hint: type, value: Any) -> Any:
        if not (isinstance(hint, type) and dataclasses.is_dataclass(hint)):
            return JSONTypeConverter.Unhandled
        if not isinstance(value, dict):
            raise TypeError(f"Cannot convert to dataclass {hint}, value is {type(value)} not dict")
        given: dict[str, Any] = {}
        later: dict[str, Any] = {}
        for name, field_type, init in _fields(hint):
            if name in value:
                try:
                    converted = value_to_type(field_type, value[name], self.converters)
                except Exception as error:
                    raise TypeError(
                        f"Failed converting field {name} on dataclass {hint}"
                    ) from error
                (given if init else later)[name] = converted
        made = hint(**given)
        for name, converted in later.items():
            object.__setattr__(made, name, converted)
        return made


class PayloadConverter(CompositePayloadConverter):
    """Temporal's default payload converter with `Dataclasses` in its JSON step."""

    def __init__(self) -> None:
        super().__init__(
            *(
                JSONPlainPayloadConverter(custom_type_converters=[Dataclasses()])
                if isinstance(converter, JSONPlainPayloadConverter)
                else converter
                for converter in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )
