"""The session layer: one engine, transactional scopes, safe migrations. No Dagster here."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, exc, text
from sqlalchemy.orm import Session, sessionmaker

from floodingnaque_pipeline.db.engine import (
    DatabaseError,
    PoolSettings,
    create_app_engine,
    masked_url,
    scrub_secrets,
)
from floodingnaque_pipeline.db.migrate import upgrade_to_head

log = logging.getLogger(__name__)


class AppDatabase:
    """Owns the engine of one process. Every message it produces is free of the password."""

    def __init__(self, url: str, pool: PoolSettings | None = None) -> None:
        self._url = url
        self.display_url = masked_url(url)
        try:
            self.engine: Engine = create_app_engine(url, pool)
        except DatabaseError:
            raise
        except Exception as error:
            raise DatabaseError(
                f"invalid database URL {self.display_url}: {scrub_secrets(str(error), url)}"
            ) from None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error, always close."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except exc.OperationalError as error:
            session.rollback()
            raise self._failure(error) from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def migrate(self) -> None:
        """Bring the schema to Alembic head; idempotent and safe under concurrency."""
        log.info("migrating %s to head", self.display_url)
        try:
            upgrade_to_head(self.engine)
        except exc.OperationalError as error:
            raise self._failure(error) from None

    def ping(self) -> None:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except exc.OperationalError as error:
            raise self._failure(error) from None

    def dispose(self) -> None:
        self.engine.dispose()

    def _failure(self, error: Exception) -> DatabaseError:
        # Chaining is cut (from None) because driver messages may echo connection strings.
        detail = scrub_secrets(str(getattr(error, "orig", error)).strip(), self._url)
        return DatabaseError(f"database {self.display_url} failed: {detail}")
