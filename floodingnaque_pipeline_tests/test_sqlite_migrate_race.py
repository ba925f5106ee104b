"""Two processes migrating one fresh SQLite app database at once (two first `dg launch` runs)
both end at head. Without a lock both ran the DDL and one failed with "duplicate column name"."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from floodingnaque_pipeline.db.migrate import current_revision, head_revision
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline_tests.test_session import MIGRATE_SCRIPT

TRIALS = 3


@pytest.mark.parametrize("trial", range(TRIALS))
def test_two_processes_migrate_a_fresh_sqlite_at_once(tmp_path: Path, trial: int) -> None:
    url = f"sqlite:///{tmp_path / 'floodingnaque.db'}"
    start_at = str(time.time() + 4.0)  # both start together, after their imports
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE_SCRIPT, url, start_at],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err[-3000:]
        assert "migrated" in out
    database = AppDatabase(url)
    try:
        assert current_revision(database.engine) == head_revision()
    finally:
        database.dispose()
