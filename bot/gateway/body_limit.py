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
from urllib.parse import parse_qsl

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
    await send_refusal(send, headers, BookingError("body_too_large", limit=limit))


def _has_nul(data: bytes) -> bool:
    """A NUL byte, raw or written %00 (an address, a form)."""
    return b"\x00" in data or b"%00" in data


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _body_has_nul(body: bytes, content_type: bytes) -> bool:
    """Read as the route will read it: JSON's \\u0000 is a NUL, a \\\\u0000 typed in a message
    is not; %00 in a form is one, a %2500 is not. A body that does not parse is the route's."""
    if b"\x00" in body:
        return True
    if content_type.startswith(b"application/json"):
        try:
            return _holds_nul(json.loads(body))
        except (ValueError, RecursionError):  # deep JSON: the route's 400 (test_bad_input)
            return False
    if content_type.startswith(b"application/x-www-form-urlencoded"):
        return any("\x00" in k or "\x00" in v for k, v in parse_qsl(body.decode("latin-1")))
    return False


class NoNulBytes:
    """Refuses a request whose address or body holds a NUL byte, before any route reads it.

    PostgreSQL's text cannot hold one: an anonymous `GET /demarches/%00/sites` was a 500, and a
    signed SMS with one in its sender was spooled and never recorded, holding back every message
    spooled after it (an attacker's test, session 30). No person types one. Bodies are read
    whole here, inside BodyLimit, which bounds them; /nlg (Rasa, behind its token) is left."""

    def __init__(self, app: ASGIApp, skip: tuple[str, ...] = ("/nlg",)) -> None:
        self.app = app
        self.skip = skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.skip:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        address = scope["path"].encode("utf-8", "surrogateescape") + scope["query_string"]
        if _has_nul(address) or _has_nul(scope.get("raw_path") or b""):
            await send_refusal(send, headers, BookingError("invalid_request", detail="\\0"))
            return
        chunks: list[bytes] = []
        last: Message | None = None
        while True:
            message = await receive()
            if message["type"] != "http.request":
                last = message  # the client left: passed on as it came
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if _body_has_nul(body, headers.get(b"content-type", b"").lower()):
            await send_refusal(send, headers, BookingError("invalid_request", detail="\\0"))
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return last or {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def send_refusal(send: Send, headers: dict[bytes, bytes], refusal: BookingError) -> None:
    """The booking API's envelope, in the caller's language, from a middleware."""
    language = normalise_language(headers.get(b"accept-language", b"").decode("latin-1"))
    body = json.dumps(
        {"error": {"code": refusal.code, "message": refusal.message(language)}}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": refusal.http_status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
