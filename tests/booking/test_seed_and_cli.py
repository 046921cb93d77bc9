"""Seeding from the real catalogue, the staff commands, and the migrations themselves."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from bot.booking import bookings, demo
from bot.booking.bookings import BookRequest
from bot.booking.models import DemarcheRow, OpeningRange, SiteDemarche, SiteRow, Slot
from bot.cli import main
from bot.db import Base, alembic_config, is_empty, make_engine, make_session_factory, upgrade
from tests.support.world import CONFIG

# The staff commands use the real clock, so the demo is seeded for the real coming weeks.
NOW = datetime.now(UTC)


@pytest.fixture
def seeded(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'seeded.db'}")
    report = demo.seed(engine, CONFIG, now=NOW)
    yield engine, report
    engine.dispose()


def test_seed_loads_the_catalogue_sites_and_the_dordogne_schedule(seeded):
    engine, report = seeded
    assert report.sync.sites == 3 and report.publish.created > 0
    factory = make_session_factory(engine)
    with factory() as session:
        assert {s.code for s in session.scalars(select(SiteRow))} == {
            "pref-24",
            "pref-38",
            "pref-93",
        }
        demarches = {d.code for d in session.scalars(select(DemarcheRow))}
        assert "carte_resident_renouvellement" in demarches and "naturalisation" not in demarches
        resident = session.get(DemarcheRow, "carte_resident_renouvellement")
        assert (resident.slot_minutes, resident.horizon_days) == (20, 60)  # seed 000
        dordogne = session.scalars(
            select(OpeningRange).where(
                OpeningRange.site_code == "pref-24",
                OpeningRange.demarche_code == "carte_resident_renouvellement",
            )
        ).one()
        assert (dordogne.weekday, dordogne.start_time, dordogne.end_time) == (1, time(14), time(16))
        assert not dordogne.is_demo
        assert (
            session.scalar(
                select(func.count()).select_from(OpeningRange).where(OpeningRange.is_demo)
            )
            > 0
        )
        assert (
            session.get(SiteDemarche, ("pref-24", "conjoint_francais_renouvellement")) is not None
        )


def test_seeding_twice_changes_nothing(seeded):
    engine, first = seeded
    factory = make_session_factory(engine)
    with factory() as session:
        slots = session.scalar(select(func.count(Slot.id)))
        ranges = session.scalar(select(func.count(OpeningRange.id)))
    again = demo.seed(engine, CONFIG, now=NOW)
    assert again.publish.created == 0 and again.publish.already_published == first.publish.created
    with factory() as session:
        assert session.scalar(select(func.count(Slot.id))) == slots
        assert session.scalar(select(func.count(OpeningRange.id))) == ranges


def test_guichet_verify_command(seeded, monkeypatch, capsys):
    engine, _ = seeded
    monkeypatch.setenv("GUICHET_DATABASE_URL", str(engine.url))
    factory = make_session_factory(engine)
    now = datetime.now(UTC)
    with factory.begin() as session:
        # Far enough ahead to be bookable whatever the hour the suite runs (min_lead).
        slot = session.scalars(
            select(Slot).where(Slot.starts_at > now + CONFIG.min_lead).order_by(Slot.starts_at)
        ).first()
        request = BookRequest(slot_id=slot.id, phone="0612345678", numero_etranger="1234567890")
        code = bookings.book(session, CONFIG, request, now=now).code
    assert main(["verify", code.lower()]) == 0
    out = capsys.readouterr().out
    assert out.startswith("VALIDE") and "Préfecture" in out
    assert "0612345678" not in out and "+336" not in out and "1234567890" not in out
    assert main(["verify", "ABCDEFGH"]) == 1
    assert "INVALIDE" in capsys.readouterr().out
    assert main(["verify", "--json", code]) == 0
    assert '"valid": true' in capsys.readouterr().out


def test_staff_commands_run(seeded, monkeypatch, capsys):
    engine, _ = seeded
    monkeypatch.setenv("GUICHET_DATABASE_URL", str(engine.url))
    assert main(["slots", "publish", "--site", "pref-24"]) == 0
    assert "slots published" in capsys.readouterr().out
    assert main(["stats"]) == 0
    assert "waitlist_length" in capsys.readouterr().out
    assert main(["waitlist", "expire"]) == 0
    assert main(["db", "upgrade"]) == 0


def test_migrations_match_the_models_and_downgrade(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    booking_tables = {
        t.name
        for t in Base.metadata.sorted_tables
        if t.name
        in {
            "site",
            "demarche",
            "site_demarche",
            "opening_range",
            "slot",
            "applicant",
            "booking",
            "waitlist_entry",
            "waitlist_offer",
            "availability_check",
        }
    }
    assert len(booking_tables) == 10
    ours = [d for d in diff if any(name in repr(d) for name in booking_tables)]
    assert ours == []
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert is_empty(engine)
    engine.dispose()


def test_telegram_links_made_before_a_phone_had_to_be_proven_are_dropped(tmp_path):
    # Until session 22 a number typed on Telegram linked the chat to it: that person's
    # reminders went to whoever typed it. SMS preferences stay.
    engine = make_engine(f"sqlite:///{tmp_path / 'links.db'}")
    upgrade(engine, "0009")
    with engine.begin() as conn:
        for phone, channel, address in (
            ("+33611120001", "telegram", "7002"),
            ("+33611120002", "sms", "+33611120002"),
        ):
            conn.execute(
                text(
                    "INSERT INTO preferred_channel (phone, channel, address, updated_at) "
                    "VALUES (:phone, :channel, :address, '2026-12-01 10:00:00')"
                ),
                {"phone": phone, "channel": channel, "address": address},
            )
    upgrade(engine)
    with engine.connect() as conn:
        left = conn.execute(text("SELECT phone, channel FROM preferred_channel")).all()
    assert left == [("+33611120002", "sms")]
