"""Looking for a free slot: which sites offer a démarche, and the search itself, every one
journaled as an AvailabilityCheck (the applicant's dated proof, see `proof.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.booking.applicants import get_or_create_applicant, phone_or_refuse
from bot.booking.errors import BookingError
from bot.booking.models import AvailabilityCheck, SiteDemarche, SiteRow, Slot
from bot.booking.rules import get_demarche, offered_at
from bot.dates import in_part_of_day

MAX_SEARCH_LIMIT = 50


def sites_for(session: Session, demarche_code: str) -> list[SiteRow]:
    get_demarche(session, demarche_code)
    return list(
        session.scalars(
            select(SiteRow)
            .join(SiteDemarche)
            .where(SiteDemarche.demarche_code == demarche_code)
            .order_by(SiteRow.code)
        )
    )


@dataclass(frozen=True)
class SearchRequest:
    demarche_code: str
    site_code: str
    date_from: date | None = None
    date_to: date | None = None
    part_of_day: str | None = None
    limit: int = 10
    phone: str | None = None
    language: str | None = None
    # Applicant-facing searches pass EngineConfig.min_lead: nothing starting sooner is offered.
    min_lead: timedelta = timedelta(0)


@dataclass(frozen=True)
class SearchResult:
    check: AvailabilityCheck
    slots: list[Slot]
    # When the asked days have none: the free slots closest to them, before and after.
    nearest: list[Slot] = field(default_factory=list)


def search(session: Session, request: SearchRequest, *, now: datetime) -> SearchResult:
    """Free slots, earliest first, within the démarche's horizon; every search is journaled as an
    AvailabilityCheck, the applicant's dated proof (even, above all, when nothing is found)."""
    demarche, site = offered_at(session, request.demarche_code, request.site_code)
    tz = ZoneInfo(site.timezone)
    today = now.astimezone(tz).date()
    horizon_end = today + timedelta(days=demarche.horizon_days)
    date_from = request.date_from or today
    date_to = request.date_to or horizon_end
    if date_to < date_from:
        raise BookingError("invalid_dates", detail="date_to < date_from")
    if date_to < today:
        raise BookingError("invalid_dates", detail="dates in the past")
    applicant = None
    if request.phone:
        applicant = get_or_create_applicant(
            session, phone_or_refuse(request.phone), now, request.language
        )
    earliest = now + request.min_lead
    latest = now + timedelta(days=demarche.horizon_days)
    start = max(datetime.combine(max(date_from, today), time.min, tzinfo=tz), earliest)
    end = min(datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz), latest)
    free = (
        Slot.demarche_code == demarche.code,
        Slot.site_code == site.code,
        Slot.places_taken < Slot.capacity,
    )
    candidates = session.scalars(
        select(Slot)
        .where(*free, Slot.starts_at > start, Slot.starts_at < end)
        .order_by(Slot.starts_at)
    ).all()
    matching = [
        s
        for s in candidates
        if in_part_of_day(s.starts_at.astimezone(tz).time(), request.part_of_day)
    ]
    check = AvailabilityCheck(
        applicant_id=applicant.id if applicant else None,
        demarche_code=demarche.code,
        site_code=site.code,
        checked_at=now,
        date_from=date_from,
        date_to=date_to,
        part_of_day=request.part_of_day,
        slots_found=len(matching),
        earliest_start=matching[0].starts_at if matching else None,
    )
    session.add(check)
    session.flush()
    limit = max(1, min(request.limit, MAX_SEARCH_LIMIT))
    nearest: list[Slot] = []
    if not matching and candidates:
        # None at that time of day, some on those days at another: "le matin" where the démarche
        # opens Tuesday afternoons went straight to the waitlist (session 25, dev conversation).
        nearest = list(candidates[:limit])
    elif not matching:
        before = session.scalars(
            select(Slot)
            .where(*free, Slot.starts_at > earliest, Slot.starts_at < start)
            .order_by(Slot.starts_at.desc())
            .limit(limit)
        ).all()
        after = session.scalars(
            select(Slot)
            .where(*free, Slot.starts_at >= max(end, earliest), Slot.starts_at < latest)
            .order_by(Slot.starts_at)
            .limit(limit)
        ).all()
        nearest = _closest(list(before), list(after), limit)
    return SearchResult(check=check, slots=matching[:limit], nearest=nearest)


def _closest(before: list[Slot], after: list[Slot], limit: int) -> list[Slot]:
    """Up to `limit` slots in time order: the last one before (the person may prefer earlier),
    then the first ones after, then more before when after runs short."""
    taken = before[:1] + after[: limit - min(1, len(before))]
    taken += before[1 : 1 + limit - len(taken)]
    return sorted(taken, key=lambda s: s.starts_at)
