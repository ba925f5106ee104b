"""Asset kinds that name the app database actually configured, not the one in production.

Kinds are fixed when the definitions are imported, so they follow DATABASE_URL as each code
server process sees it: `sqlite` for the zero-configuration default, `postgres` in the stack.
"""

import os

from floodingnaque_pipeline.db.engine import DEFAULT_DATABASE_URL

_KIND_BY_SCHEME = {"postgresql": "postgres", "postgres": "postgres", "sqlite": "sqlite"}


def database_kind(url: str | None = None) -> str:
    """`postgres` or `sqlite` for a SQLAlchemy URL (driver suffixes such as +psycopg2 ignored)."""
    url = url if url is not None else (os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    return _KIND_BY_SCHEME.get(scheme, scheme or "database")


DATABASE = database_kind()
