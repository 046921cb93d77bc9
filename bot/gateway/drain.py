"""Graceful shutdown of the gateway. On SIGTERM it first stops taking messages — the webhooks
answer 503 (Twilio's retry, Telegram's, or the load balancer brings them to a live process) and
/health says so — while the turns in flight finish with Rasa's calls to /nlg still served; only
then does uvicorn close its sockets. Without this, closing the sockets first made every turn in
flight fail (Rasa cannot reach /nlg): kept and apologised for, answered after the restart."""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn

# The routes that start a turn: refused while draining. /nlg, the status callbacks and the API
# keep being served.
TURN_ROUTES = frozenset({"/sms/twilio", "/telegram/webhook"})
RETRY_AFTER_SECONDS = 5


class DrainingServer(uvicorn.Server):
    """uvicorn's server, draining (`drain(seconds)`) before it closes its sockets."""

    def __init__(
        self, config: uvicorn.Config, drain: Callable[[float], Awaitable[None]], seconds: float
    ):
        super().__init__(config)
        self.drain, self.seconds = drain, seconds

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await self.drain(self.seconds)
        await super().shutdown(sockets)


class RefuseWhileDraining:
    """ASGI middleware: 503 with Retry-After on the turn routes once `draining()` is true."""

    def __init__(self, app: Any, draining: Callable[[], bool]):
        self.app, self.draining = app, draining

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] in TURN_ROUTES and self.draining():
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [
                        (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
                        (b"content-type", b"text/plain"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b"shutting down"})
            return
        await self.app(scope, receive, send)
