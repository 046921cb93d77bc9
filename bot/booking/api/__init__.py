"""The booking HTTP API: the contract actions, channels and a préfecture's own system use, one
router per resource (the shared dependencies are in `deps.py`).

One session and one transaction per request: a refusal (`BookingError`) rolls everything
back and becomes `{"error": {"code", "message"}}` with a 4xx. Phones travel in JSON bodies,
never in URLs, so access logs cannot leak them.

The app provides in `app.state`: `session_factory`, `booking_config` (EngineConfig),
`clock` (() -> aware UTC datetime), `settings` (credentials, rate rules) and `limiter`
(bot/ratelimit.py). Who may call what: bot/booking/api/deps.py (`identify`, `authorised`).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.booking.api import admin, bookings, demarches, offers, proof, slots, waitlist
from bot.booking.api.deps import (
    API_PREFIX,
    REFUSAL_RESPONSES,
    VERSIONED_PREFIX,
    TransactionalRoute,
    identify,
)
from bot.booking.errors import BookingError
from bot.i18n import normalise_language

router = APIRouter(
    responses=REFUSAL_RESPONSES, route_class=TransactionalRoute, dependencies=[Depends(identify)]
)
for resource in (demarches, slots, bookings, waitlist, offers, proof, admin):
    router.include_router(resource.router)


def _language(request: Request) -> str:
    return normalise_language(request.headers.get("accept-language"))


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}})


def install(app: FastAPI) -> None:
    """Mounts the API (versioned, plus an unversioned alias) and its error envelope."""
    app.include_router(router, prefix=VERSIONED_PREFIX)
    app.include_router(router, prefix=API_PREFIX, include_in_schema=False)

    @app.exception_handler(BookingError)
    async def _refusal(request: Request, exc: BookingError) -> JSONResponse:
        response = _error(exc.http_status, exc.code, exc.message(_language(request)))
        if exc.code == "rate_limited":
            response.headers["Retry-After"] = str(exc.params["seconds"])
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        if not request.url.path.startswith(API_PREFIX):
            return await request_validation_exception_handler(request, exc)
        detail = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ()) if p != 'body')}: {err.get('msg', '')}"
            for err in exc.errors()[:5]
        )
        refusal = BookingError("invalid_request", detail=detail[:500])
        return _error(422, refusal.code, refusal.message(_language(request)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if not request.url.path.startswith(API_PREFIX):
            return await http_exception_handler(request, exc)  # type: ignore[return-value]
        if exc.status_code == 404:
            refusal = BookingError("not_found")
            return _error(404, refusal.code, refusal.message(_language(request)))
        return _error(exc.status_code, "http_error", str(exc.detail))
