"""The booking engine's tables. The invariants live here as database constraints, so that they
hold even when two processes race: the engine's Python checks only give clearer reasons first.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as the value strings ("booked"), checked by a CHECK constraint on both databases.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [m.value for m in members],
    )


class BookingStatus(str, enum.Enum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    HONOURED = "honoured"
    NO_SHOW = "no_show"


class CancelReason(str, enum.Enum):
    """Why a booking was cancelled by someone other than the phone that booked it (None: that
    phone cancelled it)."""

    # Someone who saw the card (a PAN mediator beside its owner, or préfecture staff) released a
    # booking held under the owner's numéro étranger by another phone (decision 0024).
    NUMERO_RELEASED = "numero_released"


class BookedBy(str, enum.Enum):
    SELF = "self"
    MEDIATOR = "mediator"


class WaitlistStatus(str, enum.Enum):
    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    LEFT = "left"


class OfferStatus(str, enum.Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


class SiteRow(Base):
    """The stored form of a catalogue site (`bot.catalogue.models.Site`), same code.

    The concept has one model, the catalogue's; this row is the copy `sync.py` writes so that
    slots, bookings and the waitlist can point at a site with a foreign key and the API can
    answer without loading the YAML. Hence the `Row` in its name: never build one by hand
    outside tests and the sync.
    """

    __tablename__ = "site"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    departement: Mapped[str] = mapped_column(String(3), index=True)
    departement_name: Mapped[str] = mapped_column(String(100), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    postal_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    address: Mapped[str] = mapped_column(String(300), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")


class DemarcheRow(Base):
    """The stored form of a bookable catalogue démarche (`bot.catalogue.models.Demarche`), same
    code, trimmed to what booking needs (duration, horizon, numéro étranger); the catalogue keeps
    the rest (documents, routing). Written by `sync.py`, like `SiteRow`.
    """

    __tablename__ = "demarche"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    slot_minutes: Mapped[int] = mapped_column()
    horizon_days: Mapped[int] = mapped_column()
    needs_numero_etranger: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        CheckConstraint("slot_minutes > 0", name="slot_minutes_positive"),
        CheckConstraint("horizon_days > 0", name="horizon_days_positive"),
    )


class SiteDemarche(Base):
    """Which sites offer which démarche."""

    __tablename__ = "site_demarche"

    site_code: Mapped[str] = mapped_column(
        ForeignKey("site.code", ondelete="CASCADE"), primary_key=True
    )
    demarche_code: Mapped[str] = mapped_column(
        ForeignKey("demarche.code", ondelete="CASCADE"), primary_key=True
    )


class OpeningRange(Base):
    """A plage d'ouverture: every `weekday` from `start_time` to `end_time`, `guichets` counters."""

    __tablename__ = "opening_range"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_code: Mapped[str] = mapped_column(ForeignKey("site.code"), index=True)
    demarche_code: Mapped[str] = mapped_column(ForeignKey("demarche.code"))
    weekday: Mapped[int] = mapped_column()  # 0 = Monday, as datetime.weekday()
    start_time: Mapped[time] = mapped_column()
    end_time: Mapped[time] = mapped_column()
    guichets: Mapped[int] = mapped_column()
    valid_from: Mapped[date] = mapped_column()
    valid_to: Mapped[date | None] = mapped_column()
    is_demo: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("end_time > start_time", name="end_after_start"),
        CheckConstraint("guichets > 0", name="guichets_positive"),
        UniqueConstraint(
            "site_code",
            "demarche_code",
            "weekday",
            "start_time",
            "valid_from",
            name="uq_opening_range_identity",
        ),
    )


class Slot(Base):
    """A créneau. `places_taken` counts active bookings plus pending waitlist offers: the CHECK
    and the engine's conditional UPDATE keep it within `capacity` under any concurrency."""

    __tablename__ = "slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_code: Mapped[str] = mapped_column(ForeignKey("site.code"))
    demarche_code: Mapped[str] = mapped_column(ForeignKey("demarche.code"))
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    capacity: Mapped[int] = mapped_column()
    places_taken: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    published_at: Mapped[datetime] = mapped_column()
    opening_range_id: Mapped[int | None] = mapped_column(ForeignKey("opening_range.id"))

    site: Mapped[SiteRow] = relationship(lazy="joined")
    demarche: Mapped[DemarcheRow] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint(
            "site_code", "demarche_code", "starts_at", name="uq_slot_site_demarche_start"
        ),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("places_taken >= 0", name="places_taken_not_negative"),
        CheckConstraint("places_taken <= capacity", name="places_taken_within_capacity"),
        CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
        Index("ix_slot_search", "demarche_code", "site_code", "starts_at"),
    )

    @property
    def places_left(self) -> int:
        return self.capacity - self.places_taken


class Applicant(Base):
    """A person, known by their phone (E.164). The numéro étranger is kept only as a keyed hash
    plus its last digits: enough to refuse a second booking, useless to a thief."""

    __tablename__ = "applicant"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), unique=True)
    language: Mapped[str] = mapped_column(String(8), default="fr")
    numero_etranger_hash: Mapped[str | None] = mapped_column(String(64))
    numero_etranger_last: Mapped[str | None] = mapped_column(String(4))
    created_at: Mapped[datetime] = mapped_column()


