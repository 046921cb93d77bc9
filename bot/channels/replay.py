"""Messages answered later: those kept while Rasa was away or the sender flooded, and those that
waited while another process answered their sender. Always in arrival order, by the holder of
the sender's lease, through the outbox."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

import httpx
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.channels import metrics
from bot.channels.flood import FloodGate
from bot.channels.inbox import Inbox
from bot.channels.outbound import Outbox, Outgoing, resend_retrying
from bot.channels.rasa_client import RasaClient, RasaUnavailable
from bot.channels.spool import Spool
from bot.channels.turn import Converse, Incoming, Turn, route

log = logging.getLogger(__name__)
T = TypeVar("T")


class Answering(Protocol):
    """What replay needs of the conversation (bot.channels.conversation.Conversations)."""

    inbox: Inbox
    spool: Spool
    outboxes: dict[str, Outbox]
    flood: FloodGate
    rasa: RasaClient

    def http(self) -> httpx.AsyncClient: ...

    def lock(self, channel: str, address: str) -> asyncio.Lock: ...

    async def db(self, fn: Callable[..., T], *args: Any) -> T: ...

    async def process(self, incoming: Incoming, turn: Turn) -> list[Outgoing]: ...

    async def converse(self, turn: Turn, to: Converse) -> list[Outgoing]: ...

    async def handle(
        self, incoming: Incoming, deliver: Outbox | None = None
    ) -> list[Outgoing] | None: ...


class Replay:
    def __init__(self, conversation: Answering):
        self.conversation = conversation
        # Set while a pass runs: a shutdown waits for it rather than cut a turn in half.
        self.busy = False
        self.stopping = False

    async def drain(
        self,
        contact_id: int,
        lease: str | None,
        use_flood: bool = False,
        before: int | None = None,
    ) -> bool:
        """Answers the sender's kept and waiting messages in arrival order (those that came
        before message `before`, if given), through the outbox; False when one cannot be
        answered now (Rasa away, flood). The caller holds the lease."""
        c = self.conversation
        outboxes: Mapping[str, Outbox] = c.outboxes
        while (item := await c.db(c.inbox.next_kept, contact_id, lease, before)) is not None:
            turn, incoming, text, flooded = item
            if incoming is not None:  # waited for this process: answered as if it came now
                replies = await c.process(incoming, turn)
                kept = await c.db(c.inbox.is_kept, turn.inbound_id)
                await outboxes[turn.channel].deliver(replies)
                if kept:
                    return False
                continue
            # A message kept while Rasa was away was counted when it came: retrying it must not
            # use up its sender's room (8 messages sent into an outage would read as a flood).
            if use_flood and flooded and not c.flood.allow((turn.channel, turn.address)):
                return False
            try:
                replies = await c.converse(turn, route(text, turn.pending))
            except RasaUnavailable:
                metrics.RASA_ERRORS.inc()
                return False
            await outboxes[turn.channel].deliver(replies)
        return True

    async def catch_up(self, contact_id: int) -> None:
        """Messages another process left for us between our last look and the release."""
        c = self.conversation
        while (lease := await c.db(c.inbox.lease_if_waiting, contact_id)) is not None:
            try:
                answered = await self.drain(contact_id, lease, use_flood=True)
            except BaseException:
                await c.db(c.inbox.release, contact_id, lease)
                raise
            if not await c.db(c.inbox.release, contact_id, lease) or not answered:
                return

    async def queued(self) -> int:
        """Replays every kept message whose sender may be answered now; returns how many
        senders were fully caught up."""
        c = self.conversation
        if not await c.rasa.ready(c.http()):
            return 0  # with the action server down, Rasa would answer the menu or nothing
        caught_up = 0
        for contact_id, channel, address in await c.db(c.inbox.contacts_with_queue):
            async with c.lock(channel, address):
                lease = await c.db(c.inbox.lease_if_waiting, contact_id, True)
                if lease is None:
                    continue  # another process is answering this sender
                try:
                    caught_up += await self.drain(contact_id, lease, use_flood=True)
                finally:
                    await c.db(c.inbox.release, contact_id, lease)
        return caught_up

    async def spooled(self) -> int:
        """Records and answers (through the outbox) the messages the webhooks kept on disk while
        the database could not take them; stops at the first the database still cannot take
        (locked, down). One it refuses for what it holds is set aside: a message with a NUL
        byte, refused by PostgreSQL, held back every message spooled after it, for ever (an
        attacker's test, session 30). Returns how many were recorded."""
        c = self.conversation
        count = 0
        for incoming in await c.db(c.spool.pending):
            try:
                # handle() records it (or finds it already recorded), drops the spooled copy.
                await c.handle(incoming, deliver=c.outboxes[incoming.channel])
            except OperationalError:
                raise
            except DBAPIError as refused:
                aside = c.spool.set_aside(incoming)
                log.error(
                    "spooled message refused by the database (%s): set aside as %s",
                    type(refused.orig).__name__,
                    aside.name,
                )
                continue
            count += 1
        return count

    async def forever(self, interval: float = 5.0) -> None:
        c = self.conversation
        while not self.stopping:
            self.busy = True
            try:
                await self.spooled()
            except Exception as exc:  # still locked: next time
                log.warning("spooled messages not recorded yet: %s", type(exc).__name__)
            try:
                await self.queued()
            except Exception:  # a bad row must not stop the replays of everyone else
                log.exception("replay of kept messages failed")
            try:
                await resend_retrying(c.outboxes, c.inbox.session_factory)
            except Exception:
                log.exception("resending replies left to retry failed")
            self.busy = False
            await asyncio.sleep(interval)
