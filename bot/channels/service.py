"""The channels wired together for one gateway process, and the routers it mounts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.conversation import Conversations
from bot.channels.models import Channel
from bot.channels.outbound import TelegramSender, TwilioSender
from bot.config import Settings

log = logging.getLogger(__name__)


class ChannelService:
    def __init__(self, settings: Settings, session_factory: sessionmaker[Session]):
        self.settings = settings
        self.session_factory = session_factory
        self.twilio = TwilioSender(settings, session_factory)
        self.telegram = TelegramSender(settings, session_factory)
        self.conversations = Conversations(
            settings,
            session_factory,
            {Channel.SMS.value: self.twilio, Channel.TELEGRAM.value: self.telegram},
        )
        self._tasks: set[asyncio.Task[Any]] = set()
        self._replayers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task[Any]] = (
            weakref.WeakKeyDictionary()
        )

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """A background task kept referenced until done (asyncio keeps only weak ones)."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("channel background task failed", exc_info=task.exception())

    def ensure_replayer(self) -> None:
        """Starts, once per event loop, the loop that answers kept messages when Rasa is back."""
        loop = asyncio.get_running_loop()
        if loop not in self._replayers:
            self._replayers[loop] = self.spawn(self.conversations.replay_forever())


def install(app: FastAPI) -> ChannelService:
    """Mounts the channels on the gateway app (its settings and session factory) and adds
    Rasa and the action server to GET /health."""
    from bot.channels.health import actions_check, rasa_check

    settings: Settings = app.state.settings
    service = ChannelService(settings, app.state.session_factory)
    for router in routers_of(service):
        app.include_router(router)
    app.state.channels = service
    _start_replayer_with(app, service)
    app.state.health_checks["rasa"] = lambda _app: rasa_check(settings)
    app.state.health_checks["actions"] = lambda _app: actions_check(settings)
    return service


def _start_replayer_with(app: FastAPI, service: ChannelService) -> None:
    """Kept messages are replayed from startup on, not only after the next webhook call,
    whatever lifespan the gateway app already has."""
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        async with inner(app_) as state:
            service.ensure_replayer()
            yield state

    app.router.lifespan_context = lifespan


def routers_of(service: ChannelService) -> list[APIRouter]:
    from bot.channels.health import build_metrics_router
    from bot.channels.sms import build_sms_router
    from bot.channels.telegram import build_telegram_router

    return [build_sms_router(service), build_telegram_router(service), build_metrics_router()]


def channel_routers(settings: Settings, session_factory: sessionmaker[Session]) -> list[APIRouter]:
    """The routers alone: /sms/twilio…, /telegram/webhook, /metrics."""
    return routers_of(ChannelService(settings, session_factory))
