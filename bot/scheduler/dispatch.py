"""Sending the outbox, exactly once.

1. In one committed transaction the row is checked (still true? opted out? quiet hours?) and
   claimed: status 'sending' with a fresh attempt id.
2. The provider is called, outside any transaction.
3. In another transaction the row becomes 'sent' with the provider's id, and the engine is told
   (offer notified, reminder sent).

A crash between 2 and 3 leaves a 'sending' row. Recovery never resends it blindly: it asks the
provider whether that message went out after the claim and records it if so; only a message the
provider never saw goes back to 'pending'.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.booking.models import Booking, BookingStatus, OfferStatus, WaitlistOffer
from bot.booking.proof import proof_pdf_for_phone
from bot.channels import phone_link
from bot.channels.inbox import ask
from bot.channels.masking import mask
from bot.channels.models import Channel
from bot.channels.outbound import shaped_for
from bot.scheduler.models import DeadlineSubscription, MessageKind, ScheduledMessage, SendStatus
from bot.scheduler.notifier import (
    CannotTell,
    Envelope,
    Notifier,
    Receipt,
    SendFailed,
    Suppressed,
    Unreachable,
)
from bot.scheduler.quiet import may_send
from bot.scheduler.recipients import Recipient, silenced
from bot.words import Question

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=5)


@dataclass
class DispatchReport:
    sent: int = 0
    skipped: int = 0
    suppressed: int = 0
    deferred: int = 0
    failed: int = 0
    recovered_sent: int = 0
    recovered_pending: int = 0
    uncertain: int = 0


def still_relevant(session: Session, row: ScheduledMessage, now: datetime) -> bool:
    """Whether the message still says something true when its turn comes."""
    kind = MessageKind(row.kind)
    if kind is MessageKind.REMINDER:
        booking = session.get(Booking, row.ref_id)
        return (
            booking is not None
            and booking.status == BookingStatus.BOOKED
            and row.key == f"reminder:{booking.id}:{booking.slot_id}"
            and booking.slot.starts_at > now
        )
    if kind in (MessageKind.OFFER, MessageKind.OFFER_REMINDER):
        offer = session.get(WaitlistOffer, row.ref_id)
        return offer is not None and offer.status == OfferStatus.PENDING and offer.expires_at > now
    if kind in (MessageKind.DEADLINE_OPEN, MessageKind.DEADLINE_CLOSE):
        sub = session.get(DeadlineSubscription, row.ref_id)
        return sub is not None and sub.cancelled_at is None
    return True


# What a message sent first asks: the person's next reply word answers it (bot.channels.turn).
QUESTIONS = {
    MessageKind.OFFER: Question.OFFER,
    MessageKind.OFFER_REMINDER: Question.OFFER,
    MessageKind.REMINDER: Question.REMINDER,
}


def mark_offer_notified(session: Session, offer_id: int, *, now: datetime) -> None:
    session.execute(
        update(WaitlistOffer)
        .where(WaitlistOffer.id == offer_id, WaitlistOffer.notified_at.is_(None))
        .values(notified_at=now)
    )


def after_sent(session: Session, row: ScheduledMessage, now: datetime) -> None:
    """Tells the engine and the channels what the person now knows."""
    kind = MessageKind(row.kind)
    question = QUESTIONS.get(kind)
    if question is not None:
        ask(session, row.channel, row.address, question)
    if kind is MessageKind.OFFER and row.ref_id is not None:
        mark_offer_notified(session, row.ref_id, now=now)
    elif kind is MessageKind.REMINDER:
        session.execute(
            update(Booking)
            .where(Booking.id == row.ref_id, Booking.reminder_sent_at.is_(None))
            .values(reminder_sent_at=now)
        )


class Dispatcher:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        notifier: Notifier,
        clock: Callable[[], datetime],
    ) -> None:
        self.session_factory = session_factory
        self.notifier = notifier
        self.clock = clock

    def envelope(self, row: ScheduledMessage) -> Envelope:
        document = filename = None
        if row.kind == MessageKind.PROOF_PDF.value and row.phone:
            with self.session_factory() as session:
                document = proof_pdf_for_phone(session, row.phone, now=row.created_at)
            filename = "recherches-sans-creneau.pdf"
        return Envelope(row.key, row.channel, row.address, row.body, document, filename)

    # -- step 1: check and claim ----------------------------------------------------------

    def _claim(self, row_id: int, report: DispatchReport) -> ScheduledMessage | None:
        now = self.clock()
        with self.session_factory.begin() as session:
            row = session.get(ScheduledMessage, row_id)
            if row is None or row.status != SendStatus.PENDING.value:
                return None
            if not still_relevant(session, row, now):
                row.status = SendStatus.SKIPPED.value
                report.skipped += 1
                return None
            if silenced(session, Recipient(row.channel, row.address, row.phone or row.address)):
                row.status = SendStatus.SUPPRESSED.value
                report.suppressed += 1
                return None
            if not may_send(now, row.latest_at):
                report.deferred += 1
                return None
            claimed = session.execute(
                update(ScheduledMessage)
                .where(
                    ScheduledMessage.id == row_id,
                    ScheduledMessage.status == SendStatus.PENDING.value,
                    # Not postponed since this pass began (a flood wait: _wait_channel).
                    ScheduledMessage.due_at <= now,
                )
                .values(
                    status=SendStatus.SENDING.value,
                    attempt_id=uuid.uuid4().hex,
                    attempts=ScheduledMessage.attempts + 1,
                    claimed_at=now,
                )
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
            if claimed != 1:
                return None  # another worker claimed it, or it was postponed, since our read
            session.refresh(row)
            return row

    # -- step 3: record -------------------------------------------------------------------

    def _record(self, row_id: int, attempt_id: str | None, receipt: Receipt) -> None:
        now = self.clock()
        with self.session_factory.begin() as session:
            row = session.get(ScheduledMessage, row_id)
            if row is None or row.attempt_id != attempt_id:
                return
            row.status = SendStatus.SENT.value
            row.sent_at = now
            row.provider_id = receipt.provider_id
            after_sent(session, row, now)

    def _set(
        self, row_id: int, status: SendStatus, error: str | None = None, **values: object
    ) -> None:
        with self.session_factory.begin() as session:
            session.execute(
                update(ScheduledMessage)
                .where(ScheduledMessage.id == row_id)
                .values(status=status.value, error=error, **values)
            )

    def _failed(
        self,
        row: ScheduledMessage,
        code: str,
        report: DispatchReport,
        retry_after: timedelta | None = None,
    ) -> None:
        report.failed += 1
        log.warning("%s to %s failed: %s", row.kind, mask(row.address), code)
        if row.attempts >= MAX_ATTEMPTS:
            self._set(row.id, SendStatus.FAILED, code[:64])
        else:
            # The provider refused it, so it certainly did not go out: a later retry is safe,
            # not before the provider said (Telegram's 429 retry_after).
            wait = max(RETRY_AFTER, retry_after or RETRY_AFTER)
            self._set(row.id, SendStatus.PENDING, code[:64], due_at=self.clock() + wait)
        if retry_after is not None:
            self._wait_channel(row.channel, self.clock() + retry_after)

    def _wait_channel(self, channel: str, until: datetime) -> None:
        """A provider's flood wait holds for the whole bot, not one message: every message due
        on that channel before it ends waits too, without an attempt counted. Sent in the same
        pass, each earned its own 429, and Telegram lengthens the wait of a bot that insists."""
        with self.session_factory.begin() as session:
            session.execute(
                update(ScheduledMessage)
                .where(
                    ScheduledMessage.channel == channel,
                    ScheduledMessage.status == SendStatus.PENDING.value,
                    ScheduledMessage.due_at < until,
                )
                .values(due_at=until)
                .execution_options(synchronize_session=False)
            )

    def _unreachable(self, row: ScheduledMessage, code: str, report: DispatchReport) -> None:
        """A Telegram chat that blocked the bot: retried there, the reminder or the offer was
        lost after five tries, and every later one went to the same dead chat (a failing-machine
        test, session 23). The chat is unlinked and what waits for it goes by SMS to the
        phone, now; a PDF, which SMS cannot carry, fails."""
        report.failed += 1
        log.warning("%s to %s: chat unreachable, sent by SMS", row.kind, mask(row.address))
        with self.session_factory.begin() as session:
            phone_link.forget(session, row.channel, row.address)
            waiting = session.scalars(
                select(ScheduledMessage).where(
                    ScheduledMessage.channel == row.channel,
                    ScheduledMessage.address == row.address,
                    ScheduledMessage.status.in_(
                        (SendStatus.PENDING.value, SendStatus.SENDING.value)
                    ),
                )
            ).all()
            for message in waiting:
                if message.id != row.id and message.status != SendStatus.PENDING.value:
                    continue  # another worker is sending it
                if message.phone is None or message.kind == MessageKind.PROOF_PDF.value:
                    message.status, message.error = SendStatus.FAILED.value, code
                    continue
                message.channel = Channel.SMS.value
                message.address = message.phone
                message.body = shaped_for(Channel.SMS.value, message.body, message.language)
                message.status, message.error = SendStatus.PENDING.value, code
                if message.id == row.id:
                    message.due_at = self.clock()  # the others keep their own time

    # -- the loop steps -------------------------------------------------------------------

    def dispatch_due(self, limit: int = 100) -> DispatchReport:
        report = DispatchReport()
        now = self.clock()
        with self.session_factory() as session:
            due = session.scalars(
                select(ScheduledMessage.id)
                .where(
                    ScheduledMessage.status == SendStatus.PENDING.value,
                    ScheduledMessage.due_at <= now,
                )
                .order_by(ScheduledMessage.due_at, ScheduledMessage.id)
                .limit(limit)
            ).all()
        for row_id in due:
            row = self._claim(row_id, report)
            if row is None:
                continue
            try:
                receipt = self.notifier.send(self.envelope(row))
            except Suppressed:
                self._set(row.id, SendStatus.SUPPRESSED)
                report.suppressed += 1
                continue
            except SendFailed as exc:
                self._failed(row, exc.code, report, exc.retry_after)
                continue
            except Unreachable as exc:
                self._unreachable(row, exc.code, report)
                continue
            self._record(row.id, row.attempt_id, receipt)
            report.sent += 1
        return report

    def recover(self, *, stale_after: timedelta) -> DispatchReport:
        """Settles rows left 'sending' by a worker that died mid-send (claimed before
        now − stale_after), by asking the provider rather than sending again."""
        report = DispatchReport()
        cutoff = self.clock() - stale_after
        with self.session_factory() as session:
            stuck = session.scalars(
                select(ScheduledMessage).where(
                    ScheduledMessage.status == SendStatus.SENDING.value,
                    ScheduledMessage.claimed_at <= cutoff,
                )
            ).all()
        for row in stuck:
            assert row.claimed_at is not None
            try:
                receipt = self.notifier.find_sent(self.envelope(row), row.claimed_at)
            except CannotTell:
                self._set(row.id, SendStatus.UNCERTAIN, "provider_cannot_tell")
                report.uncertain += 1
                log.warning(
                    "%s to %s: outcome unknown after a crash, not resent",
                    row.key,
                    mask(row.address),
                )
                continue
            if receipt is not None:
                self._record(row.id, row.attempt_id, receipt)
                report.recovered_sent += 1
            else:
                self._set(row.id, SendStatus.PENDING)
                report.recovered_pending += 1
        return report
