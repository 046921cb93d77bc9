"""A request-body limit on every route, enforced while the body arrives.

A declared `Content-Length` beyond the limit is refused before anything is read; a chunked body
(no Content-Length) is counted as it comes, and reading stops at the first byte too many: the
gateway never holds more than the limit (plus one chunk) of a body in memory. Either way the
answer is a 413 in the booking API's envelope, whatever the route would have said.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.booking.errors import BookingError
from bot.i18n import normalise_language


class BodyTooLarge(HTTPException):
    """Raised from `receive`: FastAPI passes an HTTPException through its body parsing."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


class BodyLimit:
    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"").strip()
        if declared and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, headers, limit)
            return
        received = 0
        exceeded = False
        started = False

        async def counted() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise BodyTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge()
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the route's own answer to a cut body: ours replaces it
            started = True
            await send(message)

        with contextlib.suppress(BodyTooLarge):  # the app let it through: answered below
            await self.app(scope, counted, guarded)
        if exceeded and not started:
            await _too_large(send, headers, limit)


async def _too_large(send: Send, headers: dict[bytes, bytes], limit: int) -> None:
    language = normalise_language(headers.get(b"accept-language", b"").decode("latin-1"))
    refusal = BookingError("body_too_large", limit=limit)
    body = json.dumps(
        {"error": {"code": refusal.code, "message": refusal.message(language)}}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
