"""Serving an ASGI app on 127.0.0.1 from a background thread: the fake providers and the API
under test all run this way, so tests talk real HTTP on loopback and nowhere else."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Self

import uvicorn


class LoopbackServer:
    """Subclasses build their app in `_app()`; or pass an app (and a port) directly."""

    def __init__(self, app: Any = None, port: int = 0) -> None:
        self.app = app
        self.port = port
        self.base_url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def _app(self) -> Any:
        if self.app is None:
            raise NotImplementedError("give an app or override _app()")
        return self.app

    def start(self) -> Self:
        # Bind first and hand uvicorn the socket: no window in which another process takes
        # the port between choosing it and listening on it.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        # The API under test needs its lifespan (database engine); the fakes have none.
        config = uvicorn.Config(
            self._app(), log_level="warning", lifespan="on" if self.app is not None else "off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"{type(self).__name__} did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
