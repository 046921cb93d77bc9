"""One conversation turn, whatever the channel: the message recorded (bot.channels.inbox), what
to do with it decided (bot.channels.turn), then carried out: the gateway's own answer, or Rasa's,
or the message kept while Rasa is down (bot.channels.replay).

Messages of one sender are handled one at a time and in order: a lock per sender inside a
process, a lease on the contact across processes (bot.channels.lease: a message that arrives
while another process answers its sender waits, and that process answers it next), and the
sender's kept messages replayed before a new one.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import httpx
from anyio import to_thread
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import messages, metrics, phone_link, printed
from bot.channels.flood import FloodGate
from bot.channels.health import actions_url
from bot.channels.inbox import Inbox
from bot.channels.language import LanguageDecision, LanguageSource, decide
from bot.channels.masking import mask
from bot.channels.models import Channel
from bot.channels.outbound import Outbox, Outgoing
from bot.channels.rasa_client import INBOUND_KEY, EmptyAnswer, RasaClient, RasaUnavailable
from bot.channels.replay import Replay
from bot.channels.shaping import BotReply, from_rasa, shape_sms, shape_telegram, sms_text
from bot.channels.spool import Spool
from bot.channels.turn import Converse, Drop, Incoming, Say, ShowPage, Turn, clean_text, plan
from bot.config import Settings
from bot.db import utcnow
from bot.i18n import translate
from bot.personal import METADATA_KEY, for_rasa, seal_numbers
from bot.ratelimit import RateLimiter
from bot.secrets import seal
from bot.words import Question, Word

log = logging.getLogger(__name__)
T = TypeVar("T")


class Conversations:
    def __init__(
        self,
        settings: Settings,
        session_factory: sessionmaker[Session],
        outboxes: Mapping[str, Outbox],
    ):
        self.settings = settings
        self.session_factory = session_factory
        self.inbox = Inbox(session_factory, settings.secret_key)
        self.outboxes = dict(outboxes)
        self.rasa = RasaClient(
            settings.rasa_url, actions_url(settings), api_token=settings.rasa_api_token
        )
        self.flood = FloodGate(settings.flood_per_minute, RateLimiter.from_settings(settings))
        self.replay = Replay(self)
        self.spool = Spool(Path(settings.spool_dir), settings.secret_key)
        # Answers to messages sent first (OUI to an offer, ANNULER, PREUVE…) for the reply words
        # that bot.channels.turn.route gives them; set by bot.scheduler.gateway.install.
        # Returns the reply texts, or None to go on to Rasa.
        self.quick_reply: Callable[[Turn, Word], list[str] | None] | None = None
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._arrivals: dict[tuple[str, str], asyncio.Lock] = {}
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

    async def db(self, fn: Callable[..., T], *args: Any) -> T:
        """A database step, in a worker thread: the event loop keeps serving other senders."""
        return await to_thread.run_sync(partial(fn, *args))

    def lock(self, channel: str, address: str) -> asyncio.Lock:
        return self._locks.setdefault((channel, address), asyncio.Lock())

    # -- the turn -------------------------------------------------------------------------

    async def handle(
        self,
        incoming: Incoming,
        deliver: Outbox | None = None,
        recorded: asyncio.Event | None = None,
    ) -> list[Outgoing] | None:
        """The replies of this message, or None when it was already received. `recorded` is
        set once the message is in the inbox: until then the webhook must not answer 200
        without keeping it some other way (bot.channels.spool).

        With `deliver`, the replies are sent before the sender's next message is read, so
        that a quick second message cannot overtake the first answer. Without it, the replies
        are returned to be sent inline — unless another process's message for this sender
        waited behind this one: then they go through the outbox first and [] is returned.
        [] as well when another process is answering this sender: it answers this one next.
        """
        started = time.perf_counter()
        spooled = incoming
        incoming = self._sealed(incoming)
        # Recorded before waiting for the sender's turn: messages that reach two processes a
        # few ms apart keep their arrival order (the row id), whichever process answers them.
        # (The short lock keeps the arrival order within this process: the database steps
        # run in worker threads that could otherwise record two messages in either order.)
        async with self._arrivals.setdefault((incoming.channel, incoming.address), asyncio.Lock()):
            await self._record_spooled_before(spooled)
            inbound_id = await self.db(self.inbox.record, incoming, incoming.arrived or utcnow())
        if recorded is not None:
            recorded.set()
        # A copy the webhook spooled while the database was locked is not needed any more.
        await self.db(self.spool.forget, spooled)
        if inbound_id is None:
            metrics.DUPLICATES.labels(incoming.channel).inc()
            return None
        metrics.MESSAGES_IN.labels(incoming.channel).inc()
        async with self.lock(incoming.channel, incoming.address):
            turn = await self.db(
                self.inbox.take_turn, inbound_id, incoming.phone, incoming.language_hint
            )
            if turn is None:  # the process that held the sender answered it already
                return []
            if turn.lease is None:
                metrics.QUEUED.labels("busy").inc()
                return []
            try:
                replies = await self.process(incoming, turn)
                metrics.LATENCY.labels(incoming.channel).observe(time.perf_counter() - started)
                waiting = await self.db(self.inbox.has_waiting, turn.contact_id)
                if deliver is not None or waiting:
                    await (deliver or self.outboxes[turn.channel]).deliver(replies)
                    replies = replies if deliver is not None else []
                if waiting:
                    await self.replay.drain(turn.contact_id, turn.lease, use_flood=True)
            except BaseException:
                await self.db(self.inbox.release, turn.contact_id, turn.lease)
                raise
            if await self.db(self.inbox.release, turn.contact_id, turn.lease):
                await self.replay.catch_up(turn.contact_id)
        return replies

    def _sealed(self, incoming: Incoming) -> Incoming:
        """Sealed before anything stores it: the inbox, Rasa's tracker (bot.personal)."""
        return replace(
            incoming, text=seal_numbers(clean_text(incoming.text), self.settings.secret_key)
        )

    async def _record_spooled_before(self, incoming: Incoming) -> None:
        """This sender's messages spooled while the database was locked arrived before this one:
        recorded first, so that they are answered first. Recorded after it by the replayer, the
        first of four SMS sent during a lock got its answer last, after three "not understood"
        (an attacker's test, session 22)."""
        for earlier in await self.db(self.spool.pending):
            if (earlier.channel, earlier.address) != (incoming.channel, incoming.address):
                continue
            if earlier.external_id == incoming.external_id:
                continue
            await self.db(self.inbox.record, self._sealed(earlier), earlier.arrived or utcnow())
            await self.db(self.spool.forget, earlier)

    async def keep_aside(self, incoming: Incoming) -> bool:
        """A message the database could not record, kept in the spool (bot.channels.spool) for
        the replayer; False when even that failed. `incoming` as the provider sent it."""
        try:
            await to_thread.run_sync(self.spool.keep, incoming, incoming.arrived or utcnow())
        except OSError:
            log.exception("could not spool the message from %s", mask(incoming.address))
            return False
        metrics.QUEUED.labels("database").inc()
        return True

    async def process(self, incoming: Incoming, turn: Turn) -> list[Outgoing]:
        """Carries out the turn's plan; the caller holds the sender's lease."""
        decided = plan(incoming, turn)
        if decided.opted_out is not None:
            await self.db(self.inbox.set_opt_out, turn.contact_id, decided.opted_out)
            turn.opted_out = decided.opted_out
        action = decided.action
        if isinstance(action, Drop):
            await self.db(self.inbox.finish, turn.inbound_id)
            return []
        if isinstance(action, Say):
            return await self._say(turn, action)
        if isinstance(action, ShowPage):
            outgoing = [Outgoing(turn.channel, turn.address, action.text)]
            return await self.db(self.inbox.show_page, turn, outgoing)
        return await self._converse_or_keep(turn, action)

    async def _converse_or_keep(self, turn: Turn, action: Converse) -> list[Outgoing]:
        if not self.flood.allow((turn.channel, turn.address)):
            metrics.QUEUED.labels("flood").inc()
            await self.db(self.inbox.keep, turn.inbound_id, action.text, True)
            if self.flood.first_notice((turn.channel, turn.address)):
                return await self._say(turn, Say(messages.FLOOD, keep=True))
            return []
        if turn.queued_before and not await self.replay.drain(
            turn.contact_id, turn.lease, before=turn.inbound_id
        ):
            metrics.QUEUED.labels("rasa").inc()
            await self.db(self.inbox.keep, turn.inbound_id, action.text)
            return []  # the sender already heard the apology for the first kept message
        try:
            return await self.converse(turn, action)
        except EmptyAnswer:
            metrics.RASA_ERRORS.inc()
            metrics.QUEUED.labels("rasa").inc()
            log.warning("Rasa answered nothing; message from %s kept", mask(turn.address))
            await self.db(self.inbox.keep, turn.inbound_id, action.text)
            return await self._say(turn, Say(messages.FAILED_TURN, keep=True))
        except RasaUnavailable as exc:
            metrics.RASA_ERRORS.inc()
            metrics.QUEUED.labels("rasa").inc()
            log.warning("Rasa unavailable (%s); message from %s kept", exc, mask(turn.address))
            await self.db(self.inbox.keep, turn.inbound_id, action.text)
            return await self._say(turn, Say(messages.BUSY, keep=True))

    async def converse(self, turn: Turn, to: Converse) -> list[Outgoing]:
        """The conversation's answer (to a message sent first, or Rasa's), shaped for the
        channel and recorded."""
        text = to.text
        quick = None
        if to.reply is not None and self.quick_reply is not None:
            quick = await self.db(self.quick_reply, turn, to.reply)
        asked = None  # an answer to a message sent first asks nothing new
        responses: list[dict[str, Any]] = []
        key = self.settings.secret_key
        # The stored text has its personal numbers sealed ("pii:aZxu2iw4…"): the language is
        # read on Rasa's text, where they are digits, else a sealed token reads as two Latin
        # words and can switch a Persian conversation to Arabic at the numéro étranger.
        rasa_text, numbers = for_rasa(text, key)
        decided = decide(rasa_text, turn.language, turn.language_source, turn.hint)
        if quick is not None:
            reply = BotReply(texts=quick)
        else:
            sender = self.sender_id(turn.channel, turn.address)
            done = (
                await self.rasa.answered(self.http(), sender, turn.inbound_id)
                if turn.retaken
                else None
            )
            if done is not None:
                log.warning("message from %s already answered by Rasa", mask(turn.address))
                responses = done
            else:
                responses = await self._ask_rasa(turn, sender, rasa_text, numbers, decided)
            if turn.channel == Channel.TELEGRAM.value:
                await self._link_phone(turn, phone_link.confirmed_phone(responses, key))
            reply = from_rasa(responses)
            asked = Question.ASSISTANT
        if reply.language_chosen and reply.language is not None:
            decided = LanguageDecision(reply.language, LanguageSource.CHOSEN)
        elif reply.language is not None and reply.language != decided.language:
            decided = LanguageDecision(reply.language, decided.source)  # what the person read
        language = decided.language
        if turn.channel == Channel.TELEGRAM.value:
            shaped = shape_telegram(reply) if not reply.empty else []
            outgoing = [Outgoing(turn.channel, turn.address, m.text, m.keyboard) for m in shaped]
            outgoing += await self._convocations(turn, responses, language)
            pages_left: list[str] = []
        else:
            shape = shape_sms(reply, language)
            outgoing = [Outgoing(turn.channel, turn.address, page) for page in shape.pages[:1]]
            pages_left = shape.pages[1:]
        menu = [button.payload for button in reply.buttons]
        return await self.db(self.inbox.conclude, turn, decided, menu, pages_left, outgoing, asked)

    async def _ask_rasa(
        self,
        turn: Turn,
        sender: str,
        text: str,
        numbers: list[str],
        decided: LanguageDecision,
    ) -> list[dict[str, Any]]:
        if turn.language_source is not None and decided.language != turn.language:
            # Rasa renders in its `language` slot, set at the session's start from the
            # metadata below; a person who switches later needs the slot changed too.
            await self.rasa.set_slot(self.http(), sender, "language", decided.language)
        # Rasa records metadata with every message: the proven phone goes sealed; the inbox
        # row finds the message again if this process dies before its answer is sent.
        metadata = {
            "channel": turn.channel,
            "language": decided.language,
            "phone": seal(turn.phone, self.settings.secret_key) if turn.phone else None,
            METADATA_KEY: numbers,
            INBOUND_KEY: turn.inbound_id,
        }
        with metrics.RASA_LATENCY.time():
            return await self.rasa.send(self.http(), sender, text, metadata)

    async def _convocations(
        self, turn: Turn, responses: list[dict[str, Any]], language: str
    ) -> list[Outgoing]:
        """The PDF of each convocation these answers gave, after them (Telegram)."""
        documents = []
        for code in printed.convocation_codes(responses):
            document = await self.db(
                printed.convocation_document,
                self.settings,
                self.session_factory,
                turn.channel,
                turn.address,
                code,
                language,
            )
            if document is not None:
                documents.append(document)
        return documents

    async def _link_phone(self, turn: Turn, phone: str | None) -> None:
        """Reminders and offers for the phone just used in this chat come to the chat from now
        on. Best effort: the person's answer never waits on a failure here."""
        try:
            if phone is not None:
                await self.db(
                    phone_link.link_chat,
                    self.session_factory,
                    turn.channel,
                    turn.address,
                    phone,
                    utcnow(),
                )
        except Exception:
            log.exception("could not link chat %s to its phone", mask(turn.address))

    async def _say(self, turn: Turn, say: Say) -> list[Outgoing]:
        """A sentence of the gateway's own, in the sender's language and channel form."""
        params = {} if say.count is None else {"count": say.count}
        text = translate(say.msgid, turn.language, **params)
        if turn.channel == Channel.SMS.value:
            text = sms_text(text, turn.language)
        outgoing = [Outgoing(turn.channel, turn.address, text, force=say.force)]
        return await self.db(self.inbox.record_replies, turn, outgoing, not say.keep)
