"""One conversation turn, whatever the channel: de-duplication, keywords, opt-out, flood
control, menu numbers, paging, Rasa, and the queue that keeps messages while Rasa is down.

Messages of one sender are handled one at a time and in order (a lock per sender, and the
sender's queued messages replayed before a new one).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import httpx
from anyio import to_thread
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import messages, metrics, phone_link
from bot.channels.flood import FloodGate
from bot.channels.health import actions_url
from bot.channels.keywords import Keyword, keyword_of, menu_choice
from bot.channels.masking import mask
from bot.channels.models import Channel, Contact, InboundMessage, InboundStatus
from bot.channels.outbound import Outbox, Outgoing, record
from bot.channels.rasa_client import RasaClient, RasaUnavailable
from bot.channels.shaping import (
    BotReply,
    from_rasa,
    language_in_payload,
    shape_sms,
    shape_telegram,
    sms_text,
)
from bot.config import Settings
from bot.db import utcnow
from bot.i18n import normalise_language, translate
from bot.scheduler.recipients import prefer

log = logging.getLogger(__name__)
T = TypeVar("T")
MENU_PAYLOAD = "/menu"


MAX_TEXT = 1600  # ten concatenated SMS: more is not a message a person typed
_CONTROL = {c: None for c in range(32) if chr(c) not in "\n\t"} | {0x7F: None}


def clean_text(text: str) -> str:
    """Control characters removed (PostgreSQL refuses NUL) and length bounded."""
    return text.translate(_CONTROL)[:MAX_TEXT]


@dataclass
class Incoming:
    channel: str
    address: str  # E.164 phone or Telegram chat id
    external_id: str  # MessageSid or update_id: the de-duplication key
    text: str
    language_hint: str | None = None
    phone: str | None = None
    payload: str | None = None  # already meant for Rasa: a Telegram button or command
    opt_in: bool = False  # Telegram /start


@dataclass
class _Turn:
    inbound_id: int
    contact_id: int
    channel: str
    address: str
    language: str
    opted_out: bool
    last_menu: list[str] = field(default_factory=list)
    queued_before: bool = False
    phone: str | None = None


class Conversations:
    def __init__(
        self,
        settings: Settings,
        session_factory: sessionmaker[Session],
        outboxes: Mapping[str, Outbox],
        clock: Callable[[], float] = time.monotonic,
    ):
        self.settings = settings
        self.session_factory = session_factory
        self.outboxes = dict(outboxes)
        self.rasa = RasaClient(settings.rasa_url, actions_url(settings))
        self.flood = FloodGate(settings.flood_per_minute, clock)
        # Answers to messages sent first (OUI to an offer, ANNULER, PREUVE…), tried before Rasa;
        # set by bot.scheduler.gateway.install. Returns the reply texts, or None to go on to Rasa.
        self.quick_reply: Callable[[_Turn, str], list[str] | None] | None = None
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary()
        )

    # -- plumbing -------------------------------------------------------------------------

    def sender_id(self, channel: str, address: str) -> str:
        """Rasa's conversation id: stable per sender, without the phone number in clear."""
        digest = hmac.new(
            self.settings.secret_key.encode(), f"{channel}:{address}".encode(), hashlib.sha256
        )
        return f"{channel}-{digest.hexdigest()[:24]}"

    def http(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = httpx.AsyncClient(limits=httpx.Limits(max_connections=50))
            self._clients[loop] = client
        return client

    async def _db(self, fn: Callable[..., T], *args: Any) -> T:
        return await to_thread.run_sync(partial(fn, *args))

    def _lock(self, channel: str, address: str) -> asyncio.Lock:
        return self._locks.setdefault((channel, address), asyncio.Lock())

    # -- the turn -------------------------------------------------------------------------

    async def handle(
        self, incoming: Incoming, deliver: Outbox | None = None
    ) -> list[Outgoing] | None:
        """The replies of this message, or None when it was already received.

        With `deliver`, the replies are sent before the sender's next message is read, so
        that a quick second message cannot overtake the first answer.
        """
        started = time.perf_counter()
        incoming.text = clean_text(incoming.text)
        async with self._lock(incoming.channel, incoming.address):
            turn = await self._db(self._receive, incoming)
            if turn is None:
                metrics.DUPLICATES.labels(incoming.channel).inc()
                return None
            metrics.MESSAGES_IN.labels(incoming.channel).inc()
            replies = await self._process(incoming, turn)
            metrics.LATENCY.labels(incoming.channel).observe(time.perf_counter() - started)
            if deliver is not None:
                await deliver.deliver(replies)
        return replies

    def _receive(self, incoming: Incoming) -> _Turn | None:
        # A unique constraint refused the insert: either another worker created this new
        # contact at the same moment (the second try finds it) or it recorded this very
        # message (the second try sees the duplicate).
        try:
            return self._receive_once(incoming)
        except IntegrityError:
            try:
                return self._receive_once(incoming)
            except IntegrityError:
                return None

    def _receive_once(self, incoming: Incoming) -> _Turn | None:
        with self.session_factory.begin() as session:
            contact = session.scalar(
                select(Contact).where(
                    Contact.channel == incoming.channel, Contact.address == incoming.address
                )
            )
            if contact is None:
                contact = Contact(
                    channel=incoming.channel,
                    address=incoming.address,
                    language=normalise_language(incoming.language_hint),
                    last_menu=[],
                    pages_left=[],
                )
                session.add(contact)
                session.flush()
            duplicate = session.scalar(
                select(InboundMessage.id).where(
                    InboundMessage.channel == incoming.channel,
                    InboundMessage.external_id == incoming.external_id,
                )
            )
            if duplicate is not None:
                return None
            if incoming.phone is not None and incoming.channel != Channel.SMS.value:
                # A chat that gave its own phone (a shared Telegram contact) gets that phone's
                # reminders and offers from now on.
                prefer(session, incoming.phone, incoming.channel, incoming.address, now=utcnow())
            row = InboundMessage(
                channel=incoming.channel,
                external_id=incoming.external_id,
                contact_id=contact.id,
                body=incoming.text,
            )
            session.add(row)
            session.flush()
            queued_before = (
                session.scalar(
                    select(InboundMessage.id)
                    .where(
                        InboundMessage.contact_id == contact.id,
                        InboundMessage.status == InboundStatus.QUEUED.value,
                    )
                    .limit(1)
                )
                is not None
            )
            return _Turn(
                inbound_id=row.id,
                contact_id=contact.id,
                channel=incoming.channel,
                address=incoming.address,
                language=contact.language,
                opted_out=contact.opted_out,
                last_menu=list(contact.last_menu or []),
                queued_before=queued_before,
                phone=incoming.phone,
            )

    async def _process(self, incoming: Incoming, turn: _Turn) -> list[Outgoing]:
        keyword = None if incoming.payload else keyword_of(incoming.text)
        if keyword is Keyword.STOP:
            await self._db(self._set_opt_out, turn, True)
            return await self._answer(turn, messages.OPTED_OUT, force=True)
        if keyword is Keyword.START or incoming.opt_in:
            await self._db(self._set_opt_out, turn, False)
            turn.opted_out = False
            if keyword is Keyword.START:
                return await self._answer(turn, messages.OPTED_IN)
        if turn.opted_out:
            await self._db(self._finish, turn.inbound_id, None)
            return []
        if keyword is Keyword.HELP:
            return await self._answer(turn, messages.HELP)
        if keyword is Keyword.MORE:
            page = await self._db(self._next_page, turn)
            if page is not None:
                outgoing = [Outgoing(turn.channel, turn.address, page)]
                return await self._db(self._record_replies, turn, outgoing)
            # No page of ours left: "more" is Rasa's (the next part of a document checklist).

        if incoming.payload is None and not incoming.text.strip():
            return await self._answer(turn, messages.TEXT_ONLY)  # a photo, an empty MMS
        resolved = self._resolve(incoming, turn, keyword)
        if isinstance(resolved, int):
            return await self._answer(turn, messages.NOT_IN_MENU, count=resolved)

        if not self.flood.allow((turn.channel, turn.address)):
            metrics.QUEUED.labels("flood").inc()
            await self._db(self._queue, turn.inbound_id, resolved)
            if self.flood.first_notice((turn.channel, turn.address)):
                return await self._answer(turn, messages.FLOOD, finish=False)
            return []

        if turn.queued_before and not await self._replay_contact(turn.contact_id):
            metrics.QUEUED.labels("rasa").inc()
            await self._db(self._queue, turn.inbound_id, resolved)
            return []  # the sender already heard the apology for the first kept message
        try:
            return await self._converse(turn, resolved)
        except RasaUnavailable as exc:
            metrics.RASA_ERRORS.inc()
            metrics.QUEUED.labels("rasa").inc()
            log.warning("Rasa unavailable (%s); message from %s kept", exc, mask(turn.address))
            await self._db(self._queue, turn.inbound_id, resolved)
            return await self._answer(turn, messages.BUSY, finish=False)

    def _resolve(self, incoming: Incoming, turn: _Turn, keyword: Keyword | None) -> str | int:
        """The text for Rasa; an int (the menu's length) when the number is not in the menu."""
        if incoming.payload is not None:
            if incoming.payload.startswith("menu:") and incoming.payload[5:].isdigit():
                index = int(incoming.payload[5:])
                if 1 <= index <= len(turn.last_menu):
                    return turn.last_menu[index - 1]
                return len(turn.last_menu)
            return incoming.payload
        if keyword is Keyword.MENU:
            return MENU_PAYLOAD
        choice = menu_choice(incoming.text)
        if choice is not None and turn.last_menu:
            if choice <= len(turn.last_menu):
                return turn.last_menu[choice - 1]
            return len(turn.last_menu)
        return incoming.text

    async def _converse(self, turn: _Turn, text: str) -> list[Outgoing]:
        quick = None if self.quick_reply is None else await self._db(self.quick_reply, turn, text)
        if quick is not None:
            reply = BotReply(texts=quick)
        else:
            metadata = {"channel": turn.channel, "language": turn.language, "phone": turn.phone}
            sender = self.sender_id(turn.channel, turn.address)
            with metrics.RASA_LATENCY.time():
                responses = await self.rasa.send(self.http(), sender, text, metadata)
            if turn.channel == Channel.TELEGRAM.value and phone_link.confirms_phone(responses):
                await self._link_phone(turn, sender)
            reply = from_rasa(responses)
        language = reply.language or language_in_payload(text) or turn.language
        if turn.channel == Channel.TELEGRAM.value:
            shaped = shape_telegram(reply) if not reply.empty else []
            outgoing = [Outgoing(turn.channel, turn.address, m.text, m.keyboard) for m in shaped]
            pages_left: list[str] = []
        else:
            shape = shape_sms(reply, language)
            outgoing = [Outgoing(turn.channel, turn.address, page) for page in shape.pages[:1]]
            pages_left = shape.pages[1:]
        menu = [button.payload for button in reply.buttons]
        return await self._db(self._conclude, turn, language, menu, pages_left, outgoing)

    async def _link_phone(self, turn: _Turn, sender: str) -> None:
        """Reminders and offers for the phone just used in this chat come to the chat from now
        on. Best effort: the person's answer never waits on a failure here."""
        try:
            phone = await phone_link.phone_in_tracker(self.http(), self.settings.rasa_url, sender)
            if phone is not None:
                await self._db(
                    phone_link.link_chat, self.session_factory, turn.channel, turn.address, phone,
                    utcnow(),
                )
        except Exception:
            log.exception("could not link chat %s to its phone", mask(turn.address))

    # -- the queue ------------------------------------------------------------------------

    async def _replay_contact(self, contact_id: int, use_flood: bool = False) -> bool:
        """Answers the sender's kept messages in order; False when Rasa is still away.
        The caller holds the sender's lock."""
        for turn, text in await self._db(self._queued_of, contact_id):
            if use_flood and not self.flood.allow((turn.channel, turn.address)):
                return False
            try:
                replies = await self._converse(turn, text)
            except RasaUnavailable:
                metrics.RASA_ERRORS.inc()
                return False
            await self.outboxes[turn.channel].deliver(replies)
        return True

    async def replay_queued(self) -> int:
        """Replays every kept message whose sender may be answered now; returns how many
        senders were fully caught up."""
        if not await self.rasa.rasa_up(self.http()):
            return 0
        caught_up = 0
        for contact_id, channel, address in await self._db(self._contacts_with_queue):
            async with self._lock(channel, address):
                if await self._replay_contact(contact_id, use_flood=True):
                    caught_up += 1
        return caught_up

    async def replay_forever(self, interval: float = 5.0) -> None:
        while True:
            try:
                await self.replay_queued()
            except Exception:  # a bad row must not stop the replays of everyone else
                log.exception("replay of kept messages failed")
            await asyncio.sleep(interval)

    # -- database steps (run in a worker thread, one transaction each) ---------------------

    def _contacts_with_queue(self) -> list[tuple[int, str, str]]:
        with self.session_factory() as session:
            rows = session.execute(
                select(Contact.id, Contact.channel, Contact.address)
                .join(InboundMessage, InboundMessage.contact_id == Contact.id)
                .where(InboundMessage.status == InboundStatus.QUEUED.value)
                .group_by(Contact.id, Contact.channel, Contact.address)
                .order_by(Contact.id)
            ).all()
            return [(row[0], row[1], row[2]) for row in rows]

    def _queued_of(self, contact_id: int) -> list[tuple[_Turn, str]]:
        with self.session_factory() as session:
            contact = session.get(Contact, contact_id)
            if contact is None or contact.opted_out:
                return []
            rows = session.scalars(
                select(InboundMessage)
                .where(
                    InboundMessage.contact_id == contact_id,
                    InboundMessage.status == InboundStatus.QUEUED.value,
                )
                .order_by(InboundMessage.id)
            ).all()
            return [
                (
                    _Turn(
                        inbound_id=row.id,
                        contact_id=contact.id,
                        channel=contact.channel,
                        address=contact.address,
                        language=contact.language,
                        opted_out=False,
                        last_menu=list(contact.last_menu or []),
                        phone=contact.address if contact.channel == Channel.SMS.value else None,
                    ),
                    row.resolved if row.resolved is not None else row.body,
                )
                for row in rows
            ]

    def _queue(self, inbound_id: int, resolved: str) -> None:
        with self.session_factory.begin() as session:
            row = session.get(InboundMessage, inbound_id)
            if row is not None:
                row.status = InboundStatus.QUEUED.value
                row.resolved = resolved

    def _finish(self, inbound_id: int, session: Session | None) -> None:
        if session is None:
            with self.session_factory.begin() as own:
                self._finish(inbound_id, own)
            return
        row = session.get(InboundMessage, inbound_id)
        if row is not None:
            row.status = InboundStatus.DONE.value
            row.processed_at = utcnow()

    def _set_opt_out(self, turn: _Turn, opted_out: bool) -> None:
        with self.session_factory.begin() as session:
            contact = session.get(Contact, turn.contact_id)
            if contact is not None and contact.opted_out != opted_out:
                contact.opted_out = opted_out
                contact.opted_out_at = utcnow() if opted_out else None

    def _next_page(self, turn: _Turn) -> str | None:
        with self.session_factory.begin() as session:
            contact = session.get(Contact, turn.contact_id)
            if contact is None or not contact.pages_left:
                return None
            page, *rest = contact.pages_left
            contact.pages_left = rest
            return page

    def _record_replies(
        self, turn: _Turn, outgoing: list[Outgoing], finish: bool = True
    ) -> list[Outgoing]:
        with self.session_factory.begin() as session:
            for message in outgoing:
                record(session, message, turn.inbound_id)
            if finish:
                self._finish(turn.inbound_id, session)
        return outgoing

    def _conclude(
        self,
        turn: _Turn,
        language: str,
        menu: list[str],
        pages_left: list[str],
        outgoing: list[Outgoing],
    ) -> list[Outgoing]:
        with self.session_factory.begin() as session:
            contact = session.get(Contact, turn.contact_id)
            if contact is not None:
                contact.language = language
                contact.last_menu = menu
                contact.pages_left = pages_left
            for message in outgoing:
                record(session, message, turn.inbound_id)
            self._finish(turn.inbound_id, session)
        return outgoing

    async def _answer(
        self, turn: _Turn, msgid: str, force: bool = False, finish: bool = True, **params: object
    ) -> list[Outgoing]:
        """A sentence of the gateway's own, in the sender's language and channel form."""
        text = translate(msgid, turn.language, **params)
        if turn.channel == Channel.SMS.value:
            text = sms_text(text, turn.language)
        outgoing = [Outgoing(turn.channel, turn.address, text, force=force)]
        return await self._db(self._record_replies, turn, outgoing, finish)
