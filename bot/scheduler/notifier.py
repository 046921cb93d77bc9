"""How the scheduler reaches people: an interface (send, and "did this really go out?") and its
implementation over the channels' senders (Twilio REST for SMS, the Bot API for Telegram).

Every send is also recorded in the channels' outbound table, like any other message.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.channels.masking import mask
from bot.channels.models import Channel, OutboundMessage
from bot.channels.outbound import Outgoing, TwilioSender, record, update_status
from bot.config import Settings

log = logging.getLogger(__name__)

# How far back the provider's record is searched for a message whose send crashed.
LOOKBACK_MESSAGES = 50
CLOCK_MARGIN = timedelta(minutes=2)


@dataclass(frozen=True)
class Envelope:
    key: str  # the idempotency key of the scheduled message
    channel: str
    address: str
    text: str
    document: bytes | None = None
    filename: str | None = None


@dataclass(frozen=True)
class Receipt:
    provider_id: str | None


class SendFailed(Exception):
    def __init__(self, code: str, retry_after: timedelta | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.retry_after = retry_after  # what the provider asked for, if it said


class Unreachable(Exception):
    """The address is gone for good (a Telegram chat that blocked the bot or was deleted):
    retrying there is pointless, the person must be reached another way."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Suppressed(Exception):
    """The channel refused to send: the contact opted out meanwhile."""


class CannotTell(Exception):
    """The provider keeps no record we can search: nobody knows whether it went out."""


class Notifier(Protocol):
    def send(self, envelope: Envelope) -> Receipt: ...

    def find_sent(self, envelope: Envelope, since: datetime) -> Receipt | None:
        """The provider's record of this message sent after `since`, None if it has none;
        raises CannotTell when the provider cannot be asked."""
        ...


class ChannelsNotifier:
    """SMS through the channels' TwilioSender (opt-out check, status callback, recording);
    Telegram through python-telegram-bot on an event loop of its own (the worker is sync)."""

    def __init__(self, settings: Settings, session_factory: sessionmaker[Session]) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.twilio = TwilioSender(settings, session_factory)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._bot: Bot | None = None

    # -- SMS ------------------------------------------------------------------------------

    def _recorded(self, envelope: Envelope) -> Outgoing:
        outgoing = Outgoing(envelope.channel, envelope.address, envelope.text)
        with self.session_factory.begin() as session:
            record(session, outgoing)
        return outgoing

    def _outcome(self, outbound_id: int | None) -> OutboundMessage:
        with self.session_factory() as session:
            row = session.get(OutboundMessage, outbound_id)
            assert row is not None
            return row

    def _send_sms(self, envelope: Envelope) -> Receipt:
        outgoing = self._recorded(envelope)
        self.twilio.send_sync(outgoing)
        row = self._outcome(outgoing.outbound_id)
        if row.status == "suppressed_opt_out":
            raise Suppressed
        if row.status == "failed":
            raise SendFailed(row.error_code or "failed")
        return Receipt(row.provider_id)

    def _find_sms(self, envelope: Envelope, since: datetime) -> Receipt | None:
        # Twilio lists the newest first; the same body to the same number after the claim is
        # ours. Its dates have whole seconds and its clock is not ours: hence the margin.
        after = since - CLOCK_MARGIN
        for message in self.twilio.client.messages.list(
            to=envelope.address, limit=LOOKBACK_MESSAGES
        ):
            created = message.date_created
            if (
                message.body == envelope.text
                and (created is None or created >= after)
                and message.status not in ("failed", "undelivered")
            ):
                return Receipt(message.sid)
        return None

    # -- Telegram -------------------------------------------------------------------------

    def _run(self, coroutine):  # type: ignore[no-untyped-def]
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop.run_until_complete(coroutine)

    async def _telegram_bot(self) -> Bot:
        if self._bot is None:
            self._bot = Bot(
                self.settings.telegram_bot_token, base_url=self.settings.telegram_api_base_url
            )
            await self._bot.initialize()
        return self._bot

    async def _telegram_send(self, envelope: Envelope) -> str:
        bot = await self._telegram_bot()
        chat_id = int(envelope.address)
        if envelope.document is not None:
            sent = await bot.send_document(
                chat_id=chat_id,
                document=envelope.document,
                filename=envelope.filename or "document.pdf",
                caption=envelope.text or None,
            )
        else:
            sent = await bot.send_message(chat_id=chat_id, text=envelope.text)
        return str(sent.message_id)

    def _send_telegram(self, envelope: Envelope) -> Receipt:
        outgoing = self._recorded(envelope)
        try:
            message_id = self._run(self._telegram_send(envelope))
        except (TelegramError, ValueError) as exc:
            log.warning("Telegram send to chat %s failed: %s", mask(envelope.address), exc)
            failed = functools.partial(
                update_status, self.session_factory, outgoing.outbound_id, "failed", None
            )
            if _chat_gone(exc):
                failed("blocked")
                raise Unreachable("telegram_blocked") from exc
            if isinstance(exc, RetryAfter):
                failed("rate_limited")
                raise SendFailed("rate_limited", _seconds(exc.retry_after)) from exc
            failed("api")
            raise SendFailed("api") from exc
        update_status(self.session_factory, outgoing.outbound_id, "sent", message_id)
        return Receipt(message_id)

    # -- the interface --------------------------------------------------------------------

    def send(self, envelope: Envelope) -> Receipt:
        if envelope.channel == Channel.TELEGRAM.value:
            return self._send_telegram(envelope)
        return self._send_sms(envelope)

    def find_sent(self, envelope: Envelope, since: datetime) -> Receipt | None:
        if envelope.channel == Channel.TELEGRAM.value:
            raise CannotTell
        return self._find_sms(envelope, since)

    def close(self) -> None:
        if self._loop is not None:
            if self._bot is not None:
                self._loop.run_until_complete(self._bot.shutdown())
            self._loop.close()
            self._loop = None
            self._bot = None


def _chat_gone(error: Exception) -> bool:
    """403 (the person blocked the bot, or deleted their account) or 400 "chat not found"."""
    return isinstance(error, Forbidden) or (
        isinstance(error, BadRequest) and "chat not found" in str(error).lower()
    )


def _seconds(value: object) -> timedelta:
    # python-telegram-bot gives an int of seconds, or a timedelta in later versions.
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))  # type: ignore[arg-type]
