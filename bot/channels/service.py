"""The channels mounted on the gateway: the webhook routers, /metrics, and Rasa and the
action server in GET /health."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, FastAPI
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.health import actions_check, build_metrics_router, rasa_check
from bot.channels.hub import ChannelService
from bot.channels.sms import build_sms_router
from bot.channels.telegram import build_telegram_router
from bot.config import Settings
from bot.language import identifier


def install(app: FastAPI) -> ChannelService:
    """Mounts the channels on the gateway app (its settings and session factory) and adds
    Rasa and the action server to GET /health."""
    settings: Settings = app.state.settings
    service = ChannelService(settings, app.state.session_factory)
    for router in routers_of(service):
        app.include_router(router)
    app.state.channels = service
    _start_with(app, service)
    app.state.health_checks["rasa"] = lambda _app: rasa_check(settings)
    app.state.health_checks["actions"] = lambda _app: actions_check(settings)
    return service


def _start_with(app: FastAPI, service: ChannelService) -> None:
    """At startup, whatever lifespan the gateway app already has: the language identifier
    trained (a second or two: the first person must not wait for it), and kept messages
    replayed from then on, not only after the next webhook call."""
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        async with inner(app_) as state:
            await to_thread.run_sync(lambda: identifier().models)
            service.ensure_replayer()
            yield state

    app.router.lifespan_context = lifespan


def routers_of(service: ChannelService) -> list[APIRouter]:
    return [build_sms_router(service), build_telegram_router(service), build_metrics_router()]


def channel_routers(settings: Settings, session_factory: sessionmaker[Session]) -> list[APIRouter]:
    """The routers alone: /sms/twilio…, /telegram/webhook, /metrics."""
    return routers_of(ChannelService(settings, session_factory))
