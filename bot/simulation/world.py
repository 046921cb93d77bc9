"""The simulated préfecture: one site, one démarche, Monday-to-Friday morning ranges, on a
private database migrated like production."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import Engine

from bot.booking.models import DemarcheRow, OpeningRange, SiteDemarche, SiteRow
from bot.db import make_session_factory, upgrade
from bot.simulation.population import Params

DEMARCHE = "carte_resident_renouvellement"
SITE = "pref-38"
# A Monday, 9h in Paris; slots are published every Monday morning (seed 002).
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
SIM_SECRET = "simulation-only-key"


def build_world(engine: Engine, params: Params) -> None:
    upgrade(engine)
    with make_session_factory(engine).begin() as session:
        session.add_all(
            [
                SiteRow(
                    code=SITE,
                    name="Préfecture de l'Isère",
                    departement="38",
                    departement_name="Isère",
                    city="Grenoble",
                    postal_codes=["38000"],
                    address="12 place de Verdun, 38000 Grenoble",
                ),
                DemarcheRow(
                    code=DEMARCHE,
                    name="Renouvellement de la carte de résident",
                    slot_minutes=20,
                    horizon_days=params.horizon_days,
                ),
            ]
        )
        session.flush()
        session.add(SiteDemarche(site_code=SITE, demarche_code=DEMARCHE))
        for weekday in range(5):  # Monday to Friday, 9h-12h: 9 slots a day per guichet
            session.add(
                OpeningRange(
                    site_code=SITE,
                    demarche_code=DEMARCHE,
                    weekday=weekday,
                    start_time=time(9),
                    end_time=time(12),
                    guichets=params.guichets,
                    valid_from=date(2026, 1, 1),
                    is_demo=True,
                )
            )
