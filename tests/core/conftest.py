"""Fixtures for the core tests: a scripted chat with the default or a custom policy."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from consultation.lead import Policy
from tests.core.chat import Chat


@pytest.fixture
def make_chat() -> Callable[..., Chat]:
    def make(**policy: object) -> Chat:
        options: dict[str, object] = {"artist_name": "Sam"} | policy
        return Chat(Policy(**options))  # type: ignore[arg-type]

    return make


@pytest.fixture
def chat(make_chat: Callable[..., Chat]) -> Chat:
    return make_chat()
