"""The booking engine: sites, démarches, opening ranges, slots, applicants, bookings,
waitlist entries and offers, availability checks.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 16:36:10.105676
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "applicant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("numero_etranger_hash", sa.String(length=64), nullable=True),
        sa.Column("numero_etranger_last", sa.String(length=4), nullable=True),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applicant")),
        sa.UniqueConstraint("phone", name=op.f("uq_applicant_phone")),
    )
    op.create_table(
        "demarche",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("needs_numero_etranger", sa.Boolean(), nullable=False),
        sa.CheckConstraint("horizon_days > 0", name=op.f("ck_demarche_horizon_days_positive")),
        sa.CheckConstraint("slot_minutes > 0", name=op.f("ck_demarche_slot_minutes_positive")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_demarche")),
    )
    op.create_table(
        "site",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("departement_name", sa.String(length=100), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("postal_codes", sa.JSON(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_site")),
    )
    op.create_index(op.f("ix_site_departement"), "site", ["departement"], unique=False)

    op.create_table(
        "availability_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=True),
        sa.Column("demarche_code", sa.String(length=64), nullable=False),
        sa.Column("site_code", sa.String(length=32), nullable=False),
        sa.Column("checked_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.Column("part_of_day", sa.String(length=16), nullable=True),
        sa.Column("slots_found", sa.Integer(), nullable=False),
        sa.Column("earliest_start", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["applicant.id"],
            name=op.f("fk_availability_check_applicant_id_applicant"),
        ),
        sa.ForeignKeyConstraint(
            ["demarche_code"],
            ["demarche.code"],
            name=op.f("fk_availability_check_demarche_code_demarche"),
        ),
        sa.ForeignKeyConstraint(
            ["site_code"], ["site.code"], name=op.f("fk_availability_check_site_code_site")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_check")),
    )
    op.create_index(
        op.f("ix_availability_check_applicant_id"),
        "availability_check",
        ["applicant_id"],
        unique=False,
    )

    op.create_table(
        "opening_range",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_code", sa.String(length=32), nullable=False),
        sa.Column("demarche_code", sa.String(length=64), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("guichets", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.CheckConstraint("end_time > start_time", name=op.f("ck_opening_range_end_after_start")),
        sa.CheckConstraint("guichets > 0", name=op.f("ck_opening_range_guichets_positive")),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_opening_range_weekday_range")),
        sa.ForeignKeyConstraint(
            ["demarche_code"],
            ["demarche.code"],
            name=op.f("fk_opening_range_demarche_code_demarche"),
        ),
        sa.ForeignKeyConstraint(
            ["site_code"], ["site.code"], name=op.f("fk_opening_range_site_code_site")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opening_range")),
        sa.UniqueConstraint(
            "site_code",
            "demarche_code",
            "weekday",
            "start_time",
            "valid_from",
            name="uq_opening_range_identity",
        ),
    )
    op.create_index(
        op.f("ix_opening_range_site_code"), "opening_range", ["site_code"], unique=False
    )

    op.create_table(
        "site_demarche",
        sa.Column("site_code", sa.String(length=32), nullable=False),
        sa.Column("demarche_code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["demarche_code"],
            ["demarche.code"],
            name=op.f("fk_site_demarche_demarche_code_demarche"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_code"],
            ["site.code"],
            name=op.f("fk_site_demarche_site_code_site"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_code", "demarche_code", name=op.f("pk_site_demarche")),
    )
    op.create_table(
        "slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_code", sa.String(length=32), nullable=False),
        sa.Column("demarche_code", sa.String(length=64), nullable=False),
        sa.Column("starts_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("places_taken", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("published_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opening_range_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_slot_capacity_positive")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_slot_ends_after_starts")),
        sa.CheckConstraint(
            "places_taken <= capacity", name=op.f("ck_slot_places_taken_within_capacity")
        ),
        sa.CheckConstraint("places_taken >= 0", name=op.f("ck_slot_places_taken_not_negative")),
        sa.ForeignKeyConstraint(
            ["demarche_code"], ["demarche.code"], name=op.f("fk_slot_demarche_code_demarche")
        ),
        sa.ForeignKeyConstraint(
            ["opening_range_id"],
            ["opening_range.id"],
            name=op.f("fk_slot_opening_range_id_opening_range"),
        ),
        sa.ForeignKeyConstraint(["site_code"], ["site.code"], name=op.f("fk_slot_site_code_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slot")),
        sa.UniqueConstraint(
            "site_code", "demarche_code", "starts_at", name="uq_slot_site_demarche_start"
        ),
    )
    op.create_index(
        "ix_slot_search", "slot", ["demarche_code", "site_code", "starts_at"], unique=False
    )

    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("demarche_code", sa.String(length=64), nullable=False),
        sa.Column("numero_etranger_hash", sa.String(length=64), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "booked",
                "cancelled",
                "honoured",
                "no_show",
                name="booking_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "booked_by",
            sa.Enum(
                "self",
                "mediator",
                name="booked_by",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("mediator_ref", sa.String(length=64), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rescheduled_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reschedule_count", sa.Integer(), nullable=False),
        sa.Column("attended_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminder_sent_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["applicant.id"], name=op.f("fk_booking_applicant_id_applicant")
        ),
        sa.ForeignKeyConstraint(
            ["demarche_code"], ["demarche.code"], name=op.f("fk_booking_demarche_code_demarche")
        ),
        sa.ForeignKeyConstraint(["slot_id"], ["slot.id"], name=op.f("fk_booking_slot_id_slot")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking")),
        sa.UniqueConstraint("code", name=op.f("uq_booking_code")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_booking_idempotency_key")),
    )
    op.create_index(op.f("ix_booking_applicant_id"), "booking", ["applicant_id"], unique=False)
    op.create_index(op.f("ix_booking_slot_id"), "booking", ["slot_id"], unique=False)
    op.create_index(
        "uq_booking_active_applicant",
        "booking",
        ["applicant_id", "demarche_code"],
        unique=True,
        sqlite_where=sa.text("status = 'booked'"),
        postgresql_where=sa.text("status = 'booked'"),
    )
    op.create_index(
        "uq_booking_active_numero",
        "booking",
        ["numero_etranger_hash", "demarche_code"],
        unique=True,
        sqlite_where=sa.text("status = 'booked' AND numero_etranger_hash IS NOT NULL"),
        postgresql_where=sa.text("status = 'booked' AND numero_etranger_hash IS NOT NULL"),
    )

    op.create_table(
        "waitlist_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("demarche_code", sa.String(length=64), nullable=False),
        sa.Column("site_code", sa.String(length=32), nullable=False),
        sa.Column("not_before", sa.Date(), nullable=True),
        sa.Column("not_after", sa.Date(), nullable=True),
        sa.Column("part_of_day", sa.String(length=16), nullable=True),
        sa.Column("rights_end", sa.Date(), nullable=True),
        sa.Column("numero_etranger_hash", sa.String(length=64), nullable=True),
        sa.Column(
            "booked_by",
            sa.Enum(
                "self",
                "mediator",
                name="booked_by",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("mediator_ref", sa.String(length=64), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "offered",
                "booked",
                "left",
                name="waitlist_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("requested_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["applicant.id"],
            name=op.f("fk_waitlist_entry_applicant_id_applicant"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_waitlist_entry_booking_id_booking")
        ),
        sa.ForeignKeyConstraint(
            ["demarche_code"],
            ["demarche.code"],
            name=op.f("fk_waitlist_entry_demarche_code_demarche"),
        ),
        sa.ForeignKeyConstraint(
            ["site_code"], ["site.code"], name=op.f("fk_waitlist_entry_site_code_site")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entry")),
    )
    op.create_index(
        op.f("ix_waitlist_entry_applicant_id"), "waitlist_entry", ["applicant_id"], unique=False
    )
    op.create_index(
        "ix_waitlist_queue",
        "waitlist_entry",
        ["demarche_code", "site_code", "status", "rights_end", "requested_at"],
        unique=False,
    )
    op.create_index(
        "uq_waitlist_active_applicant",
        "waitlist_entry",
        ["applicant_id", "demarche_code"],
        unique=True,
        sqlite_where=sa.text("status IN ('waiting', 'offered')"),
        postgresql_where=sa.text("status IN ('waiting', 'offered')"),
    )

    op.create_table(
        "waitlist_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                "expired",
                name="offer_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("offered_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notified_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_waitlist_offer_booking_id_booking")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["waitlist_entry.id"],
            name=op.f("fk_waitlist_offer_entry_id_waitlist_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["slot.id"], name=op.f("fk_waitlist_offer_slot_id_slot")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_offer")),
    )
    op.create_index(
        op.f("ix_waitlist_offer_entry_id"), "waitlist_offer", ["entry_id"], unique=False
    )
    op.create_index(
        op.f("ix_waitlist_offer_expires_at"), "waitlist_offer", ["expires_at"], unique=False
    )
    op.create_index(op.f("ix_waitlist_offer_slot_id"), "waitlist_offer", ["slot_id"], unique=False)
    op.create_index(
        "uq_offer_pending_entry",
        "waitlist_offer",
        ["entry_id"],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_offer_pending_entry",
        table_name="waitlist_offer",
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_index(op.f("ix_waitlist_offer_slot_id"), table_name="waitlist_offer")
    op.drop_index(op.f("ix_waitlist_offer_expires_at"), table_name="waitlist_offer")
    op.drop_index(op.f("ix_waitlist_offer_entry_id"), table_name="waitlist_offer")

    op.drop_table("waitlist_offer")
    op.drop_index(
        "uq_waitlist_active_applicant",
        table_name="waitlist_entry",
        sqlite_where=sa.text("status IN ('waiting', 'offered')"),
        postgresql_where=sa.text("status IN ('waiting', 'offered')"),
    )
    op.drop_index("ix_waitlist_queue", table_name="waitlist_entry")
    op.drop_index(op.f("ix_waitlist_entry_applicant_id"), table_name="waitlist_entry")

    op.drop_table("waitlist_entry")
    op.drop_index(
        "uq_booking_active_numero",
        table_name="booking",
        sqlite_where=sa.text("status = 'booked' AND numero_etranger_hash IS NOT NULL"),
        postgresql_where=sa.text("status = 'booked' AND numero_etranger_hash IS NOT NULL"),
    )
    op.drop_index(
        "uq_booking_active_applicant",
        table_name="booking",
        sqlite_where=sa.text("status = 'booked'"),
        postgresql_where=sa.text("status = 'booked'"),
    )
    op.drop_index(op.f("ix_booking_slot_id"), table_name="booking")
    op.drop_index(op.f("ix_booking_applicant_id"), table_name="booking")

    op.drop_table("booking")
    op.drop_index("ix_slot_search", table_name="slot")

    op.drop_table("slot")
    op.drop_table("site_demarche")
    op.drop_index(op.f("ix_opening_range_site_code"), table_name="opening_range")

    op.drop_table("opening_range")
    op.drop_index(op.f("ix_availability_check_applicant_id"), table_name="availability_check")

    op.drop_table("availability_check")
    op.drop_index(op.f("ix_site_departement"), table_name="site")

    op.drop_table("site")
    op.drop_table("demarche")
    op.drop_table("applicant")
