"""What the routes share: settings, the database and a lazily connected Temporal client."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from temporalio.client import Client

from settings import Settings


@dataclass
class EdgeState:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker
    _client: Client | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def temporal(self) -> Client:
        # Connected on first use, so the API starts (and /health answers) while Temporal boots.
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    self._client = await Client.connect(
                        self.settings.TEMPORAL_ADDRESS, namespace=self.settings.TEMPORAL_NAMESPACE
                    )
        return self._client


def edge(request: Request) -> EdgeState:
    return request.app.state.edge


Edge = Annotated[EdgeState, Depends(edge)]
