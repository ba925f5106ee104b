"""The run ingests exactly the bytes the sensor hashed, from regular files inside the landing
folder only: a rewrite, an empty read, a symlink, a FIFO or an oversized file never costs the
rows already stored, and nothing outside the folder reaches the database."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import dagster as dg
import pytest

from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.landing import (
    CappedReader,
    LandingFileRefused,
    list_landing_files,
    open_landing_file,
    unusable_landing_files,
)
from floodingnaque_pipeline_tests.labels_support import drop, ingest, query, refusal

RECORDS = "flood_records/flood_records_2022.csv"
SECRET = b"POSTGRES_PASSWORD=hunter2-secret\n"


def read_landing_file(root: Path, relative_path: str, max_bytes: int) -> bytes:
    """What the ingest reads: the safe open, then the capped, hashing reader."""
    with CappedReader(open_landing_file(root, relative_path), relative_path, max_bytes) as raw:
        return io.BufferedReader(raw).read()


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _failure(result: dg.ExecuteInProcessResult) -> str:
    assert not result.success
    return str(next(e for e in result.all_events if e.is_step_failure).event_specific_data.error)


def test_bytes_changed_or_emptied_after_hashing_fail_without_touching_rows(
    app_db: AppDatabase, db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    original = (shared_data / RECORDS).read_bytes()
    drop(tmp_path, RECORDS, original)
    tags = {"floodingnaque/file_sha256": _sha(original)}
    assert ingest(RECORDS, db_url, tmp_path, instance, tags=tags).success
    stored = query(app_db, "SELECT count(*) FROM flood_events")
    assert stored == [(107,)]

    # Rewritten while the run was queued: the run sees other bytes than were hashed.
    drop(tmp_path, RECORDS, original[: len(original) // 2])
    error = _failure(ingest(RECORDS, db_url, tmp_path, instance, False, tags=tags))
    assert "changed after the landing sensor hashed it" in error
    # Truncated to nothing mid-rewrite, with or without the sensor's digest.
    drop(tmp_path, RECORDS, b"")
    for run_tags in (tags, None):
        error = _failure(ingest(RECORDS, db_url, tmp_path, instance, False, tags=run_tags))
        assert "read as 0 bytes" in error
    assert query(app_db, "SELECT count(*) FROM flood_events") == stored
    assert query(app_db, "SELECT count(*) FROM ingest_rejections") == [(2,)]


def test_symlinks_are_neither_listed_nor_read(tmp_path: Path) -> None:
    landing, outside = tmp_path / "landing", tmp_path / "outside"
    outside.mkdir()
    (outside / "env.csv").write_bytes(SECRET)
    os.chmod(outside / "env.csv", 0o600)
    drop(landing, "pagasa/real.csv", b"a\n")
    (landing / "pagasa" / "link.csv").symlink_to(outside / "env.csv")
    (landing / "flood_records").symlink_to(outside)  # the whole folder is a link

    assert list_landing_files(landing) == ["pagasa/real.csv"]
    unusable = unusable_landing_files(landing)
    assert any(u.startswith("pagasa/link.csv (a symlink") for u in unusable)
    assert any(u.startswith("flood_records/ (a symlink") for u in unusable)
    with pytest.raises(LandingFileRefused, match="symlink"):
        read_landing_file(landing, "pagasa/link.csv", 1 << 20)
    with pytest.raises(LandingFileRefused, match="symlink"):
        read_landing_file(landing, "flood_records/env.csv", 1 << 20)


def test_a_fifo_or_a_file_over_the_cap_is_refused_not_read(tmp_path: Path) -> None:
    drop(tmp_path, "pagasa/big.csv", b"x" * 2048)
    os.mkfifo(tmp_path / "pagasa" / "pipe.csv")
    assert list_landing_files(tmp_path) == ["pagasa/big.csv"]
    with pytest.raises(LandingFileRefused, match="not a regular file"):
        read_landing_file(tmp_path, "pagasa/pipe.csv", 1 << 20)  # would block if opened plainly
    with pytest.raises(LandingFileRefused, match="over the landing size limit of 1,024 bytes"):
        read_landing_file(tmp_path, "pagasa/big.csv", 1024)
    assert read_landing_file(tmp_path, "pagasa/big.csv", 2048) == b"x" * 2048


def test_a_symlinked_partition_materialized_by_hand_is_refused_with_no_content(
    app_db: AppDatabase, db_url: str, tmp_path: Path
) -> None:
    (tmp_path / "outside.csv").write_bytes(SECRET)
    drop(tmp_path / "landing", "flood_records/x.csv", b"")
    os.remove(tmp_path / "landing" / "flood_records" / "x.csv")
    (tmp_path / "landing" / "flood_records" / "x.csv").symlink_to(tmp_path / "outside.csv")
    instance = dg.DagsterInstance.ephemeral()
    result = ingest("flood_records/x.csv", db_url, tmp_path / "landing", instance, False)
    headline, _ = refusal(result)  # refused whole: a failed run, the reason its headline
    [(reason, raw)] = query(app_db, "SELECT reason, raw_row FROM ingest_rejections")
    assert "symlink" in reason and "hunter2" not in reason + raw + headline


def test_an_oversized_file_is_refused_whole_with_the_limit_named(
    app_db: AppDatabase, db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    drop(tmp_path, RECORDS, shared_data / RECORDS)
    instance = dg.DagsterInstance.ephemeral()
    result = ingest(RECORDS, db_url, tmp_path, instance, False, max_bytes=4096)
    assert "size limit of 4,096 bytes" in refusal(result)[0]
    [(row_number, reason)] = query(app_db, "SELECT row_number, reason FROM ingest_rejections")
    assert row_number is None and "size limit of 4,096 bytes" in reason
    assert query(app_db, "SELECT count(*) FROM flood_events") == [(0,)]
