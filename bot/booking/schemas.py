"""The booking API's JSON shapes (pydantic). Inputs are strict and bounded (a 10 kB string or
an unknown field is a 422, never a 500); outputs never carry a phone or numéro étranger in clear.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from bot.booking.codes import display_code
from bot.booking.identity import mask_phone
from bot.dates import PartOfDay

if TYPE_CHECKING:
    # Only the `of` constructors read these rows: the action server, which imports the shapes
    # through the booking client, never loads the ORM.
    from bot.booking.models import (
        AvailabilityCheck,
        Booking,
        SiteRow,
        Slot,
        WaitlistEntry,
        WaitlistOffer,
    )

DB_INT_MAX = 2**31 - 1

Phone = Field(
    min_length=3, max_length=32, description="E.164 or national format, e.g. 06 12 34 56 78"
)
Code = Field(min_length=1, max_length=32)
Ref = Field(default=None, min_length=1, max_length=64)
DemarcheCode = Field(min_length=1, max_length=64)
SiteCode = Field(min_length=1, max_length=32)
Id = Field(ge=1, le=DB_INT_MAX)
# A day a person or a préfecture may mean: beyond, date arithmetic (a horizon, a window, the
# next day) would overflow Python's calendar; 9999-12-31 is a 422, never a 500.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SearchIn(Strict):
    demarche: str = DemarcheCode
    site: str = SiteCode
    date_from: Day | None = None
    date_to: Day | None = None
    part_of_day: PartOfDay | None = None
    limit: int = Field(default=10, ge=1, le=50)
    phone: str | None = Field(default=None, min_length=3, max_length=32)
    language: str | None = Field(default=None, max_length=8)


class BookIn(Strict):
    slot_id: int = Id
    phone: str = Phone
    numero_etranger: str | None = Field(default=None, max_length=20)
    language: str | None = Field(default=None, max_length=8)
    mediator_ref: str | None = Ref
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=64)
    # Catalogue codes of documents missing at booking, to bring on the day (the reminder says).
    bring: list[Annotated[str, Field(pattern=r"^[a-z_]{1,40}$")]] = Field(
        default_factory=list, max_length=5
    )


class PhoneIn(Strict):
    phone: str = Phone


class OwnerIn(Strict):
    """The phone that booked, or the mediator who booked on the applicant's behalf."""

    phone: str | None = Field(default=None, min_length=3, max_length=32)
    mediator_ref: str | None = Ref


class RescheduleIn(OwnerIn):
    new_slot_id: int = Id


class WaitlistIn(Strict):
    phone: str = Phone
    demarche: str = DemarcheCode
    site: str = SiteCode
    not_before: Day | None = None
    not_after: Day | None = None
    part_of_day: PartOfDay | None = None
    rights_end: Day | None = Field(default=None, description="when the person's rights run out")
    numero_etranger: str | None = Field(default=None, max_length=20)
    language: str | None = Field(default=None, max_length=8)
    mediator_ref: str | None = Ref


class PublishIn(Strict):
    date_from: Day | None = None
    date_to: Day | None = None
    site: str | None = Field(default=None, max_length=32)
    demarche: str | None = Field(default=None, max_length=64)


class NumeroReleaseIn(Strict):
    """Staff who saw the titre or récépissé: the numéro on it and, when the owner gave it, their
    phone (their own bookings under the numéro are left alone; without it, all are released)."""

    numero_etranger: str = Field(min_length=1, max_length=20)
    owner_phone: str | None = Field(default=None, min_length=3, max_length=32)


class AttendanceIn(Strict):
    honoured: bool


class SiteOut(BaseModel):
    code: str
    name: str
    departement: str
    departement_name: str
    city: str
    address: str

    @classmethod
    def of(cls, site: SiteRow) -> SiteOut:
        return cls(
            code=site.code,
            name=site.name,
            departement=site.departement,
            departement_name=site.departement_name,
            city=site.city,
            address=site.address,
        )


class SlotOut(BaseModel):
    id: int
    site: str
    site_name: str
    demarche: str
    starts_at: datetime
    ends_at: datetime
    local_start: datetime = Field(description="start in the site's time zone (Europe/Paris)")
    places_left: int

    @classmethod
    def of(cls, slot: Slot) -> SlotOut:
        return cls(
            id=slot.id,
            site=slot.site_code,
            site_name=slot.site.name,
            demarche=slot.demarche_code,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            local_start=slot.starts_at.astimezone(ZoneInfo(slot.site.timezone)),
            places_left=slot.places_left,
        )


