"""Run an ASGI app under uvicorn inside the current event loop, as a task.

Why: tests and ``cme-bot chat`` keep the sandbox and the bot in one loop (no threads, no
subprocess). Three things uvicorn does not give us out of the box:

* TCP_NODELAY set explicitly on accepted sockets. asyncio already sets it on TCP transports,
  but the sandbox must not depend on that: with Nagle on, a PTB round trip costs ~45 ms
  instead of ~1 ms (``nodelay=False`` exists to measure exactly that);
* a way to drop a connection without answering (fault injection), via :meth:`abort`;
* no signal handlers (the host program owns Ctrl+C) and a stop that does not poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Generator
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

try:  # httptools parses HTTP in C: ~3x the requests per second of pure-Python h11
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _BaseProtocol
except ImportError:  # pragma: no cover - httptools is a dependency; h11 still works
    _BaseProtocol = H11Protocol  # type: ignore[misc,assignment]

log = logging.getLogger(__name__)


def _protocol_class(connections: dict[tuple[str, int], asyncio.Transport], nodelay: bool) -> type:
    """An HTTP protocol that sets TCP_NODELAY and remembers transports by peer address."""

    class SandboxProtocol(_BaseProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            sock = transport.get_extra_info("socket")
            if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1 if nodelay else 0)
            super().connection_made(transport)
            if self.client:
                connections[self.client] = transport

        def connection_lost(self, exc: Exception | None) -> None:
            if self.client:
                connections.pop(self.client, None)
            super().connection_lost(exc)

    return SandboxProtocol


class _EmbeddedServer(uvicorn.Server):
    """uvicorn.Server that leaves signals alone and exits as soon as it is told to."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.exit_event = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield

    async def main_loop(self) -> None:
        await self.on_tick(0)
        await self.exit_event.wait()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Like uvicorn's, minus its fixed 0.1 s sleeps (every e2e test pays for stop)."""
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout_graceful_shutdown or 2)
        while loop.time() < deadline:  # connections close within ms once told to
            if not (self.server_state.connections or self.server_state.tasks):
                break
            await asyncio.sleep(0.002)
        for task in list(self.server_state.tasks):
            task.cancel()
        for connection in list(self.server_state.connections):
            transport = getattr(connection, "transport", None)
            if transport is not None:
                transport.abort()
        for server in self.servers:
            await server.wait_closed()


class BackgroundServer:
    """An ASGI app served on ``host:port`` (0 = a free port) by a task in this loop."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0, nodelay: bool = True):
        self.app = app
        self.host = host
        self.requested_port = port
        self.nodelay = nodelay
        self.port = 0
        self.connections: dict[tuple[str, int], asyncio.Transport] = {}
        self._server: _EmbeddedServer | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        config = uvicorn.Config(
            self.app,
            host=self.host,
            port=self.requested_port,
            http=_protocol_class(self.connections, self.nodelay),
            ws="none",
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=2,
        )
        server = self._server = _EmbeddedServer(config)
        self._task = asyncio.get_running_loop().create_task(server.serve())
        while not server.started:
            if self._task.done():
                exc = self._task.exception()
                raise RuntimeError(
                    f"server failed to start on {self.host}:{self.requested_port}"
                ) from exc
            await asyncio.sleep(0.001)
        self.port = server.servers[0].sockets[0].getsockname()[1]

    async def stop(self) -> None:
        server, task = self._server, self._task
        self._server = self._task = None
        if server is None or task is None:
            return
        server.should_exit = True
        server.exit_event.set()
        with contextlib.suppress(SystemExit, asyncio.CancelledError):
            await task

    async def abort(self, client: tuple[str, int] | None) -> bool:
        """Close the connection of the request from ``client`` without a response."""
        transport = self.connections.get(client) if client else None
        if transport is None:
            return False
        transport.abort()
        await asyncio.sleep(0)  # let connection_lost mark the request cycle disconnected
        return True
