"""The engine's settings: what the rules need to know and nothing they read from the world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class EngineConfig:
    secret_key: str
    offer_hold: timedelta = timedelta(hours=12)
    # After an appointment (honoured or missed) the same phone or numéro étranger cannot book
    # or queue for the same démarche for this long. A title démarche is needed once in years,
    # so a person never meets it; an identity reused to book for client after client (the
    # resale cycle, seed 004: "une seule réservation par usager", fight resale) does.
    rebook_cooldown: timedelta = timedelta(days=90)
    # An offer must end early enough for the person to reach the préfecture with their
    # documents; a place too close to its start for that is left to search instead.
    offer_start_margin: timedelta = timedelta(hours=2)
    offer_min_hold: timedelta = timedelta(minutes=30)
    # What a person searching is offered starts at least this late: "as soon as possible" must
    # not give a slot 11 minutes away (GUICHET_MIN_LEAD_HOURS).
    min_lead: timedelta = timedelta(hours=2)

    @classmethod
    def from_settings(cls, settings: object) -> EngineConfig:
        return cls(
            secret_key=settings.secret_key,  # type: ignore[attr-defined]
            offer_hold=timedelta(hours=settings.offer_hold_hours),  # type: ignore[attr-defined]
            rebook_cooldown=timedelta(days=settings.rebook_cooldown_days),  # type: ignore[attr-defined]
            min_lead=timedelta(hours=settings.min_lead_hours),  # type: ignore[attr-defined]
        )