class Booking(Base):
    __tablename__ = "booking"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicant.id"), index=True)
    demarche_code: Mapped[str] = mapped_column(ForeignKey("demarche.code"))
    # Copied from the applicant at booking time so the database itself can refuse a second
    # active booking made with the same numéro étranger from another phone.
    numero_etranger_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[BookingStatus] = mapped_column(
        _enum(BookingStatus, "booking_status"), default=BookingStatus.BOOKED
    )
    booked_by: Mapped[BookedBy] = mapped_column(_enum(BookedBy, "booked_by"), default=BookedBy.SELF)
    # Opaque identifier of the mediator (PAN) who booked on the applicant's behalf.
    mediator_ref: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    rescheduled_at: Mapped[datetime | None] = mapped_column()
    reschedule_count: Mapped[int] = mapped_column(default=0)
    attended_at: Mapped[datetime | None] = mapped_column()
    # For the scheduler's 48 h reminder: set once the reminder went out for the current slot.
    reminder_sent_at: Mapped[datetime | None] = mapped_column()
    # Documents (codes of the catalogue, comma-separated) the applicant said they lacked and
    # would bring on the day: the 48 h reminder names them.
    bring: Mapped[str | None] = mapped_column(String(200))
    # A `CancelReason` value; a plain string checked by the database (the CHECKs below), so that
    # a reason can only stand on a cancelled booking.
    cancel_reason: Mapped[str | None] = mapped_column(String(16))

    slot: Mapped[Slot] = relationship(lazy="joined")
    applicant: Mapped[Applicant] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("cancel_reason IN ('numero_released')", name="cancel_reason_known"),
        CheckConstraint(
            "cancel_reason IS NULL OR (status = 'cancelled' AND cancelled_at IS NOT NULL)",
            name="cancel_reason_only_when_cancelled",
        ),
        Index(
            "uq_booking_active_applicant",
            "applicant_id",
            "demarche_code",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
        Index(
            "uq_booking_active_numero",
            "numero_etranger_hash",
            "demarche_code",
            unique=True,
            sqlite_where=text("status = 'booked' AND numero_etranger_hash IS NOT NULL"),
            postgresql_where=text("status = 'booked' AND numero_etranger_hash IS NOT NULL"),
        ),
        # The scheduler looks for recent releases to tell their phones, every tick.
        Index(
            "ix_booking_released",
            "cancelled_at",
            sqlite_where=text("cancel_reason IS NOT NULL"),
            postgresql_where=text("cancel_reason IS NOT NULL"),
        ),
    )


class WaitlistEntry(Base):
    """A demande: the applicant wants a place that does not exist yet. Served by priority: the
    date their rights run out first (no date last), then the time of the request."""

    __tablename__ = "waitlist_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicant.id"), index=True)
    demarche_code: Mapped[str] = mapped_column(ForeignKey("demarche.code"))
    site_code: Mapped[str] = mapped_column(ForeignKey("site.code"))
    not_before: Mapped[date | None] = mapped_column()
    not_after: Mapped[date | None] = mapped_column()
    part_of_day: Mapped[str | None] = mapped_column(String(16))
    rights_end: Mapped[date | None] = mapped_column()
    numero_etranger_hash: Mapped[str | None] = mapped_column(String(64))
    booked_by: Mapped[BookedBy] = mapped_column(_enum(BookedBy, "booked_by"), default=BookedBy.SELF)
    mediator_ref: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[WaitlistStatus] = mapped_column(
        _enum(WaitlistStatus, "waitlist_status"), default=WaitlistStatus.WAITING
    )
    requested_at: Mapped[datetime] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"))

    applicant: Mapped[Applicant] = relationship(lazy="joined")

    __table_args__ = (
        Index(
            "uq_waitlist_active_applicant",
            "applicant_id",
            "demarche_code",
            unique=True,
            sqlite_where=text("status IN ('waiting', 'offered')"),
            postgresql_where=text("status IN ('waiting', 'offered')"),
        ),
        Index(
            "ix_waitlist_queue",
            "demarche_code",
            "site_code",
            "status",
            "rights_end",
            "requested_at",
        ),
    )


class WaitlistOffer(Base):
    """One place of one slot held for one waitlist entry until `expires_at`. The held place is
    counted in `Slot.places_taken`, so nobody else can take it meanwhile."""

    __tablename__ = "waitlist_offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("waitlist_entry.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id"), index=True)
    status: Mapped[OfferStatus] = mapped_column(
        _enum(OfferStatus, "offer_status"), default=OfferStatus.PENDING
    )
    offered_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)
    # Set by the scheduler once the applicant was told (SMS/Telegram); None = still to notify.
    notified_at: Mapped[datetime | None] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column()
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"))

    entry: Mapped[WaitlistEntry] = relationship(lazy="joined")
    slot: Mapped[Slot] = relationship(lazy="joined")

    __table_args__ = (
        Index(
            "uq_offer_pending_entry",
            "entry_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )


class AvailabilityCheck(Base):
    """One dated look for slots: the applicant's proof for a référé "mesures utiles"."""

    __tablename__ = "availability_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicant.id"), index=True)
    demarche_code: Mapped[str] = mapped_column(ForeignKey("demarche.code"))
    site_code: Mapped[str] = mapped_column(ForeignKey("site.code"))
    checked_at: Mapped[datetime] = mapped_column()
    date_from: Mapped[date] = mapped_column()
    date_to: Mapped[date] = mapped_column()
    part_of_day: Mapped[str | None] = mapped_column(String(16))
    slots_found: Mapped[int] = mapped_column()
    earliest_start: Mapped[datetime | None] = mapped_column()
