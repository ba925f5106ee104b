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
from floodingnaque_pipeline.db.errors import (
    describe_connection_error,
    fix_hint,
    is_connection_error,
)
from floodingnaque_pipeline.db.migrate import LOCK_WAIT_S, upgrade_to_head

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
        """One unit of work: commit on success, roll back on any error, always close.

        A connection lost mid-statement (server restart, terminated backend) is reported with
        its first cause, not with the "connection already closed" of the clean-up after it.
        """
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException as error:
            self._rollback_quietly(session)
            # Interrupts (KeyboardInterrupt, Dagster's termination) and our own errors pass as
            # they are; a lost connection is described by its cause.
            as_is = isinstance(error, DatabaseError) or not isinstance(error, Exception)
            if not as_is and is_connection_error(error, self.engine):
                raise self._failure(error) from None
            raise
        finally:
            session.close()

    def _rollback_quietly(self, session: Session) -> None:
        # On a dead connection the rollback fails too; its error must not replace the cause.
        try:
            session.rollback()
        except Exception as error:
            detail = scrub_secrets(str(error), self._url)
            log.warning("rollback after a failed unit of work also failed: %s", detail)

    def migrate(self, lock_wait_s: float = LOCK_WAIT_S) -> None:
        """Bring the schema to Alembic head; idempotent and safe under concurrency. Waits at
        most `lock_wait_s` (interruptibly) for another process's migration."""
        log.info("migrating %s to head", self.display_url)
        try:
            upgrade_to_head(self.engine, lock_wait_s)
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

    def _failure(self, error: BaseException) -> DatabaseError:
        # Chaining is cut (from None) because driver messages may echo connection strings.
        detail = scrub_secrets(describe_connection_error(error), self._url)
        hint = fix_hint(detail, self.engine.url)
        return DatabaseError(f"database {self.display_url} failed: {detail}{hint}")
