"""Seeding: schema (Alembic), catalogue sync (sites, démarches, opening ranges from
data/catalogue/sites.yml, where every non-sourced range is flagged demo) and slot publication.
Idempotent: seeding twice changes nothing the second time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from bot.booking import publishing
from bot.booking.config import EngineConfig
from bot.booking.sync import CatalogueLike, SyncResult, sync_catalogue
from bot.db import make_session_factory, upgrade
from bot.timezone import PARIS


@dataclass(frozen=True)
class SeedReport:
    sync: SyncResult
    publish: publishing.PublishResult


def seed(
    engine: Engine,
    config: EngineConfig,
    *,
    now: datetime,
    catalogue: CatalogueLike | None = None,
    progress: Callable[[str], None] = lambda _line: None,
) -> SeedReport:
    progress("migrating the database schema (alembic upgrade head)")
    upgrade(engine)
    if catalogue is None:
        from bot.catalogue import get_catalogue

        catalogue = get_catalogue()
    factory = make_session_factory(engine)
    with factory.begin() as session:
        synced = sync_catalogue(session, catalogue, valid_from=now.astimezone(PARIS).date())
    progress(
        f"catalogue: {synced.sites} sites, {synced.demarches} bookable démarches, "
        f"{synced.opening_ranges} opening ranges"
    )
    with factory.begin() as session:
        published = publishing.publish(session, config, now=now)
    progress(
        f"slots: {published.created} published, {published.already_published} already there, "
        f"{published.offers_made} offered to the waitlist"
    )
    return SeedReport(sync=synced, publish=published)
