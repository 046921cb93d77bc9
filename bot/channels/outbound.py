"""Every message the gateway sends: recorded (segments, encoding, provider id, status), never
sent to an opted-out contact, and delivered through the provider's API (Twilio REST, Bot API).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from anyio import to_thread
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bot.channels import gsm7, metrics
from bot.channels.masking import mask
from bot.channels.models import Channel, Contact, OutboundMessage
from bot.channels.shaping import sms_text
from bot.config import Settings

log = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com"


@dataclass
class Outgoing:
    channel: str
    address: str
    text: str
    keyboard: list[list[dict[str, str]]] | None = None
    outbound_id: int | None = None
    # The STOP confirmation goes out although the contact has just opted out.
    force: bool = False
    # A file sent with `text` as its caption (Telegram only: the convocation PDF).
    document: bytes | None = None
    filename: str | None = None


def record(
    session: Session, outgoing: Outgoing, inbound_id: int | None = None, status: str = "pending"
) -> Outgoing:
    info = gsm7.sms_info(outgoing.text) if outgoing.channel == Channel.SMS.value else None
    row = OutboundMessage(
        channel=outgoing.channel,
        address=outgoing.address,
        body=outgoing.text,
        segments=info.segments if info else 1,
        encoding=info.encoding if info else "",
        inbound_id=inbound_id,
        status=status,
    )
    session.add(row)
    session.flush()
    outgoing.outbound_id = row.id
    return outgoing


def count_sms(text: str) -> None:
    info = gsm7.sms_info(text)
    metrics.SEGMENTS.labels(info.encoding).inc(info.segments)


def opted_out(session: Session, channel: str, address: str) -> bool:
    return bool(
        session.scalar(
            select(Contact.opted_out).where(Contact.channel == channel, Contact.address == address)
        )
    )


def update_status(
    session_factory: sessionmaker[Session],
    outbound_id: int | None,
    status: str,
    provider_id: str | None = None,
    error_code: str | None = None,
) -> None:
    if outbound_id is None:
        return
    with session_factory.begin() as session:
        row = session.get(OutboundMessage, outbound_id)
        if row is None:
            return
        row.status = status
        row.provider_id = provider_id or row.provider_id
        row.error_code = error_code


class Outbox(Protocol):
    async def deliver(self, messages: Sequence[Outgoing]) -> None: ...


class _SuppressedError(Exception):
    pass


def _check_not_opted_out(session_factory: sessionmaker[Session], message: Outgoing) -> None:
    if message.force:
        return
    with session_factory() as session:
        if opted_out(session, message.channel, message.address):
            raise _SuppressedError


class _BaseUrlHttpClient(TwilioHttpClient):
    """Sends the Twilio library's requests to another base URL (a local server in tests)."""

    def __init__(self, base_url: str, timeout: float = 10.0):
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if url.startswith(TWILIO_API) and self.base_url != TWILIO_API:
            url = self.base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


