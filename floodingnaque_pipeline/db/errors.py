"""Telling what really went wrong when a database connection dies mid-statement.

The first error (e.g. "terminating connection due to administrator command", "server closed
the connection unexpectedly") is often followed, while cleaning up, by "connection already
closed" from a ROLLBACK on the dead connection. Python keeps the first one as __context__ of
the second; we report it first. No Dagster here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, exc
from sqlalchemy.engine import URL

# The clean-up symptoms: true, but never the cause.
_AFTERMATH = ("connection already closed", "cursor already closed")


def _chain(error: BaseException) -> Iterator[BaseException]:
    """error, then what it was raised from or while handling, oldest last (no cycles)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        # `raise ... from None` replaced its context on purpose: respect that.
        hidden = current.__suppress_context__
        current = current.__cause__ or (None if hidden else current.__context__)


def _driver_error(error: BaseException) -> BaseException:
    return getattr(error, "orig", None) or error


def is_connection_error(error: BaseException, engine: Engine) -> bool:
    """An OperationalError/InterfaceError (SQLAlchemy's or the driver's) anywhere in the chain."""
    dbapi = engine.dialect.loaded_dbapi
    kinds: tuple[type[BaseException], ...] = (exc.OperationalError, exc.InterfaceError)
    kinds += (dbapi.OperationalError, dbapi.InterfaceError)
    return any(isinstance(e, kinds) for e in _chain(error))


def _message(error: BaseException) -> str:
    return " ".join(str(_driver_error(error)).split())


def describe_connection_error(error: BaseException) -> str:
    """The first cause's message, with the later clean-up symptom after it when there is one."""
    messages = [m for m in (_message(e) for e in _chain(error)) if m]
    causes = [m for m in messages if not m.startswith(_AFTERMATH)]
    if not causes:
        return messages[0] if messages else type(error).__name__
    first = causes[-1]  # the oldest real cause in the chain
    later = messages[0]
    return first if later == first or later in first else f"{first} (then: {later})"


def fix_hint(detail: str, url: URL) -> str:
    """What to do about a connection failure, when the driver's message says it plainly."""
    if url.get_backend_name() == "sqlite":
        if "unable to open database file" in detail:
            folder = Path(url.database or ".").resolve().parent
            return f"; the folder {folder} must exist and be writable"
        return ""
    where = f"-h {url.host or 'localhost'} -p {url.port or 5432}"
    if f'database "{url.database}" does not exist' in detail:
        user = f" -U {url.username}" if url.username else ""
        return (
            f"; create it with: createdb {where}{user} {url.database} "
            "(or point DATABASE_URL at an existing database)"
        )
    if f'role "{url.username}" does not exist' in detail:
        return f"; create the role with: createuser {where} --pwprompt {url.username}"
    if "Connection refused" in detail:
        return f"; is PostgreSQL running there? check with: pg_isready {where}"
    return ""
