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

    @property
    def draining(self) -> bool:
        return self.conversations.replay.stopping

    async def drain(self, seconds: float) -> None:
        """Shutting down: the replayer ends the pass it is in and starts no other, and the
        turns and late replies in flight finish (at most `seconds`). What is cut after that
        stays in the inbox for the next process (kept, waiting, or received past its lease)."""
        replay = self.conversations.replay
        replay.stopping = True
        replayers = set(self._replayers.values())
        deadline = asyncio.get_running_loop().time() + seconds
        while asyncio.get_running_loop().time() < deadline:
            in_flight = [t for t in self._tasks if t not in replayers and not t.done()]
            if not in_flight and not replay.busy:
                break
            await asyncio.sleep(0.05)
        for task in replayers:
            task.cancel()

    def ensure_replayer(self) -> None:
        """Starts, once per event loop, the loop that answers kept messages when Rasa is back."""
        loop = asyncio.get_running_loop()
        if loop not in self._replayers and not self.draining:
            self._replayers[loop] = self.spawn(self.conversations.replay.forever())