class TwilioSender:
    def __init__(self, settings: Settings, session_factory: sessionmaker[Session]):
        self.settings = settings
        self.session_factory = session_factory
        self.client = Client(
            settings.twilio_account_sid or "AC_unconfigured",
            settings.twilio_auth_token or "unconfigured",
            http_client=_BaseUrlHttpClient(settings.twilio_api_base_url),
        )

    @property
    def status_callback(self) -> str:
        return f"{self.settings.public_url}/sms/twilio/status"

    def send_sync(self, message: Outgoing) -> None:
        try:
            _check_not_opted_out(self.session_factory, message)
        except _SuppressedError:
            update_status(self.session_factory, message.outbound_id, "suppressed_opt_out")
            return
        origin: dict[str, str] = (
            {"messaging_service_sid": self.settings.twilio_messaging_service_sid}
            if self.settings.twilio_messaging_service_sid
            else {"from_": self.settings.twilio_from}
        )
        try:
            sent = self.client.messages.create(
                to=message.address,
                body=message.text,
                status_callback=self.status_callback,
                **origin,
            )
        except TwilioRestException as exc:
            metrics.SEND_ERRORS.labels("sms").inc()
            log.warning("Twilio refused an SMS to %s: %s", mask(message.address), exc.code)
            update_status(self.session_factory, message.outbound_id, "failed", None, str(exc.code))
            return
        except Exception as exc:  # network: the row stays visible as failed, not lost
            metrics.SEND_ERRORS.labels("sms").inc()
            log.warning("SMS to %s not sent: %s", mask(message.address), type(exc).__name__)
            update_status(self.session_factory, message.outbound_id, "failed", None, "network")
            return
        metrics.MESSAGES_OUT.labels("sms", "rest").inc()
        count_sms(message.text)
        update_status(self.session_factory, message.outbound_id, sent.status or "queued", sent.sid)

    async def deliver(self, messages: Sequence[Outgoing]) -> None:
        for message in messages:
            await to_thread.run_sync(self.send_sync, message)

    def send_text(self, to: str, text: str, lang: str) -> Outgoing:
        """What the scheduler and the engine call: shaped (GSM-7 folding), recorded, and sent
        unless the number opted out."""
        with self.session_factory.begin() as session:
            message = record(
                session, Outgoing(Channel.SMS.value, to, shaped_for(Channel.SMS.value, text, lang))
            )
        self.send_sync(message)
        return message


class TelegramSender:
    def __init__(self, settings: Settings, session_factory: sessionmaker[Session]):
        self.settings = settings
        self.session_factory = session_factory
        # The Bot's HTTP client belongs to the event loop that created it.
        self._bots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Bot] = (
            weakref.WeakKeyDictionary()
        )

    async def bot(self) -> Bot:
        loop = asyncio.get_running_loop()
        bot = self._bots.get(loop)
        if bot is None:
            bot = Bot(
                self.settings.telegram_bot_token, base_url=self.settings.telegram_api_base_url
            )
            await bot.initialize()
            self._bots[loop] = bot
        return bot

    async def deliver(self, messages: Sequence[Outgoing]) -> None:
        for message in messages:
            try:
                await to_thread.run_sync(_check_not_opted_out, self.session_factory, message)
            except _SuppressedError:
                await to_thread.run_sync(
                    update_status, self.session_factory, message.outbound_id, "suppressed_opt_out"
                )
                continue
            markup = None
            if message.keyboard:
                markup = InlineKeyboardMarkup(
                    [[InlineKeyboardButton(**button) for button in row] for row in message.keyboard]
                )
            try:
                bot = await self.bot()
                if message.document is not None:
                    sent = await bot.send_document(
                        chat_id=int(message.address),
                        document=message.document,
                        filename=message.filename or "document.pdf",
                        caption=message.text or None,
                    )
                else:
                    sent = await bot.send_message(
                        chat_id=int(message.address), text=message.text, reply_markup=markup
                    )
            except (TelegramError, ValueError) as exc:
                metrics.SEND_ERRORS.labels("telegram").inc()
                log.warning("Telegram send to chat %s failed: %s", mask(message.address), exc)
                await to_thread.run_sync(
                    update_status, self.session_factory, message.outbound_id, "failed", None, "api"
                )
                continue
            metrics.MESSAGES_OUT.labels("telegram", "api").inc()
            await to_thread.run_sync(
                update_status,
                self.session_factory,
                message.outbound_id,
                "sent",
                str(sent.message_id),
            )

    async def answer_callback(self, callback_query_id: str) -> None:
        try:
            await (await self.bot()).answer_callback_query(callback_query_id)
        except TelegramError as exc:
            log.warning("answerCallbackQuery failed: %s", exc)


def shaped_for(channel: str, text: str, lang: str) -> str:
    """Text a scheduler or the engine sends outside a conversation, in the channel's form."""
    return sms_text(text, lang) if channel == Channel.SMS.value else text
