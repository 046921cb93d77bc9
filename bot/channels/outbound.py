"""Every message the gateway sends: recorded (segments, encoding, provider id, status), never
sent to an opted-out contact, and delivered through the provider's API (Twilio REST, Bot API).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

import httpx
import requests
from anyio import to_thread
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import ConnectTimeoutError

from bot.channels import gsm7, metrics
from bot.channels.masking import mask
from bot.channels.models import Channel, Contact, OutboundMessage
from bot.channels.shaping import REQUEST_CONTACT, sms_text
from bot.config import Settings
from bot.db import utcnow

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


def telegram_markup(
    keyboard: list[list[dict[str, str]]] | None,
) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    """Inline buttons for menus; the contact button (shaping.REQUEST_CONTACT) as the one reply
    keyboard button Telegram allows it on, gone once pressed."""
    if not keyboard:
        return None
    if any(REQUEST_CONTACT in button for row in keyboard for button in row):
        return ReplyKeyboardMarkup(
            [
                [KeyboardButton(button["text"], request_contact=True) for button in row]
                for row in keyboard
            ],
            one_time_keyboard=True,
            resize_keyboard=True,
        )
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(**button) for button in row] for row in keyboard]
    )


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


# -- one send, retried: at most one accepted per row ------------------------------------------
#
# A row is claimed (`attempting`) before each call to the provider, by a conditional UPDATE
# only a `pending` or `retrying` row passes: two deliveries of the same row (a replay, another
# process, the sweep of rows left `retrying`) never both call the provider. The provider's
# acceptance is recorded (its id and status) as soon as it answers. A refusal that proves the
# message was not taken (no connection, 5xx, 429) makes the row `retrying`; a failure after the
# request left (timeout, dropped answer) makes it `uncertain`: never resent, since the provider
# may have taken it.

ATTEMPTING = "attempting"
RETRYING = "retrying"
UNCERTAIN = "uncertain"
_SENDABLE = ("pending", RETRYING)
# What a provider may ask us to wait (Retry-After, retry_after) is honoured up to this.
MAX_ASKED_WAIT = 300.0


@dataclass(frozen=True)
class Retry:
    """The provider did not take the message: try again, after `after` seconds if it said."""

    code: str
    after: float | None = None


@dataclass(frozen=True)
class Backoff:
    first: float = 1.0
    cap: float = 30.0
    attempts: int = 6

    def delay(self, attempt: int, asked: float | None) -> float:
        if asked is not None:
            return min(max(asked, 0.0), MAX_ASKED_WAIT)
        return min(self.cap, self.first * 2**attempt)


def claim(session_factory: sessionmaker[Session], outbound_id: int | None) -> bool:
    """This sender, alone, may call the provider for this row now."""
    if outbound_id is None:
        return True
    with session_factory.begin() as session:
        claimed = session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id == outbound_id, OutboundMessage.status.in_(_SENDABLE))
            .values(status=ATTEMPTING)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
    return bool(claimed)


async def with_backoff(
    attempt: Callable[[], Awaitable[Retry | None]],
    backoff: Backoff,
    give_up: Callable[[], Awaitable[None]],
) -> None:
    """Calls `attempt` (one claimed send) until it needs no retry, waiting between tries."""
    for index in range(backoff.attempts):
        retry = await attempt()
        if retry is None:
            return
        if index + 1 < backoff.attempts:
            await asyncio.sleep(backoff.delay(index, retry.after))
    await give_up()


def _give_up(session_factory: sessionmaker[Session], outbound_id: int | None) -> None:
    """Retries exhausted: the row says failed (it never reached the provider)."""
    if outbound_id is None:
        return
    with session_factory.begin() as session:
        session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id == outbound_id, OutboundMessage.status == RETRYING)
            .values(status="failed")
            .execution_options(synchronize_session=False)
        )


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None  # an HTTP date: our own back-off


def _connect_failed(exc: BaseException) -> bool:
    """The request never left: no connection was made."""
    for cause in (exc, exc.__cause__, *(getattr(exc, "args", ()) or ())):
        if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
            return True
        reason = getattr(cause, "reason", None)
        if isinstance(cause, ConnectTimeoutError) or isinstance(reason, ConnectTimeoutError):
            return True
    return False


def _twilio_retry(exc: Exception, asked: float | None) -> Retry | None:
    """A Retry when Twilio certainly did not take the message; None when it may have."""
    if isinstance(exc, TwilioRestException):
        if exc.status == 429 or exc.status >= 500:
            return Retry(str(exc.status), asked)
        return None
    if isinstance(exc, requests.ConnectTimeout) or (
        isinstance(exc, requests.ConnectionError) and _connect_failed(exc)
    ):
        return Retry("network")
    return None


def _telegram_retry(exc: TelegramError) -> Retry | None:
    if isinstance(exc, RetryAfter):
        after = exc.retry_after
        seconds = after.total_seconds() if isinstance(after, timedelta) else float(after)
        return Retry("429", seconds)
    if isinstance(exc, TimedOut):
        return Retry("network") if _connect_failed(exc) else None
    if isinstance(exc, NetworkError):
        # An HTTP error status (5xx, 429 without retry_after) has no cause; a transport
        # error has the httpx one.
        if exc.__cause__ is None or _connect_failed(exc):
            return Retry("network" if exc.__cause__ is not None else "5xx")
        return None
    return None


class _SuppressedError(Exception):
    pass


def _check_not_opted_out(session_factory: sessionmaker[Session], message: Outgoing) -> None:
    if message.force:
        return
    with session_factory() as session:
        if opted_out(session, message.channel, message.address):
            raise _SuppressedError


class _BaseUrlHttpClient(TwilioHttpClient):
    """Sends the Twilio library's requests to another base URL (a local server in tests), and
    keeps the Retry-After of the last answer of each thread (the library drops headers)."""

    def __init__(self, base_url: str, timeout: float = 10.0):
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/")
        self.answered = threading.local()

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if url.startswith(TWILIO_API) and self.base_url != TWILIO_API:
            url = self.base_url + url[len(TWILIO_API) :]
        self.answered.retry_after = None
        response = super().request(method, url, *args, **kwargs)
        headers = response.headers or {}
        self.answered.retry_after = _retry_after(headers.get("Retry-After"))
        return response


class TwilioSender:
    def __init__(self, settings: Settings, session_factory: sessionmaker[Session]):
        self.settings = settings
        self.session_factory = session_factory
        self.http = _BaseUrlHttpClient(settings.twilio_api_base_url)
        self.client = Client(
            settings.twilio_account_sid or "AC_unconfigured",
            settings.twilio_auth_token or "unconfigured",
            http_client=self.http,
        )
        self.backoff = Backoff(first=settings.send_retry_first_seconds)

    @property
    def status_callback(self) -> str:
        return f"{self.settings.public_url}/sms/twilio/status"

    def send_sync(self, message: Outgoing) -> None:
        """One try (the scheduler, which retries its own messages later): a refusal to retry
        is recorded as failed."""
        if self.attempt(message) is not None:
            update_status(self.session_factory, message.outbound_id, "failed", None, "retry")

    def attempt(self, message: Outgoing) -> Retry | None:
        """One claimed call to Twilio, its outcome recorded; a Retry when Twilio did not take
        the message and it may be tried again."""
        if not claim(self.session_factory, message.outbound_id):
            return None  # accepted already, or another sender is on it
        try:
            _check_not_opted_out(self.session_factory, message)
        except _SuppressedError:
            update_status(self.session_factory, message.outbound_id, "suppressed_opt_out")
            return None
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
        except Exception as exc:
            metrics.SEND_ERRORS.labels("sms").inc()
            retry = _twilio_retry(exc, getattr(self.http.answered, "retry_after", None))
            code = str(exc.code) if isinstance(exc, TwilioRestException) else "network"
            log.warning(
                "SMS to %s not sent: %s %s", mask(message.address), type(exc).__name__, code
            )
            if retry is not None:
                update_status(self.session_factory, message.outbound_id, RETRYING, None, retry.code)
                return retry
            # Refused for good (4xx), or the answer lost after the request left: not resent.
            refused = isinstance(exc, TwilioRestException)
            status = "failed" if refused else UNCERTAIN
            update_status(self.session_factory, message.outbound_id, status, None, code)
            return None
        # Accepted: recorded before anything else can happen to this row.
        update_status(self.session_factory, message.outbound_id, sent.status or "queued", sent.sid)
        metrics.MESSAGES_OUT.labels("sms", "rest").inc()
        count_sms(message.text)
        return None

    async def deliver(self, messages: Sequence[Outgoing]) -> None:
        for message in messages:
            await with_backoff(
                lambda m=message: to_thread.run_sync(self.attempt, m),
                self.backoff,
                lambda m=message: to_thread.run_sync(_give_up, self.session_factory, m.outbound_id),
            )

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
        self.backoff = Backoff(first=settings.send_retry_first_seconds)
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
            await with_backoff(
                lambda m=message: self.attempt(m),
                self.backoff,
                lambda m=message: to_thread.run_sync(_give_up, self.session_factory, m.outbound_id),
            )

    async def attempt(self, message: Outgoing) -> Retry | None:
        """One claimed call to the Bot API, its outcome recorded (see TwilioSender.attempt)."""
        factory, outbound_id = self.session_factory, message.outbound_id
        if not await to_thread.run_sync(claim, factory, outbound_id):
            return None
        try:
            await to_thread.run_sync(_check_not_opted_out, factory, message)
        except _SuppressedError:
            await to_thread.run_sync(update_status, factory, outbound_id, "suppressed_opt_out")
            return None
        markup = telegram_markup(message.keyboard)
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
            retry = _telegram_retry(exc) if isinstance(exc, TelegramError) else None
            if retry is not None:
                await to_thread.run_sync(
                    update_status, factory, outbound_id, RETRYING, None, retry.code
                )
                return retry
            lost = isinstance(exc, NetworkError)  # after the request left: maybe taken
            status, code = (UNCERTAIN, "network") if lost else ("failed", "api")
            await to_thread.run_sync(update_status, factory, outbound_id, status, None, code)
            return None
        # Accepted: recorded before anything else can happen to this row.
        await to_thread.run_sync(update_status, factory, outbound_id, "sent", str(sent.message_id))
        metrics.MESSAGES_OUT.labels("telegram", "api").inc()
        return None

    async def answer_callback(self, callback_query_id: str) -> None:
        try:
            await (await self.bot()).answer_callback_query(callback_query_id)
        except TelegramError as exc:
            log.warning("answerCallbackQuery failed: %s", exc)


async def resend_retrying(
    outboxes: Mapping[str, Outbox],
    session_factory: sessionmaker[Session],
    older_than: float = 120.0,
) -> int:
    """Sends again the replies left `retrying` (their process died while waiting to retry):
    claimed like any send, so a process still retrying one of them does not send it twice.
    Returns how many rows were tried."""

    def stale() -> list[Outgoing]:
        cutoff = utcnow() - timedelta(seconds=older_than)
        with session_factory() as session:
            rows = session.scalars(
                select(OutboundMessage)
                .where(OutboundMessage.status == RETRYING, OutboundMessage.updated_at <= cutoff)
                .order_by(OutboundMessage.id)
                .limit(100)
            ).all()
            return [Outgoing(r.channel, r.address, r.body, outbound_id=r.id) for r in rows]

    found = await to_thread.run_sync(stale)
    for message in found:
        outbox = outboxes.get(message.channel)
        if outbox is not None:
            await outbox.deliver([message])
    return len(found)


def shaped_for(channel: str, text: str, lang: str) -> str:
    """Text a scheduler or the engine sends outside a conversation, in the channel's form."""
    return sms_text(text, lang) if channel == Channel.SMS.value else text
