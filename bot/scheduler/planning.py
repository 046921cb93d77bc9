"""What should be sent, written into the outbox. Planning is repeatable: each message has an
idempotency key, and a second plan of the same message inserts nothing (ON CONFLICT DO NOTHING).
Bodies are rendered at planning time, in the applicant's language and channel form, so the text
that is sent and the text that a crash recovery looks for at the provider are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.booking.codes import display_code
from bot.booking.models import (
    Applicant,
    Booking,
    BookingStatus,
    OfferStatus,
    Slot,
    WaitlistOffer,
)
from bot.booking.releases import released_since
from bot.catalogue import get_catalogue
from bot.channels.outbound import shaped_for
from bot.deadlines import NoDeadline, assess
from bot.formatting import format_date, format_time, format_when
from bot.i18n import translate
from bot.scheduler import messages
from bot.scheduler.models import DeadlineSubscription, MessageKind, ScheduledMessage, SendStatus
from bot.scheduler.recipients import recipient_for
from bot.timezone import PARIS

OFFER_REMINDER_BEFORE = timedelta(hours=2)
# A release is told within the worker's next tick; a worker down longer than this has more
# urgent news to send than a week-old one.
RELEASE_NOTICE_WITHIN = timedelta(days=7)
DEADLINE_HOUR = 10  # deadline alerts go out at 10h, Paris time, on their day


@dataclass(frozen=True)
class PlanReport:
    reminders: int = 0
    offers: int = 0
    offer_reminders: int = 0
    deadline_alerts: int = 0
    release_notices: int = 0

    @property
    def total(self) -> int:
        return (
            self.reminders
            + self.offers
            + self.offer_reminders
            + self.deadline_alerts
            + self.release_notices
        )


def enqueue(
    session: Session,
    *,
    key: str,
    kind: MessageKind,
    ref_id: int | None,
    phone: str,
    language: str,
    text: str,
    due_at: datetime,
    now: datetime,
    latest_at: datetime | None = None,
) -> bool:
    """Adds one message to the outbox; False when a message with this key already exists."""
    recipient = recipient_for(session, phone)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    row = session.execute(
        insert(ScheduledMessage)
        .values(
            key=key,
            kind=kind.value,
            ref_id=ref_id,
            channel=recipient.channel,
            address=recipient.address,
            phone=phone,
            language=language,
            body=shaped_for(recipient.channel, text, language),
            due_at=due_at,
            latest_at=latest_at,
            status=SendStatus.PENDING.value,
            attempts=0,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(ScheduledMessage.id)
    ).first()
    return row is not None


def reminder_key(booking: Booking) -> str:
    # The slot is part of the key: a rescheduled booking is reminded of its new date.
    return f"reminder:{booking.id}:{booking.slot_id}"


def reminder_text(booking: Booking, lang: str) -> str:
    slot = booking.slot
    text = translate(
        messages.REMINDER,
        lang,
        when=format_when(slot.starts_at, lang),
        site=slot.site.name,
        address=slot.site.address,
        code=display_code(booking.code),
    )
    documents = get_catalogue().documents
    bring = [documents[c].label(lang) for c in (booking.bring or "").split(",") if c in documents]
    if not bring:
        return text
    return f"{text}\n{translate(messages.REMINDER_BRING, lang, documents=', '.join(bring))}"


# The scheduler's own bookkeeping on the engine's rows (`reminder_sent_at`, `notified_at`):
# what is still to tell is a question of planning, not a booking rule.
def bookings_due_for_reminder(
    session: Session, *, now: datetime, ahead: timedelta
) -> list[Booking]:
    """Active bookings starting within `ahead` whose reminder has not gone out (for the scheduler)."""
    return list(
        session.scalars(
            select(Booking)
            .join(Slot, Booking.slot_id == Slot.id)
            .where(
                Booking.status == BookingStatus.BOOKED,
                Booking.reminder_sent_at.is_(None),
                Slot.starts_at > now,
                Slot.starts_at <= now + ahead,
            )
            .order_by(Slot.starts_at)
        )
    )


def offers_to_notify(session: Session, *, limit: int = 100) -> list[WaitlistOffer]:
    """Pending offers nobody has told the applicant about yet (for the scheduler)."""
    return list(
        session.scalars(
            select(WaitlistOffer)
            .where(WaitlistOffer.status == OfferStatus.PENDING, WaitlistOffer.notified_at.is_(None))
            .order_by(WaitlistOffer.offered_at)
            .limit(limit)
        )
    )


def _planned_keys(session: Session, kind: MessageKind, bookings: Sequence[Booking]) -> set[str]:
    """The keys of `kind` already in the outbox for these bookings (waiting for the morning, or
    sent and not yet marked): rendering is the costly part, so they are skipped before it."""
    if not bookings:
        return set()
    return set(
        session.scalars(
            select(ScheduledMessage.key).where(
                ScheduledMessage.kind == kind.value,
                ScheduledMessage.ref_id.in_([b.id for b in bookings]),
            )
        )
    )


def _tell_booker(
    session: Session,
    booking: Booking,
    kind: MessageKind,
    key: str,
    render: Callable[[Booking, str], str],
    now: datetime,
    latest_at: datetime | None = None,
) -> bool:
    """One message about a booking to the phone that holds it, in its language, sent now."""
    lang = booking.applicant.language
    return enqueue(
        session,
        key=key,
        kind=kind,
        ref_id=booking.id,
        phone=booking.applicant.phone,
        language=lang,
        text=render(booking, lang),
        due_at=now,
        now=now,
        latest_at=latest_at,
    )


def plan_reminders(session: Session, *, now: datetime, ahead: timedelta) -> int:
    """One reminder per booking `ahead` before it; a booking made inside that window already
    got its convocation minutes ago and is not reminded again."""
    due = bookings_due_for_reminder(session, now=now, ahead=ahead)
    known = _planned_keys(session, MessageKind.REMINDER, due)
    return sum(
        _tell_booker(
            session,
            booking,
            MessageKind.REMINDER,
            reminder_key(booking),
            reminder_text,
            now,
            latest_at=booking.slot.starts_at,
        )
        for booking in due
        if booking.created_at <= booking.slot.starts_at - ahead
        and reminder_key(booking) not in known
    )


def deadline_words(expires_at: datetime, now: datetime, lang: str) -> str:
    """'18 h 00' the same day, 'mardi 14 janvier à 18 h 00' otherwise."""
    if expires_at.astimezone(PARIS).date() == now.astimezone(PARIS).date():
        return format_time(expires_at, lang)
    return format_when(expires_at, lang)


def offer_text(offer: WaitlistOffer, msgid: str, lang: str, now: datetime) -> str:
    return translate(
        msgid,
        lang,
        date=format_when(offer.slot.starts_at, lang),
        site=offer.slot.site.name,
        deadline=deadline_words(offer.expires_at, now, lang),
    )


def _enqueue_offer(
    session: Session, offer: WaitlistOffer, kind: MessageKind, template: str, *, now: datetime
) -> int:
    """One message about a pending offer, useless once the offer has expired."""
    applicant = offer.entry.applicant
    return enqueue(
        session,
        key=f"{kind.value}:{offer.id}",
        kind=kind,
        ref_id=offer.id,
        phone=applicant.phone,
        language=applicant.language,
        text=offer_text(offer, template, applicant.language, now),
        due_at=now,
        now=now,
        latest_at=offer.expires_at,
    )


def plan_offers(session: Session, *, now: datetime) -> tuple[int, int]:
    """The offer itself at once; a second word 2 h before it expires (if the hold is longer)."""
    offers = sum(
        _enqueue_offer(session, offer, MessageKind.OFFER, messages.OFFER, now=now)
        for offer in offers_to_notify(session)
    )
    closing = session.scalars(
        select(WaitlistOffer).where(
            WaitlistOffer.status == OfferStatus.PENDING,
            WaitlistOffer.notified_at.is_not(None),
            WaitlistOffer.expires_at > now,
            WaitlistOffer.expires_at <= now + OFFER_REMINDER_BEFORE,
        )
    ).all()
    reminders = sum(
        _enqueue_offer(session, offer, MessageKind.OFFER_REMINDER, messages.OFFER_REMINDER, now=now)
        for offer in closing
        # Told less than 2 h before the end: the offer itself was the reminder.
        if not (
            offer.notified_at is not None
            and offer.notified_at > offer.expires_at - OFFER_REMINDER_BEFORE
        )
    )
    return offers, reminders


def subscribe_deadline(
    session: Session,
    phone: str,
    demarche_code: str,
    expiry: date,
    *,
    language: str,
    now: datetime,
) -> DeadlineSubscription:
    """Records the person's agreement to be told when to apply (raises NoDeadline if the
    démarche has no filing window)."""
    assess(expiry, demarche_code, now.astimezone(PARIS).date())
    existing = session.scalars(
        select(DeadlineSubscription).where(
            DeadlineSubscription.phone == phone,
            DeadlineSubscription.demarche_code == demarche_code,
            DeadlineSubscription.expiry == expiry,
        )
    ).one_or_none()
    if existing is not None:
        existing.cancelled_at = None
        existing.language = language
        return existing
    row = DeadlineSubscription(
        phone=phone, demarche_code=demarche_code, expiry=expiry, language=language, consented_at=now
    )
    session.add(row)
    session.flush()
    return row


def _has_active_booking(session: Session, phone: str, demarche_code: str) -> bool:
    return (
        session.scalar(
            select(Booking.id)
            .join(Applicant)
            .where(
                Applicant.phone == phone,
                Booking.demarche_code == demarche_code,
                Booking.status == BookingStatus.BOOKED,
            )
            .limit(1)
        )
        is not None
    )


def plan_deadline_alerts(session: Session, *, now: datetime) -> int:
    today = now.astimezone(PARIS).date()
    planned = 0
    subscriptions = session.scalars(
        select(DeadlineSubscription).where(DeadlineSubscription.cancelled_at.is_(None))
    ).all()
    for sub in subscriptions:
        try:
            rule = assess(sub.expiry, sub.demarche_code, today)
        except (NoDeadline, KeyError):
            continue
        if not rule.window_opens <= today <= rule.window_closes:
            continue
        if _has_active_booking(session, sub.phone, sub.demarche_code):
            continue
        closing = today >= rule.closing_alert_on
        if not closing and sub.consented_at.astimezone(PARIS).date() >= rule.window_opens:
            continue  # agreed inside the window: the conversation already said it is open
        kind = MessageKind.DEADLINE_CLOSE if closing else MessageKind.DEADLINE_OPEN
        msgid = messages.DEADLINE_CLOSE if closing else messages.DEADLINE_OPEN
        text = translate(
            msgid,
            sub.language,
            expiry=format_date(sub.expiry, sub.language),
            closes=format_date(rule.window_closes, sub.language),
        )
        due = max(now, datetime.combine(today, time(DEADLINE_HOUR), tzinfo=PARIS))
        planned += enqueue(
            session,
            key=f"{kind.value}:{sub.id}:{sub.expiry.isoformat()}",
            kind=kind,
            ref_id=sub.id,
            phone=sub.phone,
            language=sub.language,
            text=text,
            due_at=due,
            now=now,
        )
    return planned


def release_notice_key(booking: Booking) -> str:
    return f"{MessageKind.NUMERO_RELEASED.value}:{booking.id}"


def release_notice_text(booking: Booking, lang: str) -> str:
    return translate(
        messages.NUMERO_RELEASED,
        lang,
        when=format_when(booking.slot.starts_at, lang),
        code=display_code(booking.code),
    )


def plan_release_notices(session: Session, *, now: datetime) -> int:
    """Tells each phone whose booking was released under a numéro étranger why, once, in its
    language (the key holds it to one message however often the release is posted or planned)."""
    released = released_since(session, now - RELEASE_NOTICE_WITHIN)
    known = _planned_keys(session, MessageKind.NUMERO_RELEASED, released)
    return sum(
        _tell_booker(
            session,
            booking,
            MessageKind.NUMERO_RELEASED,
            release_notice_key(booking),
            release_notice_text,
            now,
        )
        for booking in released
        if release_notice_key(booking) not in known
    )


def plan_all(session: Session, *, now: datetime, reminder_ahead: timedelta) -> PlanReport:
    offers, offer_reminders = plan_offers(session, now=now)
    return PlanReport(
        reminders=plan_reminders(session, now=now, ahead=reminder_ahead),
        offers=offers,
        offer_reminders=offer_reminders,
        deadline_alerts=plan_deadline_alerts(session, now=now),
        release_notices=plan_release_notices(session, now=now),
    )
