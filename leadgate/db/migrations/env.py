"""Alembic environment: migrates the database named by the caller or by LEADGATE_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from leadgate.core.settings import get_settings
from leadgate.db.engine import make_engine
from leadgate.jobs import models as _jobs  # noqa: F401  (job_runs sits above wiring)
from leadgate.wiring import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
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
    url = config.attributes.get("url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=get_settings().database_url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
