"""Runs an ASGI app (a fake of some provider's API) with uvicorn on a free localhost port in a
background thread, for tests and offline use."""
from __future__ import annotations

import threading
import time
from typing import Any


class LocalAsgiServer:
    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0, name: str = "local-asgi-server"):
        import uvicorn   # a test/offline tool: uvicorn is only needed when one is started

        self.app = app
        self.host = host
        self.port = port       # 0 lets the OS pick a free port; the real one is known after start()
        self._server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                                     lifespan="off", access_log=False))
        self._thread = threading.Thread(target=self._server.run, name=name, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> LocalAsgiServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"{self._thread.name} did not start")
            time.sleep(0.02)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> LocalAsgiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
