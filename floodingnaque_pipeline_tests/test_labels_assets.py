"""station_observations / flood_events through Dagster on the real files, both backends."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.locations import load_default_locations
from floodingnaque_pipeline.sources.cdrrmo import parse_cdrrmo_csv
from floodingnaque_pipeline_tests.labels_support import (
    check,
    drop,
    ingest,
    logged_check,
    metadata,
    query,
    refusal,
)
from floodingnaque_pipeline_tests.labels_support import snapshot as snap

PAGASA_FILES = [
    ("naia_daily.csv", "naia", 1827, date(2024, 12, 31)),
    ("science_garden_daily.csv", "science-garden", 1827, date(2024, 12, 31)),
    ("port_area_daily.csv", "port-area", 1400, date(2023, 10, 31)),
]
SENTINEL_COLUMNS = {
    "RAINFALL": "rainfall_mm", "TMAX": "tmax_c", "TMIN": "tmin_c", "RH": "relative_humidity_pct",
    "WIND_SPEED": "wind_speed_ms", "WIND_DIRECTION": "wind_direction_deg",
}  # fmt: skip
# Spellings seen in the CDRRMO files -> canonical barangay (DESIGN.md).
MISSPELLED = {
    "STO NIÑO": "Santo Niño", "STO. NINO": "Santo Niño", "GREEN": "Marcelo Green",
    "PORRES": "San Martin de Porres", "SAN MARTIN DE": "San Martin de Porres",
    "ANTONIO": "San Antonio", "DIONISIO": "San Dionisio",
}  # fmt: skip


def _csv_rows(path: Path) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    return [r for r in rows[1:] if any(f.strip() for f in r)]


def test_all_pagasa_files_load_with_sentinels_counted(
    app_db: AppDatabase, db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    for name, station, days, last_day in PAGASA_FILES:
        source = shared_data / "pagasa" / name
        drop(tmp_path, f"pagasa/{name}", source)
        result = ingest(f"pagasa/{name}", db_url, tmp_path, instance)
        meta = metadata(result)
        assert (meta["rows_accepted"], meta["rows_rejected"]) == (days, 0)
        assert meta["date_span"] == f"2020-01-01 .. {last_day}"
        assert meta["file_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
        assert check(result).passed

        [(count, first, last, files)] = query(
            app_db,
            "SELECT count(*), min(observed_on), max(observed_on), count(DISTINCT source_file) "
            "FROM station_observations WHERE station = :s",
            s=station,
        )
        assert (count, str(first), str(last), files) == (days, "2020-01-01", str(last_day), 1)
        raw = list(csv.DictReader(source.open(encoding="utf-8", newline="")))
        for column, db_column in SENTINEL_COLUMNS.items():
            missing = sum(float(r[column]) == -999 for r in raw)
            [(nulls,)] = query(
                app_db,
                f"SELECT count(*) FROM station_observations WHERE station = :s "
                f"AND {db_column} IS NULL",
                s=station,
            )
            assert nulls == missing, (name, column)
        traces = sum(float(r["RAINFALL"]) == -1 for r in raw)
        [(stored_traces, zero_rain)] = query(
            app_db,
            "SELECT count(*), sum(CASE WHEN rainfall_mm = 0 THEN 1 ELSE 0 END) "
            "FROM station_observations WHERE station = :s AND rainfall_trace",
            s=station,
        )
        assert stored_traces == traces and (zero_rain or 0) == traces
    total = query(app_db, "SELECT count(*) FROM station_observations")[0][0]
    assert total == 1827 + 1827 + 1400
    assert query(app_db, "SELECT count(*) FROM ingest_rejections")[0][0] == 0
    # Both sentinels are exercised by the real data, not just by the arithmetic above.
    assert query(app_db, "SELECT count(*) FROM station_observations WHERE rainfall_trace")[0][0]
    assert query(app_db, "SELECT count(*) FROM station_observations WHERE tmax_c IS NULL")[0][0]


def test_flood_records_load_explained_and_reingest_is_idempotent(
    app_db: AppDatabase, db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    url = db_url
    instance = dg.DagsterInstance.ephemeral()
    canonical = {loc.name for loc in load_default_locations()}
    seen_misspelled = 0
    for year in (2022, 2023):
        relative = f"flood_records/flood_records_{year}.csv"
        source = drop(tmp_path, relative, shared_data / "flood_records" / relative.split("/")[1])
        result = ingest(relative, url, tmp_path, instance)
        assert result.success
        rows = _csv_rows(source)
        [(events,)] = query(app_db, "SELECT count(*) FROM flood_events WHERE source_file = :f",
                            f=relative)  # fmt: skip
        rejections = query(
            app_db,
            "SELECT row_number, reason, raw_row, file_sha256, run_id FROM ingest_rejections "
            "WHERE source = 'cdrrmo' AND file = :f ORDER BY row_number",
            f=relative,
        )
        assert events + len(rejections) == len(rows)
        assert (metadata(result)["rows_accepted"], metadata(result)["rows_rejected"]) == (
            events, len(rejections)
        )  # fmt: skip
        sha = hashlib.sha256(source.read_bytes()).hexdigest()
        assert all(r[1] and r[2] and r[3] == sha and r[4] == result.run_id for r in rejections)
        # Every row with an empty date is among the refusals, with that reason.
        lines = source.read_text(encoding="utf-8").splitlines()
        refused = {r[0]: r[1] for r in rejections}
        empty_date = [n for n, line in enumerate(lines[1:], 2) if line.split(",")[1] == ""]
        assert empty_date and all("missing date" in refused[n] for n in empty_date)
        # Barangays are stored as canonical names; misspellings are mapped.
        stored = query(app_db, "SELECT source_row, barangay FROM flood_events WHERE "
                       "source_file = :f", f=relative)  # fmt: skip
        assert {b for _, b in stored} <= canonical
        for row_number, barangay in stored:
            raw = next(csv.reader([lines[row_number - 1]]))[5].strip().upper()
            if raw in MISSPELLED:
                seen_misspelled += 1
                assert barangay == MISSPELLED[raw], (relative, row_number, raw)
    assert seen_misspelled >= 5

    before = snap(app_db)
    for year in (2022, 2023):
        again = ingest(f"flood_records/flood_records_{year}.csv", url, tmp_path, instance)
        meta = metadata(again)
        assert (meta["inserted"], meta["updated"], meta["removed"]) == (0, 0, 0)
    assert snap(app_db) == before


def test_unknown_layout_is_refused_whole_with_reason(
    app_db: AppDatabase, db_url: str, tmp_path: Path
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    relative = "flood_records/incidents_2024.csv"
    source = drop(tmp_path, relative, b"Incident,When,Where\n1,last night,Tambo\n")
    result = ingest(relative, db_url, tmp_path, instance, raise_on_error=False)
    headline, _ = refusal(result)  # refused whole: the run fails, the reason is its headline
    assert headline.startswith(f"{relative} refused whole: unrecognized layout")
    [(number, reason, sha)] = query(
        app_db, "SELECT row_number, reason, file_sha256 FROM ingest_rejections WHERE file = :f",
        f=relative,
    )  # fmt: skip
    assert number is None and "unrecognized layout" in reason
    assert "table-from-PDF export" in reason and "cleaned CSV" in reason  # the layouts known
    assert sha == hashlib.sha256(source.read_bytes()).hexdigest()
    assert query(app_db, "SELECT count(*) FROM flood_events")[0][0] == 0
    evaluation = logged_check(instance, result.run_id)
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR


def _rows_of(snapshot: dict[str, list[tuple[Any, ...]]], name: str) -> list[tuple[Any, ...]]:
    return [r for r in snapshot["flood_events"] if any(name in str(v) for v in r)]


def test_corrected_redrop_replaces_that_files_rows(
    app_db: AppDatabase, db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    url = db_url
    instance = dg.DagsterInstance.ephemeral()
    relative = "flood_records/flood_records_2022.csv"
    original = (shared_data / relative).read_text(encoding="utf-8").splitlines(keepends=True)
    drop(tmp_path, relative, shared_data / relative)
    drop(tmp_path, "flood_records/flood_records_2023.csv",
         shared_data / "flood_records/flood_records_2023.csv")  # fmt: skip
    ingest(relative, url, tmp_path, instance)
    ingest("flood_records/flood_records_2023.csv", url, tmp_path, instance)
    other_file = _rows_of(snap(app_db), "2023.csv")

    # Correction: rows 3-12 removed, row 2's barangay fixed, the empty-date rows dropped.
    kept = [original[0], original[1].replace("DIONISIO", "SAN ISIDRO"), *original[12:]]
    corrected = [line for line in kept if line.split(",")[1:2] != [""]]
    content = "".join(corrected).encode("utf-8")
    drop(tmp_path, relative, content)
    meta = metadata(ingest(relative, url, tmp_path, instance))
    assert meta["removed"] > 0 and meta["rows_rejected"] == 0

    expected = parse_cdrrmo_csv(content, relative)
    stored = query(app_db, "SELECT source_row, event_date, barangay FROM flood_events "
                   "WHERE source_file = :f ORDER BY source_row", f=relative)  # fmt: skip
    assert [(r, str(d), b) for r, d, b in stored] == [
        (e.row_number, str(e.event_date), e.barangay) for e in expected.records
    ]
    assert stored[0][2] == "San Isidro"
    assert query(app_db, "SELECT count(*) FROM ingest_rejections WHERE file = :f", f=relative) == [
        (0,)
    ]
    assert _rows_of(snap(app_db), "2023.csv") == other_file

    # PAGASA: a shorter NAIA file leaves only its days.
    naia = (shared_data / "pagasa/naia_daily.csv").read_text(encoding="utf-8").splitlines(True)
    drop(tmp_path, "pagasa/naia_daily.csv", shared_data / "pagasa/naia_daily.csv")
    ingest("pagasa/naia_daily.csv", url, tmp_path, instance)
    drop(tmp_path, "pagasa/naia_daily.csv", "".join(naia[:367]).encode("utf-8"))
    meta = metadata(ingest("pagasa/naia_daily.csv", url, tmp_path, instance))
    assert (meta["rows_accepted"], meta["removed"], meta["unchanged"]) == (366, 1461, 366)
    assert query(app_db, "SELECT count(*), max(observed_on) FROM station_observations")[0][0] == 366


@pytest.mark.parametrize("missing", ["pagasa/sangley.csv", "flood_records/gone.csv"])
def test_a_vanished_file_fails_the_run_and_writes_nothing(
    sqlite_url: str, tmp_path: Path, missing: str
) -> None:
    result = ingest(missing, sqlite_url, tmp_path, dg.DagsterInstance.ephemeral(), False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "is gone from" in str(failure.event_specific_data.error)


def test_the_exports_as_published_land_with_every_record_accounted_for(
    app_db: AppDatabase, db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    """raw_2022/2023/2025 through the landing folder: each printed record number is a stored
    event or a refusal, every refusal has a reason, and the raw and cleaned 2022 files give the
    same flood days."""
    instance = dg.DagsterInstance.ephemeral()
    names = ["raw_2022.csv", "raw_2023.csv", "raw_2025.csv", "flood_records_2022.csv"]
    for name in names:
        relative = f"flood_records/{name}"
        drop(tmp_path, relative, shared_data / relative)
        assert ingest(relative, db_url, tmp_path, instance).success
    for name in names[:3]:
        relative = f"flood_records/{name}"
        # range_day 0: a record printed with a range ("1 and 2") is stored once per day.
        numbers = query(app_db, "SELECT source_record FROM flood_events WHERE source_file = :f "
                        "AND range_day = 0", f=relative)  # fmt: skip
        refused = query(app_db, "SELECT row_number, reason FROM ingest_rejections "
                        "WHERE file = :f", f=relative)  # fmt: skip
        assert numbers and all(number is not None for (number,) in numbers)
        assert all(row is not None and reason.strip() for row, reason in refused)
        parsed = parse_cdrrmo_csv((shared_data / relative).read_bytes(), relative)
        refused_numbers = {int(r.reason.split(":")[0].split("#")[-1].split()[-1])
                           for r in parsed.rejections}  # fmt: skip
        printed = sorted([n for (n,) in numbers] + sorted(refused_numbers))
        assert printed == list(range(1, len(printed) + 1)), name  # none lost, none twice
        assert len(refused) == len(parsed.rejections)
    days = {
        name: {d for (d,) in query(app_db, "SELECT DISTINCT event_date FROM flood_events "
                                   "WHERE source_file = :f", f=f"flood_records/{name}")}
        for name in ("raw_2022.csv", "flood_records_2022.csv")
    }  # fmt: skip
    assert days["raw_2022.csv"] == days["flood_records_2022.csv"] and len(days["raw_2022.csv"]) > 5
