"""Copies what booking needs of the catalogue (bot.catalogue) into the database: sites,
bookable démarches, which site offers which, and the sites' opening ranges.

The catalogue stays the single source: this runs at start-up (`guichet seed`, `guichet run`)
and is idempotent (upsert by code), so editing the YAML and re-running is enough.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.booking.models import DemarcheRow, OpeningRange, SiteDemarche, SiteRow

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


class CatalogueLike(Protocol):
    demarches: dict[str, Any]
    sites: dict[str, Any]


@dataclass
class SyncResult:
    sites: int = 0
    demarches: int = 0
    links: int = 0
    opening_ranges: int = 0


def _name_fr(demarche: Any) -> str:
    name = getattr(demarche, "name", "")
    return str(name("fr") if callable(name) else name)


def _parse_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    hours, minutes = str(value).split(":")
    return time(int(hours), int(minutes))


def _parse_weekday(value: Any) -> int:
    if isinstance(value, int):
        return value
    return WEEKDAYS[str(value).strip().lower()[:3]]


def _get(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def _is_demo(spec: Any) -> bool:
    # Invented hours are flagged either on the range itself or on its provenance.
    return bool(_get(spec, "demo", False) or _get(_get(spec, "provenance"), "demo", False))


def sync_catalogue(session: Session, catalogue: CatalogueLike, *, valid_from: date) -> SyncResult:
    result = SyncResult()
    bookable = {
        code: d
        for code, d in catalogue.demarches.items()
        if _get(d, "where") == "prefecture_rdv" and _get(d, "booking") is not None
    }
    for code, demarche in bookable.items():
        booking = _get(demarche, "booking")
        row = session.get(DemarcheRow, code) or DemarcheRow(code=code)
        row.name = _name_fr(demarche)[:200]
        row.slot_minutes = int(_get(booking, "slot_minutes"))
        row.horizon_days = int(_get(booking, "horizon_days"))
        row.needs_numero_etranger = bool(_get(booking, "needs_numero_etranger", False))
        session.add(row)
        result.demarches += 1
    for code, site in catalogue.sites.items():
        row = session.get(SiteRow, code) or SiteRow(code=code)
        row.name = str(_get(site, "name"))
        row.departement = str(_get(site, "departement"))
        row.departement_name = str(_get(site, "departement_name", "") or "")
        row.city = str(_get(site, "city", "") or "")
        row.postal_codes = [str(p) for p in _get(site, "postal_codes", []) or []]
        row.address = str(_get(site, "address", "") or "")
        row.timezone = str(_get(site, "timezone", "Europe/Paris") or "Europe/Paris")
        session.add(row)
        result.sites += 1
    session.flush()
    for code, site in catalogue.sites.items():
        offered = [d for d in _get(site, "demarches", []) or [] if d in bookable]
        session.execute(
            delete(SiteDemarche).where(
                SiteDemarche.site_code == code, SiteDemarche.demarche_code.not_in(offered)
            )
        )
        for demarche_code in offered:
            if session.get(SiteDemarche, (code, demarche_code)) is None:
                session.add(SiteDemarche(site_code=code, demarche_code=demarche_code))
            result.links += 1
        result.opening_ranges += load_opening_ranges(
            session,
            code,
            _get(site, "opening_ranges", []) or [],
            valid_from=valid_from,
            bookable=set(offered),
        )
    session.flush()
    return result


def load_opening_ranges(
    session: Session, site_code: str, ranges: Iterable[Any], *, valid_from: date, bookable: set[str]
) -> int:
    """Adds the ranges not already there (same site, démarche, weekday, start); returns how many
    the site has from this source. Existing ranges are never rewritten: slots refer to them."""
    count = 0
    for spec in ranges:
        demarche_code = str(_get(spec, "demarche"))
        if demarche_code not in bookable:
            continue
        weekday = _parse_weekday(_get(spec, "weekday"))
        start = _parse_time(_get(spec, "start"))
        existing = session.scalars(
            select(OpeningRange).where(
                OpeningRange.site_code == site_code,
                OpeningRange.demarche_code == demarche_code,
                OpeningRange.weekday == weekday,
                OpeningRange.start_time == start,
            )
        ).first()
        if existing is None:
            session.add(
                OpeningRange(
                    site_code=site_code,
                    demarche_code=demarche_code,
                    weekday=weekday,
                    start_time=start,
                    end_time=_parse_time(_get(spec, "end")),
                    guichets=int(_get(spec, "counters", _get(spec, "guichets", 1)) or 1),
                    valid_from=valid_from,
                    valid_to=None,
                    is_demo=_is_demo(spec),
                )
            )
        count += 1
    return count
