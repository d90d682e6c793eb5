"""Temporal's JSON payloads, decoded with each dataclass's field types resolved once.

The SDK resolves a dataclass's annotations (`typing.get_type_hints`) every time it decodes one:
about half the cost of decoding a turn's delivery (the lead, its booking, its events) in the
worker, on every turn (bench/RESULTS.md). This resolves them once per class, and takes a field's
JSON value as it is when the SDK would only have rebuilt it equal (a `str` for a `str`, a
`dict[str, str]` of strings): most of a lead's fields, each of which cost the SDK a walk through
its converters. The wire format is Temporal's own, so a client or worker without it reads and
writes the same payloads.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable
from typing import Any

from temporalio.converter import (
    AdvancedJSONEncoder,
    CompositePayloadConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
    JSONTypeConverter,
    value_to_type,
)

# JSON's own types, which the SDK returns unchanged for a field of exactly that type. (Not an
# int for a float, nor a bool for an int: the SDK converts those.)
_SCALARS = (str, int, float, bool)
AsIs = Callable[[Any], bool]  # whether a JSON value needs no conversion for its field


def _as_is(hint: Any) -> AsIs | None:
    """A test for the JSON values a field of type `hint` takes as they are (the SDK would build
    an equal value), or None when every value goes through the SDK."""
    if hint is Any:
        return lambda value: True
    if hint in _SCALARS:
        return lambda value: type(value) is hint
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return lambda value: value in args
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        # An optional field's null is null. Its value, only for a scalar: the SDK tries a
        # union's members in order, so `int | float` would turn 12.5 to 12.
        [inner] = [arg for arg in args if arg is not type(None)]
        scalar = inner in _SCALARS
        return lambda value: value is None or (scalar and type(value) is inner)
    if origin is list and len(args) == 1:
        item = _as_is(args[0]) or (lambda value: False)  # an empty list is still as it is
        return lambda value: type(value) is list and all(item(v) for v in value)
    if origin is dict and len(args) == 2 and args[0] is str:
        entry = _as_is(args[1]) or (lambda value: False)
        return lambda value: (
            type(value) is dict and all(type(k) is str and entry(v) for k, v in value.items())
        )
    return None


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, Any, bool, AsIs | None], ...]:
    """(name, type, init, as-is test) of each field of a dataclass."""
    hints = typing.get_type_hints(cls)
    return tuple(
        (f.name, hints[f.name], f.init, _as_is(hints[f.name])) for f in dataclasses.fields(cls)
    )


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
        for name, field_type, init, as_is in _fields(hint):
            if name not in value:
                continue
            converted = value[name]
            if as_is is None or not as_is(converted):
                try:
                    converted = value_to_type(field_type, converted, self.converters)
                except Exception as error:
                    raise TypeError(
                        f"Failed converting field {name} on dataclass {hint}"
                    ) from error
            (given if init else later)[name] = converted
        made = hint(**given)
        for name, converted in later.items():
            object.__setattr__(made, name, converted)
        return made


@functools.cache
def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


class Encoder(AdvancedJSONEncoder):
    """The SDK's encoder, with a dataclass handed to JSON field by field: the SDK's
    `dataclasses.asdict` deep-copies every value first, and JSON walks the copy again."""

    def default(self, o: Any) -> Any:
        if dataclasses.is_dataclass(o) and not isinstance(o, type):
            return {name: getattr(o, name) for name in _names(type(o))}
        return super().default(o)


class PayloadConverter(CompositePayloadConverter):
    """Temporal's default payload converter with `Encoder` and `Dataclasses` in its JSON step."""

    def __init__(self) -> None:
        super().__init__(
            *(
                JSONPlainPayloadConverter(encoder=Encoder, custom_type_converters=[Dataclasses()])
                if isinstance(converter, JSONPlainPayloadConverter)
                else converter
                for converter in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )
