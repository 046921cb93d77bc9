"""The channels' database steps on contacts and inbound messages. Each runs in a worker thread
and is one transaction: the conversation (bot.channels.conversation) calls them in turn."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import lease as leases
from bot.channels.language import LanguageDecision
from bot.channels.models import Channel, Contact, InboundMessage, InboundStatus
from bot.channels.outbound import Outgoing, record
from bot.channels.phone_link import phone_of, prefer
from bot.channels.turn import Incoming, Turn
from bot.db import utcnow
from bot.i18n import normalise_language
from bot.secrets import seal, unseal
from bot.words import Question

WAITING_STATUSES = (InboundStatus.QUEUED.value, InboundStatus.WAITING.value)
# A message is `received` only while a process holds its sender's lease and answers it: one
# found so by whoever holds the lease next was left by a process that died mid-turn.
ANSWERABLE = (InboundStatus.WAITING.value, InboundStatus.RECEIVED.value)


def _proven_phone(session: Session, contact: Contact, shared: str | None) -> str | None:
    """The phone a message of `contact` speaks for: the SMS sender's own, the contact shared in
    this very message, else the one this Telegram chat's owner shared before (a chat whose owner
    shared none speaks for no phone: actions.common.proven_phone)."""
    if shared is not None:
        return shared
    if contact.channel == Channel.SMS.value:
        return contact.address
    return phone_of(session, contact.channel, contact.address)


def turn_of(contact: Contact, inbound_id: int, **more: Any) -> Turn:
    return Turn(
        inbound_id=inbound_id,
        contact_id=contact.id,
        channel=contact.channel,
        address=contact.address,
        language=contact.language,
        opted_out=contact.opted_out,
        language_source=contact.language_source,
        last_menu=list(contact.last_menu or []),
        pages_left=list(contact.pages_left or []),
        pending=contact.pending_question,
        **more,
    )


class Kept(NamedTuple):
    """A message to answer late: a waiting one as an Incoming to answer in full, a kept one as
    the text for Rasa (`flooded` when it was kept because its sender sent too many)."""

    turn: Turn
    incoming: Incoming | None
    text: str
    flooded: bool = False


class Inbox:
    def __init__(self, session_factory: sessionmaker[Session], secret_key: str):
        self.session_factory = session_factory
        # The phone a waiting message keeps for whoever answers it is sealed (bot.secrets).
        self.secret_key = secret_key

    # -- a new message ----------------------------------------------------------------------

    def record(self, incoming: Incoming, arrived: datetime) -> int | None:
        """The message recorded as waiting for its turn, before anything else, with the time
        it arrived: its place among its sender's messages whatever process got it (two
        processes' inserts may commit in either order). None when it was already received."""
        # A unique constraint refused the insert: either another worker created this new
        # contact at the same moment (the second try finds it) or it recorded this very
        # message (the second try sees the duplicate).
        try:
            return self._record_once(incoming, arrived)
        except IntegrityError:
            try:
                return self._record_once(incoming, arrived)
            except IntegrityError:
                return None

    def _record_once(self, incoming: Incoming, arrived: datetime) -> int | None:
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
                received_at=arrived,
                status=InboundStatus.WAITING.value,
                details={
                    "payload": incoming.payload,
                    "opt_in": incoming.opt_in,
                    "phone": seal(incoming.phone, self.secret_key) if incoming.phone else None,
                },
            )
            session.add(row)
            session.flush()
            return row.id

    def take_turn(self, inbound_id: int, phone: str | None, hint: str | None = None) -> Turn | None:
        """The recorded message's turn, with its sender's lease if free (else it waits for the
        process holding it: the Turn has no lease). None when that process already answered it."""
        with self.session_factory.begin() as session:
            row = session.get(InboundMessage, inbound_id)
            contact = session.get(Contact, row.contact_id) if row is not None else None
            if row is None or contact is None or row.status != InboundStatus.WAITING.value:
                return None
            lease = leases.take(session, contact.id)
            if lease is not None:
                row.status = InboundStatus.RECEIVED.value
            earlier = session.scalar(
                select(InboundMessage.id)
                .where(
                    InboundMessage.contact_id == contact.id,
                    InboundMessage.status.in_(WAITING_STATUSES),
                    _arrived_before(row),
                )
                .limit(1)
            )
            return turn_of(
                contact,
                row.id,
                queued_before=earlier is not None,
                phone=_proven_phone(session, contact, phone),
                lease=lease,
                hint=hint,
            )

    # -- kept and waiting messages -------------------------------------------------------------

    def contacts_with_queue(self) -> list[tuple[int, str, str]]:
        with self.session_factory() as session:
            rows = session.execute(
                select(Contact.id, Contact.channel, Contact.address)
                .join(InboundMessage, InboundMessage.contact_id == Contact.id)
                .where(
                    or_(
                        InboundMessage.status.in_(ANSWERABLE),
                        # Kept messages of an opted-out sender stay kept until START.
                        (InboundMessage.status == InboundStatus.QUEUED.value)
                        & Contact.opted_out.is_(False),
                    )
                )
                .group_by(Contact.id, Contact.channel, Contact.address)
                .order_by(Contact.id)
            ).all()
            return [(row[0], row[1], row[2]) for row in rows]

    def next_kept(
        self, contact_id: int, lease: str | None, before: int | None = None
    ) -> Kept | None:
        """The sender's oldest kept or waiting message, with the lease renewed: a waiting one
        as an Incoming to answer in full, a kept one as the text for Rasa. None when there is
        none (kept messages of an opted-out sender stay kept) or the lease was lost."""
        with self.session_factory.begin() as session:
            if lease is not None and not leases.renew(session, contact_id, lease):
                return None
            contact = session.get(Contact, contact_id)
            if contact is None:
                return None
            statuses = list(ANSWERABLE)
            if not contact.opted_out:
                statuses.append(InboundStatus.QUEUED.value)
            query = select(InboundMessage).where(
                InboundMessage.contact_id == contact_id, InboundMessage.status.in_(statuses)
            )
            limit = session.get(InboundMessage, before) if before is not None else None
            if limit is not None:
                query = query.where(_arrived_before(limit))
            in_order = query.order_by(InboundMessage.received_at, InboundMessage.id)
            row = session.scalars(in_order.limit(1)).first()
            if row is None:
                return None
            turn = turn_of(
                contact,
                row.id,
                phone=_proven_phone(session, contact, None),
                lease=lease,
                retaken=row.status != InboundStatus.WAITING.value,
            )
            details = row.details or {}
            if row.status == InboundStatus.QUEUED.value:
                text = row.resolved if row.resolved is not None else row.body
                return Kept(turn, None, text, flooded=bool(details.get("flooded")))
            row.status = InboundStatus.RECEIVED.value  # answered now, like any new message
            phone = unseal(details.get("phone"), self.secret_key)
            turn.phone = phone if phone is not None else turn.phone
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
            return Kept(turn, incoming, row.body)

    def is_kept(self, inbound_id: int) -> bool:
        with self.session_factory() as session:
            row = session.get(InboundMessage, inbound_id)
            return row is not None and row.status == InboundStatus.QUEUED.value

    def has_waiting(self, contact_id: int) -> bool:
        with self.session_factory() as session:
            return _waiting_row(session, contact_id, (InboundStatus.WAITING.value,)) is not None

    def keep(self, inbound_id: int, resolved: str, flooded: bool = False) -> None:
        """Kept for later (Rasa away, flood), with the text it stands for."""
        with self.session_factory.begin() as session:
            row = session.get(InboundMessage, inbound_id)
            if row is not None:
                row.status = InboundStatus.QUEUED.value
                row.resolved = resolved
                if flooded:  # a new dict: the JSON column does not track changes in place
                    row.details = {**(row.details or {}), "flooded": True}

    # -- the lease, with what waits for it --------------------------------------------------

    def lease_if_waiting(self, contact_id: int, kept_too: bool = False) -> str | None:
        """The sender's lease, if a message waits for it (or, with kept_too, is kept) and no
        other process holds it."""
        statuses = (*WAITING_STATUSES, *ANSWERABLE) if kept_too else (InboundStatus.WAITING.value,)
        with self.session_factory.begin() as session:
            if _waiting_row(session, contact_id, statuses) is None:
                return None
            return leases.take(session, contact_id)

    def release(self, contact_id: int, lease: str | None) -> bool:
        """Gives the sender back; True when a message is waiting for whoever takes it next."""
        if lease is None:
            return False
        with self.session_factory.begin() as session:
            leases.release(session, contact_id, lease)
            return _waiting_row(session, contact_id, (InboundStatus.WAITING.value,)) is not None

    # -- the answer -------------------------------------------------------------------------

    def finish(self, inbound_id: int) -> None:
        with self.session_factory.begin() as session:
            _finish(session, inbound_id)

    def set_opt_out(self, contact_id: int, opted_out: bool) -> None:
        with self.session_factory.begin() as session:
            contact = session.get(Contact, contact_id)
            if contact is not None and contact.opted_out != opted_out:
                contact.opted_out = opted_out
                contact.opted_out_at = utcnow() if opted_out else None

    def record_replies(
        self, turn: Turn, outgoing: list[Outgoing], finish: bool = True
    ) -> list[Outgoing]:
        with self.session_factory.begin() as session:
            for message in outgoing:
                record(session, message, turn.inbound_id)
            if finish:
                _finish(session, turn.inbound_id)
        return outgoing

    def show_page(self, turn: Turn, outgoing: list[Outgoing]) -> list[Outgoing]:
        """The first page left is being sent: the next MORE shows the one after it."""
        with self.session_factory.begin() as session:
            contact = session.get(Contact, turn.contact_id)
            if contact is not None:
                contact.pages_left = list(contact.pages_left or [])[1:]
            for message in outgoing:
                record(session, message, turn.inbound_id)
            _finish(session, turn.inbound_id)
        return outgoing

    def conclude(
        self,
        turn: Turn,
        language: LanguageDecision,
        menu: list[str],
        pages_left: list[str],
        outgoing: list[Outgoing],
        asked: Question | None = None,
    ) -> list[Outgoing]:
        """A conversation's answer: recorded, with what the next message may refer to (`asked`:
        the question it leaves pending, if it changes)."""
        with self.session_factory.begin() as session:
            contact = session.get(Contact, turn.contact_id)
            if contact is not None:
                contact.language = language.language
                contact.language_source = language.source.value
                contact.last_menu = menu
                contact.pages_left = pages_left
                if asked is not None:
                    contact.pending_question = asked.value
            for message in outgoing:
                record(session, message, turn.inbound_id)
            _finish(session, turn.inbound_id)
        return outgoing


def ask(session: Session, channel: str, address: str, question: Question) -> None:
    """A message sent first to this contact asks `question`: their next reply word answers it.
    No contact yet means nothing was asked here before: no row is needed for that."""
    session.execute(
        update(Contact)
        .where(Contact.channel == channel, Contact.address == address)
        .values(pending_question=question.value)
        .execution_options(synchronize_session=False)
    )


def _arrived_before(row: InboundMessage) -> ColumnElement[bool]:
    return or_(
        InboundMessage.received_at < row.received_at,
        (InboundMessage.received_at == row.received_at) & (InboundMessage.id < row.id),
    )


def _finish(session: Session, inbound_id: int) -> None:
    row = session.get(InboundMessage, inbound_id)
    if row is not None:
        row.status = InboundStatus.DONE.value
        row.processed_at = utcnow()


def _waiting_row(session: Session, contact_id: int, statuses: tuple[str, ...]) -> int | None:
    return session.scalar(
        select(InboundMessage.id)
        .where(InboundMessage.contact_id == contact_id, InboundMessage.status.in_(statuses))
        .limit(1)
    )
