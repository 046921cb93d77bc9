"""What one gateway process holds for its channels: the senders, the conversations, and the
background tasks (the replayer) that outlive a webhook call."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Coroutine
from typing import Any

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
            self._replayers[loop] = self.spawn(self.conversations.replay.forever())
