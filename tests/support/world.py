"""A small booking world built directly (independent of the catalogue's YAML), and the
scheduler's smaller one: a single place to give, take back and offer."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.booking.bookings import BookRequest, book
from bot.booking.config import EngineConfig
from bot.booking.models import Booking, DemarcheRow, OpeningRange, SiteDemarche, SiteRow, Slot
from bot.booking.publishing import publish

CONFIG = EngineConfig(secret_key="test-key", offer_hold=timedelta(hours=12))
RESIDENT = "carte_resident_renouvellement"
DUPLICATA = "duplicata_titre"  # needs a numéro étranger in this world
PHONE_A = "+33612345678"
PHONE_B = "+33698765432"
PHONE_C = "+33755667788"
NUMERO = "1234567890"


def dordogne() -> SiteRow:
    return SiteRow(
        code="pref-24",
        name="Préfecture de la Dordogne",
        departement="24",
        departement_name="Dordogne",
        city="Périgueux",
        postal_codes=["24000"],
        address="2 rue Paul-Louis Courier, 24000 Périgueux",
    )


def resident_renewal(horizon_days: int = 60) -> DemarcheRow:
    return DemarcheRow(
        code=RESIDENT,
        name="Renouvellement carte de résident",
        slot_minutes=20,
        horizon_days=horizon_days,
        needs_numero_etranger=False,
    )


def build(session: Session, *, guichets: int = 1, now: datetime, horizon_days: int = 60) -> None:
    session.add_all(
        [
            dordogne(),
            SiteRow(
                code="pref-38",
                name="Préfecture de l'Isère",
                departement="38",
                departement_name="Isère",
                city="Grenoble",
                postal_codes=["38000"],
                address="Grenoble",
            ),
            resident_renewal(horizon_days),
            DemarcheRow(
                code=DUPLICATA,
                name="Duplicata",
                slot_minutes=20,
                horizon_days=horizon_days,
                needs_numero_etranger=True,
            ),
        ]
    )
    session.flush()
    session.add_all(
        [
            SiteDemarche(site_code="pref-24", demarche_code=RESIDENT),
            SiteDemarche(site_code="pref-24", demarche_code=DUPLICATA),
            SiteDemarche(site_code="pref-38", demarche_code=RESIDENT),
            # Tuesdays 14h-16h, 20 minutes (seed 000); Mondays 9h-10h for the duplicata.
            OpeningRange(
                site_code="pref-24",
                demarche_code=RESIDENT,
                weekday=1,
                start_time=time(14),
                end_time=time(16),
                guichets=guichets,
                valid_from=date(2026, 1, 1),
            ),
            OpeningRange(
                site_code="pref-24",
                demarche_code=DUPLICATA,
                weekday=0,
                start_time=time(9),
                end_time=time(10),
                guichets=guichets,
                valid_from=date(2026, 1, 1),
            ),
        ]
    )
    session.flush()


def build_and_publish(session: Session, *, guichets: int = 1, now: datetime) -> list[Slot]:
    build(session, guichets=guichets, now=now)
    publish(session, CONFIG, now=now)
    return slots(session, RESIDENT)


def booked_world(session: Session, *, now: datetime, language: str = "fr") -> Booking:
    """The small world, published, with PHONE_A booked on its first slot (a convocation)."""
    first = build_and_publish(session, now=now)[0]
    request = BookRequest(slot_id=first.id, phone=PHONE_A, language=language)
    return book(session, CONFIG, request, now=now)


def slots(session: Session, demarche: str = RESIDENT, site: str = "pref-24") -> list[Slot]:
    return list(
        session.scalars(
            select(Slot)
            .where(Slot.demarche_code == demarche, Slot.site_code == site)
            .order_by(Slot.starts_at)
        )
    )


# Tuesday 20 January 2026, 14h00 Paris (13h00 UTC): the one place of the scheduler's world.
APPOINTMENT_DAY = date(2026, 1, 20)


def one_place_world(session: Session, *, now: datetime, guichets: int = 1) -> None:
    """pref-24, renewal of the carte de résident, Tuesdays 14h00-14h20: a single published slot."""
    session.add_all([dordogne(), resident_renewal()])
    session.flush()
    session.add_all(
        [
            SiteDemarche(site_code="pref-24", demarche_code=RESIDENT),
            OpeningRange(
                site_code="pref-24",
                demarche_code=RESIDENT,
                weekday=1,
                start_time=time(14),
                end_time=time(14, 20),
                guichets=guichets,
                valid_from=date(2026, 1, 1),
            ),
        ]
    )
    session.flush()
    publish(session, CONFIG, now=now, date_from=APPOINTMENT_DAY, date_to=APPOINTMENT_DAY)
