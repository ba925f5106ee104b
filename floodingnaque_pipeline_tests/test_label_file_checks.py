"""The label assets' per-file checks through real runs: records repeating another file's are
flagged (WARN) and kept; a cp1252 file is stored whole with its fallback in the run."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.sources.cdrrmo import parse_cdrrmo_csv
from floodingnaque_pipeline_tests.labels_support import check, drop, ingest, metadata, query

REPEATS = "no_cross_file_duplicates"
HEADER = "YEAR,MONTH,DAY,RAINFALL,TMAX,TMIN,RH,WIND_SPEED,WIND_DIRECTION"


def _naia(days: range, rain: float) -> bytes:
    rows = [f"2021,1,{d},{rain},30,24,80,2,90" for d in days]
    return "\n".join([HEADER, *rows]).encode()


def test_station_days_in_two_files_are_flagged_naming_the_other(
    app_db: AppDatabase, db_url: str, tmp_path: Path
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    first, second = "pagasa/naia_daily.csv", "pagasa/NAIA Daily.csv"  # same station
    drop(tmp_path, first, _naia(range(1, 11), 1.0))
    alone = ingest(first, db_url, tmp_path, instance)
    assert check(alone, REPEATS).passed and check(alone).passed

    drop(tmp_path, second, _naia(range(8, 16), 2.0))  # 8..10 were the first file's
    both = ingest(second, db_url, tmp_path, instance)
    evaluation = check(both, REPEATS)
    assert (evaluation.passed, evaluation.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert evaluation.metadata["rows_repeated"].value == 3
    assert evaluation.metadata["other_files"].value == {first: 3}
    assert "line 2 = pagasa/naia_daily.csv line 9" in evaluation.metadata["examples"].value
    # Flagged, not refused: the later file holds the three days, nothing is lost or doubled.
    rows = query(app_db, "SELECT observed_on, source_file FROM station_observations")
    assert len(rows) == 15
    assert sum(f == second for _, f in rows) == 8


def test_raw_export_and_its_cleaned_copy_are_flagged_not_refused(
    app_db: AppDatabase, db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    raw, cleaned = "flood_records/raw_2022.csv", "flood_records/flood_records_2022.csv"
    drop(tmp_path, raw, shared_data / raw)
    drop(tmp_path, cleaned, shared_data / cleaned)
    first = ingest(raw, db_url, tmp_path, instance)
    assert check(first, REPEATS).passed

    second = ingest(cleaned, db_url, tmp_path, instance)
    evaluation = check(second, REPEATS)
    assert (evaluation.passed, evaluation.severity) == (False, dg.AssetCheckSeverity.WARN)
    # Both copies kept; every repeat found in the database, and only those, named by file.
    counts = dict(query(app_db, "SELECT source_file, count(*) FROM flood_events GROUP BY 1"))
    assert counts == {raw: metadata(first)["rows_accepted"], cleaned: 107}
    [(shared,)] = query(
        app_db,
        "SELECT count(*) FROM flood_events c WHERE c.source_file = :c AND EXISTS (SELECT 1 "
        "FROM flood_events r WHERE r.source_file = :r AND r.event_date = c.event_date AND "
        "abs(r.latitude - c.latitude) < 1e-7 AND abs(r.longitude - c.longitude) < 1e-7)",
        c=cleaned,
        r=raw,
    )
    assert shared > 50
    assert evaluation.metadata["rows_repeated"].value == shared
    assert evaluation.metadata["other_files"].value == {raw: shared}
    assert check(second).passed  # the rejection ratio is unaffected


def test_latin1_flood_file_is_stored_whole_and_the_run_says_why(
    app_db: AppDatabase, db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    relative = "flood_records/flood_records_2022.csv"
    latin1 = (shared_data / relative).read_text(encoding="utf-8").encode("latin-1")
    drop(tmp_path, relative, latin1)
    instance = dg.DagsterInstance.ephemeral()
    result = ingest(relative, db_url, tmp_path, instance)
    assert metadata(result)["rows_accepted"] == 107
    assert "cp1252" in metadata(result)["parse_notes"]
    warnings = [
        e.user_message
        for e in instance.all_logs(result.run_id)
        if e.level == 30 and "cp1252" in e.user_message  # logging.WARNING
    ]
    assert len(warnings) == 1
    # Stored exactly as the UTF-8 original parses: line 11's "STO NIÑO" read as a barangay
    # name (a mangled "NIÃ\x91O" would only be placed by its coordinates: inferred).
    expected = parse_cdrrmo_csv((shared_data / relative).read_bytes(), relative).records
    stored = query(app_db, "SELECT source_row, barangay, barangay_inferred, location_text "
                   "FROM flood_events ORDER BY source_row")  # fmt: skip
    assert stored == [
        (e.row_number, e.barangay, e.barangay_inferred, e.location_text) for e in expected
    ]
