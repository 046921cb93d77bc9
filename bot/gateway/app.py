"""The gateway application. Each area adds its router in `create_app` (the "routers" block)
and, if it has one, its health check with `add_health_check`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bot.booking import api as booking_api
from bot.booking.config import EngineConfig
from bot.channels import service as channels_service
from bot.config import Settings
from bot.db import make_engine, make_session_factory, utcnow
from bot.gateway import counter
from bot.gateway.body_limit import BodyLimit, NoNulBytes
from bot.gateway.drain import RefuseWhileDraining
from bot.gateway.nlg import router as nlg_router
from bot.pan import web as pan_web
from bot.ratelimit import RateLimiter
from bot.scheduler import gateway as scheduler_gateway

# A health check gets the app and returns (ok, detail); register yours with add_health_check.
HealthCheck = Callable[[FastAPI], tuple[bool, str]]


def _database_check(app: FastAPI) -> tuple[bool, str]:
    """A query on a real table: `SELECT 1` succeeds on a deleted SQLite file (a pooled
    connection keeps it open, a new one creates an empty file) while the requests fail."""
    try:
        with app.state.session_factory() as session:
            bind = session.get_bind()
            database = bind.url.database
            on_file = bind.dialect.name == "sqlite" and database and database != ":memory:"
            if on_file and not Path(database).exists():
                return False, "database file missing"
            session.execute(text("SELECT 1 FROM slot LIMIT 1"))
        return True, "ok"
    except Exception as exc:  # the health page reports any failure, it never raises
        return False, type(exc).__name__


def _draining(app: FastAPI) -> bool:
    channels = getattr(app.state, "channels", None)
    return channels is not None and channels.draining


def _not_draining(app: FastAPI) -> tuple[bool, str]:
    """A process shutting down leaves the load balancer's pool first."""
    return (False, "shutting down") if _draining(app) else (True, "ok")


def add_health_check(app: FastAPI, name: str, check: HealthCheck) -> None:
    app.state.health_checks[name] = check


def create_app(
    settings: Settings | None = None,
    session_factory: sessionmaker[Session] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    settings = settings or Settings.from_env()
    if session_factory is None:
        session_factory = make_session_factory(make_engine(settings.database_url))
    app = FastAPI(
        title="Guichet",
        version="1",
        description="Booking API and channel gateway for préfecture appointments.",
    )
    app.state.settings = settings
    app.state.session_factory = session_factory
    app.state.clock = clock
    app.state.booking_config = EngineConfig.from_settings(settings)
    app.state.health_checks = {"database": _database_check, "serving": _not_draining}
    # Per IP, per phone, per credential (bot/booking/api/deps.py), shared through Redis.
    app.state.limiter = RateLimiter.from_settings(settings)
    # Shutting down (bot/gateway/drain.py): no new turn, the ones in flight finish.
    app.add_middleware(RefuseWhileDraining, draining=lambda: _draining(app))
    app.add_middleware(NoNulBytes)  # inside BodyLimit, which bounds what it reads
    app.add_middleware(
        BodyLimit,
        limit_for=lambda path: (
            settings.nlg_max_body_bytes if path == "/nlg" else settings.max_body_bytes
        ),
    )

    # --- routers: one line per area ---------------------------------------------------------
    booking_api.install(app)  # /api/v1/... (and the /api/... alias)
    channels_service.install(app)  # /sms/twilio, /telegram/webhook, /metrics; Rasa in /health
    scheduler_gateway.install(app)  # OUI/NON/ANNULER/DOCS/PREUVE before Rasa; /api/deadline-alerts
    app.include_router(nlg_router)  # POST /nlg: Rasa's NLG server (bot/nlg.py)
    counter.install(app)  # /verify: the counter checks a convocation code or QR code
    pan_web.install(app)  # /pan: the mediators' page; RETIRER before the scheduler's words

    @app.get("/health", tags=["health"])
    def health(request: Request) -> JSONResponse:
        results: dict[str, Any] = {}
        ok = True
        for name, check in request.app.state.health_checks.items():
            passed, detail = check(request.app)
            results[name] = {"ok": passed, "detail": detail}
            ok = ok and passed
        return JSONResponse(status_code=200 if ok else 503, content={"ok": ok, "checks": results})

    return app
