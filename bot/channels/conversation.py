"""One conversation turn, whatever the channel: de-duplication, keywords, opt-out, flood
control, menu numbers, paging, Rasa, and the queue that keeps messages while Rasa is down.

Messages of one sender are handled one at a time and in order: a lock per sender inside a
process, a lease on the contact across processes (a message that arrives while another process
answers its sender waits, and that process answers it next), and the sender's kept messages
replayed before a new one.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
import uuid
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

import httpx
from anyio import to_thread
from sqlalchemy import or_, select, update
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


# Longer than any turn (Rasa's timeout is 30 s) and renewed for each message answered: a lease
# that runs out means its process died, and the replayer takes over the waiting messages.
LEASE = timedelta(minutes=2)
WAITING_STATUSES = (InboundStatus.QUEUED.value, InboundStatus.WAITING.value)
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
    lease: str | None = None  # this process answers the sender; None: another one does

    @classmethod
    def of(cls, contact: Contact, inbound_id: int, **more: Any) -> _Turn:
        return cls(
            inbound_id=inbound_id,
            contact_id=contact.id,
            channel=contact.channel,
            address=contact.address,
            language=contact.language,
            opted_out=contact.opted_out,
            last_menu=list(contact.last_menu or []),
            **more,
        )


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
        that a quick second message cannot overtake the first answer. Without it, the replies
        are returned to be sent inline — unless another process's message for this sender
        waited behind this one: then they go through the outbox first and [] is returned.
        [] as well when another process is answering this sender: it answers this one next.
        """
        started = time.perf_counter()
        incoming.text = clean_text(incoming.text)
        async with self._lock(incoming.channel, incoming.address):
            turn = await self._db(self._receive, incoming)
            if turn is None:
                metrics.DUPLICATES.labels(incoming.channel).inc()
                return None
            metrics.MESSAGES_IN.labels(incoming.channel).inc()
            if turn.lease is None:
                metrics.QUEUED.labels("busy").inc()
                return []
            try:
                replies = await self._process(incoming, turn)
                metrics.LATENCY.labels(incoming.channel).observe(time.perf_counter() - started)
                waiting = await self._db(self._has_waiting, turn.contact_id)
                if deliver is not None or waiting:
                    await (deliver or self.outboxes[turn.channel]).deliver(replies)
                    replies = replies if deliver is not None else []
                if waiting:
                    await self._drain(turn.contact_id, turn.lease, use_flood=True)
            except BaseException:
                await self._db(self._release, turn.contact_id, turn.lease)
                raise
            if await self._db(self._release, turn.contact_id, turn.lease):
                await self._catch_up(turn.contact_id)
        return replies

    async def _catch_up(self, contact_id: int) -> None:
        """Messages another process left for us between our last look and the release."""
        while (lease := await self._db(self._lease_if_waiting, contact_id)) is not None:
            try:
                answered = await self._drain(contact_id, lease, use_flood=True)
            except BaseException:
                await self._db(self._release, contact_id, lease)
                raise
            if not await self._db(self._release, contact_id, lease) or not answered:
                return

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
                        InboundMessage.status.in_(WAITING_STATUSES),
                    )
                    .limit(1)
                )
                is not None
            )
            lease = _take_lease(session, contact.id)
            if lease is None:
                row.status = InboundStatus.WAITING.value
                row.details = {
                    "payload": incoming.payload,
                    "opt_in": incoming.opt_in,
                    "phone": incoming.phone,
                }
            return _Turn.of(
                contact, row.id, queued_before=queued_before, phone=incoming.phone, lease=lease
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

        if turn.queued_before and not await self._drain(
            turn.contact_id, turn.lease, before=turn.inbound_id
        ):
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

    async def _drain(
        self,
        contact_id: int,
        lease: str | None,
        use_flood: bool = False,
        before: int | None = None,
    ) -> bool:
        """Answers the sender's kept and waiting messages in arrival order (those that came
        before message `before`, if given), through the outbox; False when one cannot be
        answered now (Rasa away, flood). The caller holds the lease."""
        while (item := await self._db(self._next_kept, contact_id, lease, before)) is not None:
            turn, incoming, text = item
            if incoming is not None:  # waited for this process: answered as if it came now
                replies = await self._process(incoming, turn)
                kept = await self._db(self._is_kept, turn.inbound_id)
                await self.outboxes[turn.channel].deliver(replies)
                if kept:
                    return False
                continue
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
                lease = await self._db(self._lease_if_waiting, contact_id, True)
                if lease is None:
                    continue  # another process is answering this sender
                try:
                    caught_up += await self._drain(contact_id, lease, use_flood=True)
                finally:
                    await self._db(self._release, contact_id, lease)
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
                .where(
                    or_(
                        InboundMessage.status == InboundStatus.WAITING.value,
                        # Kept messages of an opted-out sender stay kept until START.
                        (InboundMessage.status == InboundStatus.QUEUED.value)
                        & Contact.opted_out.is_(False),
                    )
                )
                .group_by(Contact.id, Contact.channel, Contact.address)
                .order_by(Contact.id)
            ).all()
            return [(row[0], row[1], row[2]) for row in rows]

    def _next_kept(
        self, contact_id: int, lease: str | None, before: int | None = None
    ) -> tuple[_Turn, Incoming | None, str] | None:
        """The sender's oldest kept or waiting message, with the lease renewed: a waiting one
        as an Incoming to answer in full, a kept one as the text for Rasa. None when there is
        none (kept messages of an opted-out sender stay kept) or the lease was lost."""
        with self.session_factory.begin() as session:
            if lease is not None and not _renew_lease(session, contact_id, lease):
                return None
            contact = session.get(Contact, contact_id)
            if contact is None:
                return None
            statuses = [InboundStatus.WAITING.value]
            if not contact.opted_out:
                statuses.append(InboundStatus.QUEUED.value)
            query = select(InboundMessage).where(
                InboundMessage.contact_id == contact_id, InboundMessage.status.in_(statuses)
            )
            if before is not None:
                query = query.where(InboundMessage.id < before)
            row = session.scalars(query.order_by(InboundMessage.id).limit(1)).first()
            if row is None:
                return None
            turn = _Turn.of(
                contact,
                row.id,
                phone=contact.address if contact.channel == Channel.SMS.value else None,
                lease=lease,
            )
            if row.status == InboundStatus.QUEUED.value:
                return turn, None, row.resolved if row.resolved is not None else row.body
            details = row.details or {}
            row.status = InboundStatus.RECEIVED.value  # answered now, like any new message
            phone = details.get("phone")
            turn.phone = phone if isinstance(phone, str) else turn.phone
            payload = details.get("payload")
            incoming = Incoming(
                channel=contact.channel,
                address=contact.address,
                external_id=row.external_id,
                text=row.body,
                phone=turn.phone,
                payload=payload if isinstance(payload, str) else None,
                opt_in=bool(details.get("opt_in")),
            )
            return turn, incoming, row.body

    def _is_kept(self, inbound_id: int) -> bool:
        with self.session_factory() as session:
            row = session.get(InboundMessage, inbound_id)
            return row is not None and row.status == InboundStatus.QUEUED.value

    def _has_waiting(self, contact_id: int) -> bool:
        with self.session_factory() as session:
            return _waiting_row(session, contact_id, InboundStatus.WAITING.value) is not None

    def _lease_if_waiting(self, contact_id: int, kept_too: bool = False) -> str | None:
        """The sender's lease, if a message waits for it (or, with kept_too, is kept) and no
        other process holds it."""
        statuses = WAITING_STATUSES if kept_too else InboundStatus.WAITING.value
        with self.session_factory.begin() as session:
            if _waiting_row(session, contact_id, statuses) is None:
                return None
            return _take_lease(session, contact_id)

    def _release(self, contact_id: int, lease: str | None) -> bool:
        """Gives the sender back; True when a message is waiting for whoever takes it next."""
        if lease is None:
            return False
        with self.session_factory.begin() as session:
            session.execute(
                update(Contact)
                .where(Contact.id == contact_id, Contact.busy_by == lease)
                .values(busy_until=None, busy_by=None)
                .execution_options(synchronize_session=False)
            )
            return _waiting_row(session, contact_id, InboundStatus.WAITING.value) is not None

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


def _take_lease(session: Session, contact_id: int) -> str | None:
    """The sender for this process, if no other holds it: one conditional UPDATE, so that of
    two processes racing (PostgreSQL re-reads the row after the first commits; SQLite writers
    take turns) exactly one wins."""
    token = uuid.uuid4().hex
    now = utcnow()
    taken = session.execute(
        update(Contact)
        .where(
            Contact.id == contact_id,
            or_(Contact.busy_until.is_(None), Contact.busy_until < now),
        )
        .values(busy_until=now + LEASE, busy_by=token)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    return token if taken else None


def _renew_lease(session: Session, contact_id: int, lease: str) -> bool:
    renewed = session.execute(
        update(Contact)
        .where(Contact.id == contact_id, Contact.busy_by == lease)
        .values(busy_until=utcnow() + LEASE)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    return bool(renewed)


def _waiting_row(session: Session, contact_id: int, statuses: str | tuple[str, ...]) -> int | None:
    wanted = (statuses,) if isinstance(statuses, str) else statuses
    return session.scalar(
        select(InboundMessage.id)
        .where(InboundMessage.contact_id == contact_id, InboundMessage.status.in_(wanted))
        .limit(1)
    )
