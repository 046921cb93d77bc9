"""Alembic environment: one metadata (bot.db.Base) for every area's tables.

The URL is, in order: a connection handed over in `config.attributes["connection"]` (tests),
`sqlalchemy.url` set by the caller (bot.db.upgrade), else GUICHET_DATABASE_URL.
"""

from __future__ import annotations

import importlib

from alembic import context
from sqlalchemy.engine import Connection

from bot.config import Settings
from bot.db import Base, make_engine

# Every module defining ORM models, so that autogenerate sees all tables. Add yours here.
MODEL_MODULES: tuple[str, ...] = (
    "bot.booking.models",
    "bot.booking.credentials",
    "bot.channels.models",
    "bot.scheduler.models",
    "bot.booking.mediators",
    "bot.pan.models",
)

for _name in MODEL_MODULES:
    importlib.import_module(_name)

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds tables when a revision needs it.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
