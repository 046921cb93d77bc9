"""Answers to the messages the assistant sent first, understood from the reply word alone: OUI/NON
to a waitlist offer, ANNULER and DOCS after a reminder, PREUVE at any time. The sender is known by
their phone (SMS) or the phone their Telegram chat is linked to; nothing else is needed. Which
reply words come here is decided by bot.channels.turn.route (the question last asked).

`answer` returns None when there is nothing the word could refer to (a bare "oui" with no
pending offer belongs to the conversation, i.e. to Rasa).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.booking import bookings, offers
from bot.booking.codes import display_code
from bot.booking.config import EngineConfig
from bot.booking.errors import BookingError
from bot.booking.models import Applicant, Booking, BookingStatus, Slot
from bot.booking.proof import ProofJournal, journal
from bot.catalogue import get_catalogue
from bot.channels.models import Channel
from bot.channels.phone_link import phone_of
from bot.channels.turn import Turn
from bot.formatting import format_date, format_when, isolate_ltr
from bot.i18n import normalise_language, translate, translate_plural
from bot.scheduler import messages
from bot.scheduler.models import MessageKind
from bot.scheduler.planning import enqueue
from bot.words import Word


@dataclass(frozen=True)
class ReplyContext:
    channel: str
    address: str
    phone: str | None
    language: str


def _answer_offer(
    session: Session, config: EngineConfig, phone: str, accept: bool, lang: str, now: datetime
) -> list[str] | None:
    pending = [o for o in offers.offers_of(session, phone) if o.expires_at > now]
    if not pending:
        return None
    offer = pending[0]  # the one that expires first is the one the person was last asked about
    try:
        if not accept:
            offers.decline(session, config, offer.id, phone, now=now)
            return [translate(messages.OFFER_DECLINED, lang)]
        booking = offers.accept(session, config, offer.id, phone, now=now)
    except BookingError as refusal:
        if refusal.code in ("offer_expired", "offer_closed"):
            return [translate(messages.OFFER_GONE, lang)]
        return [refusal.message(lang)]
    return [
        translate(
            messages.OFFER_ACCEPTED,
            lang,
            when=format_when(booking.slot.starts_at, lang),
            site=booking.slot.site.name,
            code=display_code(booking.code),
        )
    ]


def _reminded_booking(session: Session, phone: str, now: datetime) -> Booking | None:
    """The booking a bare ANNULER or DOCS refers to: the one last reminded, else the only one."""
    active = list(
        session.scalars(
            select(Booking)
            .join(Applicant)
            .join(Slot, Booking.slot_id == Slot.id)
            .where(
                Applicant.phone == phone,
                Booking.status == BookingStatus.BOOKED,
                Slot.starts_at > now,
            )
            .order_by(Booking.reminder_sent_at.desc().nulls_last(), Slot.starts_at)
        )
    )
    if not active:
        return None
    if active[0].reminder_sent_at is not None or len(active) == 1:
        return active[0]
    return None


def _cancel(
    session: Session, config: EngineConfig, phone: str, lang: str, now: datetime
) -> list[str] | None:
    booking = _reminded_booking(session, phone, now)
    if booking is None:
        return None
    when = format_when(booking.slot.starts_at, lang)
    try:
        bookings.cancel(session, config, booking.code, phone=phone, now=now)
    except BookingError as refusal:
        return [refusal.message(lang)]
    return [translate(messages.CANCELLED, lang, when=when, code=display_code(booking.code))]


def _documents(session: Session, phone: str, lang: str, now: datetime) -> list[str] | None:
    booking = _reminded_booking(session, phone, now)
    if booking is None:
        return None
    from bot.catalogue import get_catalogue

    demarche = get_catalogue().demarches.get(booking.demarche_code)
    if demarche is None:
        return None
    lines = [
        translate(messages.DOCUMENTS_HEADER, lang, when=format_when(booking.slot.starts_at, lang))
    ]
    for requirement in demarche.documents:
        lines.append(f"- {requirement.document.label(lang)}")
    return ["\n".join(lines)]


def proof_text(proof: ProofJournal, lang: str) -> str:
    """Count and dates, whether they span weeks, what a judge can do with them, then each
    search with what was asked (the channel pages it)."""
    if not proof.entries:
        return translate(messages.PROOF_NONE, lang)
    legal = get_catalogue().legal
    summary = translate_plural(
        messages.PROOF_SUMMARY,
        proof.count,
        lang,
        first=format_date(proof.entries[0].checked_at, lang),
        last=format_date(proof.entries[-1].checked_at, lang),
    )
    weeks = translate_plural(
        messages.PROOF_WEEKS,
        proof.weeks,
        lang,
        decision=isolate_ltr(legal["attempts_over_weeks"].reference, lang),
    )
    refere = translate(
        messages.PROOF_REFERE,
        lang,
        article=isolate_ltr(legal["refere_mesures_utiles"].reference, lang),
    )
    lines = [
        translate(
            messages.PROOF_LINE,
            lang,
            number=index,
            when=format_when(entry.checked_at, lang),
            demarche=entry.demarche,
            site=entry.site,
            days=translate(
                messages.PROOF_DAYS.get(entry.part_of_day, messages.PROOF_DAYS[None]),
                lang,
                first=format_date(entry.date_from, lang),
                last=format_date(entry.date_to, lang),
            ),
        )
        for index, entry in enumerate(proof.entries, start=1)
    ]
    # The searches first (a page is one SMS; the court wants them), what they prove after.
    return "\n".join([summary, *lines, weeks, refere])


def _proof(session: Session, context: ReplyContext, phone: str, now: datetime) -> list[str]:
    proof = journal(session, phone)
    if context.channel == Channel.TELEGRAM.value and proof.entries:
        # The PDF goes through the outbox like any message sent first (once, recorded).
        enqueue(
            session,
            key=f"proof-pdf:{context.channel}:{context.address}:{now:%Y%m%dT%H%M%S}",
            kind=MessageKind.PROOF_PDF,
            ref_id=None,
            phone=phone,
            language=context.language,
            text=translate(messages.PROOF_PDF_CAPTION, context.language),
            due_at=now,
            now=now,
        )
    return [proof_text(proof, context.language)]


def answer(
    session: Session, config: EngineConfig, context: ReplyContext, word: Word, *, now: datetime
) -> list[str] | None:
    phone = context.phone or phone_of(session, context.channel, context.address)
    if phone is None:
        return None
    lang = normalise_language(context.language)
    if word in (Word.YES, Word.NO):
        return _answer_offer(session, config, phone, word is Word.YES, lang, now)
    if word is Word.CANCEL:
        return _cancel(session, config, phone, lang, now)
    if word is Word.DOCS:
        return _documents(session, phone, lang, now)
    if word is Word.PROOF:
        return _proof(session, context, phone, now)
    return None


class QuickReplies:
    """The gateway's hook: called by the conversation with the turn and the reply word, before
    Rasa."""

    def __init__(
        self,
        session_factory: Callable[[], Session],
        config: EngineConfig,
        clock: Callable[[], datetime],
    ) -> None:
        self.session_factory = session_factory
        self.config = config
        self.clock = clock

    def __call__(self, turn: Turn, word: Word) -> list[str] | None:
        context = ReplyContext(turn.channel, turn.address, turn.phone, turn.language)
        with self.session_factory() as session:
            try:
                replies = answer(session, self.config, context, word, now=self.clock())
            except BookingError as refusal:
                session.rollback()
                return [refusal.message(context.language)]
            if replies is None:
                session.rollback()
            else:
                session.commit()
            return replies
