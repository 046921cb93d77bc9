"""Reports: the figures of the admin dashboard and the day's convocations at the counter."""

from __future__ import annotations

import statistics
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.booking.models import Booking, BookingStatus, Slot, WaitlistEntry, WaitlistStatus
from bot.booking.rules import get_site
from bot.booking.schemas import StatsOut


def convocations(session: Session, site_code: str, day: date) -> list[Booking]:
    """The day's active bookings at a site, in order: the agent's list at the counter."""
    site = get_site(session, site_code)
    tz = ZoneInfo(site.timezone)
    start = datetime.combine(day, time.min, tzinfo=tz)
    return list(
        session.scalars(
            select(Booking)
            .join(Slot, Booking.slot_id == Slot.id)
            .where(
                Slot.site_code == site.code,
                Slot.starts_at >= start,
                Slot.starts_at < start + timedelta(days=1),
                Booking.status.in_(
                    (BookingStatus.BOOKED, BookingStatus.HONOURED, BookingStatus.NO_SHOW)
                ),
            )
            .order_by(Slot.starts_at, Booking.id)
        )
    )


def stats(session: Session, *, now: datetime, site_code: str | None = None) -> StatsOut:
    bookings = select(Booking.status, Booking.created_at, Slot.published_at).join(
        Slot, Booking.slot_id == Slot.id
    )
    slots = select(
        func.count(Slot.id), func.coalesce(func.sum(Slot.capacity - Slot.places_taken), 0)
    )
    waiting = select(func.count(WaitlistEntry.id)).where(
        WaitlistEntry.status.in_((WaitlistStatus.WAITING, WaitlistStatus.OFFERED))
    )
    if site_code:
        bookings = bookings.where(Slot.site_code == site_code)
        slots = slots.where(Slot.site_code == site_code)
        waiting = waiting.where(WaitlistEntry.site_code == site_code)
    rows = session.execute(bookings).all()
    delays = [(created - published).total_seconds() / 86400 for _, created, published in rows]
    honoured = sum(1 for status, _, _ in rows if status == BookingStatus.HONOURED)
    no_show = sum(1 for status, _, _ in rows if status == BookingStatus.NO_SHOW)
    slot_count, free = session.execute(slots.where(Slot.starts_at > now)).one()
    return StatsOut(
        bookings_active=sum(1 for status, _, _ in rows if status == BookingStatus.BOOKED),
        bookings_total=len(rows),
        publication_to_booking_days_median=round(statistics.median(delays), 2) if delays else None,
        no_show_rate=round(no_show / (honoured + no_show), 3) if honoured + no_show else None,
        waitlist_length=int(session.scalar(waiting) or 0),
        slots_published=int(slot_count),
        places_free=int(free),
    )
