"""Landing edge cases (issue 22, item 4): a 0-byte file waits, then is refused once as "empty
file"; a 200 kB cell is a refusal with its line, not a crash; a folder named like a CSV is named
in the sensor's log; stored reasons are cut to 1,000 characters, the full text in the run log."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.label_ingest import EMPTY_SHA256
from floodingnaque_pipeline.landing import unusable_landing_files
from floodingnaque_pipeline.landing_state import (
    EMPTY_SETTLE_S,
    RunOutcome,
    waiting_empty,
)
from floodingnaque_pipeline.sources.csv_files import MAX_REASON_CHARS
from floodingnaque_pipeline_tests.labels_support import drop, ingest, metadata, query, refusal
from floodingnaque_pipeline_tests.test_landing_state import Sensor

NAIA = "pagasa/naia_daily.csv"
RAW_2023 = "flood_records/raw_2023.csv"
BIG_CELL = "x" * 200_000  # over the csv module's field limit of 131,072 characters


def test_an_empty_file_waits_then_gets_one_run_that_is_not_repeated(tmp_path: Path) -> None:
    sensor = Sensor(tmp_path)
    drop(tmp_path, NAIA, b"")
    assert sensor.tick() == []  # first sight: settling
    ticks = 0
    while sensor.now - 1_000_030.0 < EMPTY_SETTLE_S - 30:  # every 30 s: nothing requested
        assert sensor.tick() == [], f"requested after {ticks} ticks"
        ticks += 1
        assert any(w.startswith(f"{NAIA} is empty (0 bytes)") for w in waiting_empty(
            sensor.cursor, sensor.now))  # fmt: skip
    [ready] = sensor.tick(advance=60)
    assert ready.sha256 == EMPTY_SHA256 and ready.attempt == 1
    assert waiting_empty(sensor.cursor, sensor.now) == []
    sensor.outcomes[ready.run_key] = RunOutcome.REFUSED  # the run stored "empty file"
    for advance in (30, 3600, 86_400):
        assert sensor.tick(advance=advance) == []
    # Written at last: new bytes, requested at once.
    drop(tmp_path, NAIA, b"YEAR\n")
    [written] = sensor.settle()
    assert written.sha256 != EMPTY_SHA256


def test_a_settled_empty_file_is_refused_once_as_empty_keeping_stored_rows(
    app_db: AppDatabase, db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    drop(tmp_path, NAIA, shared_data / NAIA)
    assert ingest(NAIA, db_url, tmp_path, instance).success
    drop(tmp_path, NAIA, b"")
    tags = {"floodingnaque/file_sha256": EMPTY_SHA256}  # what the sensor hashed, settled
    headline, _ = refusal(ingest(NAIA, db_url, tmp_path, instance, False, tags=tags))
    assert headline.startswith(f"{NAIA} refused whole: empty file (0 bytes")
    [(row, reason)] = query(app_db, "SELECT row_number, reason FROM ingest_rejections")
    assert row is None and reason.startswith("empty file")
    assert query(app_db, "SELECT count(*) FROM station_observations") == [(1827,)]


def test_a_200_kb_cell_is_a_refusal_with_its_line_not_a_crash(
    app_db: AppDatabase, db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    # A PDF export, read whole before it is split into cells: the whole file stops there.
    lines = (shared_data / RAW_2023).read_text(encoding="utf-8").splitlines()
    drop(tmp_path, RAW_2023, "\n".join([*lines[:5], f'1,"{BIG_CELL}",x', *lines[5:]]).encode())
    headline, _ = refusal(ingest(RAW_2023, db_url, tmp_path, instance, raise_on_error=False))
    assert "malformed CSV at line 6 (a line of 200,006 characters)" in headline
    assert "field larger than field limit" in headline
    [(row, reason)] = query(app_db, "SELECT row_number, reason FROM ingest_rejections")
    assert row == 6 and "line 6" in reason
    # A PAGASA file is split line by line: that row alone is refused.
    naia = (shared_data / NAIA).read_text(encoding="utf-8").splitlines()
    drop(
        tmp_path,
        NAIA,
        "\n".join([*naia[:5], f'2021,1,1,"{BIG_CELL}",1,1,1,1,1', *naia[6:]]).encode(),
    )
    result = ingest(NAIA, db_url, tmp_path, instance)
    assert metadata(result)["rows_accepted"] == 1826
    [(row, reason)] = query(
        app_db, "SELECT row_number, reason FROM ingest_rejections WHERE file = :f", f=NAIA
    )
    assert row == 6 and "field larger than field limit" in reason


def test_a_folder_named_like_a_csv_is_named_in_the_sensors_log(tmp_path: Path) -> None:
    (tmp_path / "pagasa" / "naia_daily.csv").mkdir(parents=True)
    drop(tmp_path, "flood_records/raw_2023.csv", b"a\n")
    assert unusable_landing_files(tmp_path) == [
        "pagasa/naia_daily.csv/ (a folder named like a file; drop the CSV itself)"
    ]


def test_a_huge_reason_is_stored_cut_with_the_full_text_in_the_run_log(
    app_db: AppDatabase, db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    naia = (shared_data / NAIA).read_text(encoding="utf-8").splitlines()
    cell = "9x" * 60_000  # under the field limit: the reason quotes it whole
    drop(tmp_path, NAIA, "\n".join([*naia[:5], f"2021,1,1,{cell},1,1,1,1,1", *naia[6:]]).encode())
    result = ingest(NAIA, db_url, tmp_path, instance)
    [(reason, raw)] = query(app_db, "SELECT reason, raw_row FROM ingest_rejections")
    assert len(reason) < MAX_REASON_CHARS + 60 and reason.startswith("non-numeric RAINFALL '9x9x")
    assert reason.endswith(" chars; full text in the run log)") and len(raw) < 10_100
    logged = [e.user_message for e in instance.all_logs(result.run_id)]
    assert any(cell in message and "line 6" in message for message in logged)