class SearchOut(BaseModel):
    check_id: int
    checked_at: datetime
    slots_found: int
    earliest_start: datetime | None
    slots: list[SlotOut]
    # Only when `slots` is empty: the free slots closest to the asked days, before and after.
    nearest: list[SlotOut] = []


class BookingOut(BaseModel):
    code: str
    display_code: str
    status: str
    demarche: str
    slot: SlotOut
    booked_by: str
    phone_masked: str
    created_at: datetime
    reschedule_count: int

    @classmethod
    def of(cls, booking: Booking) -> BookingOut:
        return cls(
            code=booking.code,
            display_code=display_code(booking.code),
            status=booking.status.value,
            demarche=booking.demarche_code,
            slot=SlotOut.of(booking.slot),
            booked_by=booking.booked_by.value,
            phone_masked=mask_phone(booking.applicant.phone),
            created_at=booking.created_at,
            reschedule_count=booking.reschedule_count,
        )


class VerificationOut(BaseModel):
    code: str
    valid: bool
    reason: str | None
    signed: bool = Field(
        default=False, description="a signed QR payload was presented and its signature held"
    )
    status: str | None = None
    demarche: str | None = None
    slot: SlotOut | None = None
    site: SiteOut | None = None


class WaitlistEntryOut(BaseModel):
    id: int
    status: str
    demarche: str
    site: str
    position: int | None
    rights_end: date | None
    requested_at: datetime

    @classmethod
    def of(cls, entry: WaitlistEntry, position: int | None) -> WaitlistEntryOut:
        return cls(
            id=entry.id,
            status=entry.status.value,
            demarche=entry.demarche_code,
            site=entry.site_code,
            position=position,
            rights_end=entry.rights_end,
            requested_at=entry.requested_at,
        )


class OfferOut(BaseModel):
    id: int
    entry_id: int
    status: str
    slot: SlotOut
    offered_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, offer: WaitlistOffer) -> OfferOut:
        return cls(
            id=offer.id,
            entry_id=offer.entry_id,
            status=offer.status.value,
            slot=SlotOut.of(offer.slot),
            offered_at=offer.offered_at,
            expires_at=offer.expires_at,
        )


class JoinOut(BaseModel):
    entry: WaitlistEntryOut
    offer: OfferOut | None


class CheckOut(BaseModel):
    id: int
    checked_at: datetime
    demarche: str
    site: str
    date_from: date
    date_to: date
    part_of_day: str | None
    slots_found: int
    earliest_start: datetime | None

    @classmethod
    def of(cls, check: AvailabilityCheck) -> CheckOut:
        return cls(
            id=check.id,
            checked_at=check.checked_at,
            demarche=check.demarche_code,
            site=check.site_code,
            date_from=check.date_from,
            date_to=check.date_to,
            part_of_day=check.part_of_day,
            slots_found=check.slots_found,
            earliest_start=check.earliest_start,
        )


class DemarcheOut(BaseModel):
    code: str
    name: str
    slot_minutes: int
    horizon_days: int
    needs_numero_etranger: bool


class PublishOut(BaseModel):
    created: int
    already_published: int
    offers_made: int


class ExpireOut(BaseModel):
    expired: int


class ReleasedOut(BaseModel):
    """A booking released under a numéro étranger: no phone, no numéro."""

    code: str
    display_code: str
    demarche: str
    slot: SlotOut
    released_at: datetime | None

    @classmethod
    def of(cls, booking: Booking) -> ReleasedOut:
        return cls(
            code=booking.code,
            display_code=display_code(booking.code),
            demarche=booking.demarche_code,
            slot=SlotOut.of(booking.slot),
            released_at=booking.cancelled_at,
        )


class NumeroReleaseOut(BaseModel):
    released: list[ReleasedOut]
    # Released before under the same numéro, slot still ahead: a request sent twice.
    already_released: list[ReleasedOut]


class ConvocationOut(BaseModel):
    code: str
    display_code: str
    status: str
    demarche: str
    local_start: datetime
    booked_by: str


class StatsOut(BaseModel):
    bookings_active: int
    bookings_total: int
    publication_to_booking_days_median: float | None
    no_show_rate: float | None
    waitlist_length: int
    slots_published: int
    places_free: int


class AlertOut(BaseModel):
    """The deadline alerts a person agreed to (served by bot/scheduler/api.py)."""

    id: int
    demarche: str
    expiry: date
    window_opens: date
    window_closes: date
    closing_alert_on: date  # the day of the "about to close" SMS


class StopOut(BaseModel):
    cancelled: int


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody
