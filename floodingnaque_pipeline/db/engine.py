"""Building the app engine, and keeping the database password out of every message."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

DEFAULT_DATABASE_URL = "sqlite:///floodingnaque.db"
EXPECTED_FORMS = (
    "expected sqlite:///<file> (e.g. sqlite:///floodingnaque.db, the default) or "
    "postgresql://<user>:<password>@<host>:5432/<database>"
)


class DatabaseError(RuntimeError):
    """A database problem described without secrets."""


@dataclass(frozen=True)
class PoolSettings:
    pool_size: int = 5
    max_overflow: int = 10
    pool_pre_ping: bool = True
    pool_recycle_s: int = 1800
    connect_timeout_s: int = 10


def masked_url(url: str | URL) -> str:
    """The URL as it may be shown: password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # unparsable: shown as typed, any user:password@ masked
        return repr(_mask_authority(str(url)))


def _mask_authority(text: str) -> str:
    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", text)


def parse_database_url(url: str | URL) -> URL:
    """make_url, with an error that shows what was typed (masked) and the forms expected."""
    try:
        return make_url(url)
    except Exception:
        typed = _mask_authority(str(url))
        guess = f"; did you mean sqlite:///{typed}?" if "://" not in typed and typed else ""
        raise DatabaseError(f"{typed!r} is not a database URL: {EXPECTED_FORMS}{guess}") from None


def scrub_secrets(text: str, url: str | URL) -> str:
    """Remove the URL's password (raw and percent-encoded forms) from arbitrary text."""
    try:
        password = make_url(url).password
    except Exception:
        password = None
    if password:
        for form in {password, str(URL.create("x", password=password).password)}:
            text = text.replace(form, "***")
    # Belt and braces: any user:password@ authority left in the text.
    return _mask_authority(text)


def create_app_engine(url: str, pool: PoolSettings | None = None) -> Engine:
    """One engine per process; Postgres gets a bounded, health-checked pool."""
    pool = pool or PoolSettings()
    parsed = parse_database_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseError(f"unsupported database {masked_url(parsed)}: {EXPECTED_FORMS}")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg2")
    return create_engine(
        parsed,
        pool_size=pool.pool_size,
        max_overflow=pool.max_overflow,
        pool_pre_ping=pool.pool_pre_ping,
        pool_recycle=pool.pool_recycle_s,
        connect_args={"connect_timeout": pool.connect_timeout_s},
        hide_parameters=True,
    )


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    # Foreign keys are off by default in SQLite; WAL lets the UI read while a run writes.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
