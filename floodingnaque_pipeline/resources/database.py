"""DatabaseResource: the app database as a Dagster resource (the session layer)."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from pydantic import Field, PrivateAttr
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.engine import DEFAULT_DATABASE_URL, PoolSettings
from floodingnaque_pipeline.db.session import AppDatabase


class DatabaseResource(dg.ConfigurableResource):
    """SQLAlchemy engine built once per process; `session()` is one transaction."""

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL of the app database (DATABASE_URL).",
    )
    pool_size: int = Field(default=5, description="Postgres connections kept open.")
    max_overflow: int = Field(default=10, description="Extra Postgres connections under load.")
    pool_pre_ping: bool = Field(default=True, description="Test connections before use.")
    auto_migrate: bool = Field(
        default=True, description="Bring the schema to Alembic head when a run starts."
    )

    _database: AppDatabase | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        database = self._app_database()
        if self.auto_migrate:
            database.migrate()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._database is not None:
            self._database.dispose()
            self._database = None

    @property
    def database(self) -> AppDatabase:
        return self._app_database()

    @property
    def engine(self) -> Engine:
        return self._app_database().engine

    @property
    def display_url(self) -> str:
        return self._app_database().display_url

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._app_database().session() as session:
            yield session

    def migrate(self) -> None:
        self._app_database().migrate()

    def _app_database(self) -> AppDatabase:
        # Built lazily too, so sensors and tests outside a run share the same code path.
        if self._database is None:
            pool = PoolSettings(self.pool_size, self.max_overflow, self.pool_pre_ping)
            self._database = AppDatabase(self.database_url, pool)
        return self._database


def database_from_env() -> DatabaseResource:
    """DATABASE_URL through dg.EnvVar when set (the secret never enters Dagster config)."""
    if os.environ.get("DATABASE_URL"):
        return DatabaseResource(database_url=dg.EnvVar("DATABASE_URL"))
    return DatabaseResource()
