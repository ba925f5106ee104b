"""Two processes upserting into one SQLite file at once (two `dg launch` of `locations` on a fresh
instance did this): neither may fail with "database is locked". The staging table made SQLite
open a transaction whose snapshot of the main table went stale once the other side committed,
and a stale snapshot cannot take the write lock: SQLite fails it at once, without the busy wait.
"""

from __future__ import annotations

import threading
from pathlib import Path

from floodingnaque_pipeline.db.locations import sync_locations
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.locations import load_default_locations

ROUNDS = 60


def test_two_writers_upserting_the_same_rows_never_see_a_locked_database(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    AppDatabase(url).migrate()
    monitored = load_default_locations()
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def writer() -> None:
        database = AppDatabase(url)  # a process of its own would have its own engine
        start.wait()
        try:
            for _ in range(ROUNDS):
                with database.session() as session:
                    sync_locations(session, monitored)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            database.dispose()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
