"""Shared fixtures: the real data beside the repo, and throwaway databases on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from floodingnaque_pipeline_tests.fakes.scratch_db import (
    PG_URL_TEMPLATE,
    create_pg_database,
    drop_pg_database,
)

__all__ = ["PG_URL_TEMPLATE", "create_pg_database", "drop_pg_database"]  # used by tests

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the repo root; its absence is a failure, never a skip."""
    if not (SHARED_DATA / "pagasa").is_dir():
        pytest.fail(f"real data not found at {SHARED_DATA} (../shared/data beside the repo root)")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def bulletins_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """flood_risk writes a bulletin per issue: never into the checkout (services started by a
    test inherit the variable too)."""
    folder = tmp_path_factory.mktemp("bulletins")
    monkeypatch.setenv("FLOODINGNAQUE_BULLETIN_DIR", str(folder))
    return folder


# --- databases -------------------------------------------------------------------------------

from collections.abc import Iterator  # noqa: E402

from floodingnaque_pipeline.db.session import AppDatabase  # noqa: E402


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    name = create_pg_database()
    try:
        yield PG_URL_TEMPLATE.format(name=name)
    finally:
        drop_pg_database(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'app.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test using this runs once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.db'}"
        return
    name = create_pg_database()
    try:
        yield PG_URL_TEMPLATE.format(name=name)
    finally:
        drop_pg_database(name)


@pytest.fixture
def app_db(db_url: str) -> Iterator[AppDatabase]:
    """A migrated app database on each backend."""
    database = AppDatabase(db_url)
    database.migrate()
    try:
        yield database
    finally:
        database.dispose()


# --- the loopback Open-Meteo stand-in -------------------------------------------------------

from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo  # noqa: E402


@pytest.fixture
def fake_open_meteo() -> Iterator[FakeOpenMeteo]:
    with FakeOpenMeteo() as fake:
        yield fake
