"""Broken landing files, a database that refuses a row, and the rejection-ratio check levels."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import text

from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.sources.cdrrmo import parse_cdrrmo_csv
from floodingnaque_pipeline.sources.pagasa import parse_pagasa_csv
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

PAGASA = "pagasa/naia_daily.csv"
CDRRMO = "flood_records/flood_records_2022.csv"
HEADER = "YEAR,MONTH,DAY,RAINFALL,TMAX,TMIN,RH,WIND_SPEED,WIND_DIRECTION"


def _truncate_last_line(text: str) -> bytes:
    lines = text.rstrip("\n").split("\n")
    return "\n".join([*lines[:-1], lines[-1][:12]]).encode("utf-8")  # cut mid-row, no newline


def _extra_column(text: str) -> bytes:
    lines = text.splitlines()
    return "\n".join([lines[0] + ",SUNSHINE", *(line + ",5" for line in lines[1:])]).encode()


def _missing_column(text: str, index: int) -> bytes:
    rows = [line.split(",") for line in text.splitlines()]
    return "\n".join(",".join(r[:index] + r[index + 1 :]) for r in rows).encode("utf-8")


# An empty read fails the run instead (test_landing_integrity): the file may be mid-rewrite.
# A cp1252/Latin-1 file is read with a note instead (test_encodings).
# case -> (make bad bytes from the real file's text, expected reason, whole file refused?)
CASES: dict[str, tuple[Callable[[str], bytes], str, bool]] = {
    "utf16": (lambda t: t.encode("utf-16"), "not UTF-8 encoded", True),
    "truncated-last-line": (_truncate_last_line, "expected", False),
    "header-only": (lambda t: t.splitlines()[0].encode() + b"\n", "no data rows", True),
    "extra-column": (_extra_column, "unknown/extra column(s) 'SUNSHINE'", True),
    "missing-column": (lambda t: _missing_column(t, 6), "missing column(s)", True),
}
SOURCES = {PAGASA: ("pagasa", parse_pagasa_csv), CDRRMO: ("cdrrmo", parse_cdrrmo_csv)}


@pytest.mark.parametrize("relative", [PAGASA, CDRRMO], ids=["pagasa", "cdrrmo"])
@pytest.mark.parametrize("case", list(CASES))
def test_bad_file_is_explained_never_crashes_never_half_written(
    app_db: AppDatabase, db_url: str, shared_data: Path, tmp_path: Path, relative: str, case: str
) -> None:
    make, needle, whole = CASES[case]
    content = make((shared_data / relative).read_text(encoding="utf-8"))
    drop(tmp_path, relative, content)
    instance = dg.DagsterInstance.ephemeral()
    result = ingest(relative, db_url, tmp_path, instance, raise_on_error=False)
    # Refused whole: the run fails with the reason as its headline (issue 22, item 0).
    assert result.success == (not whole)
    meta = refusal(result)[1] if whole else metadata(result)

    source, parse = SOURCES[relative]
    expected = parse(content, relative)
    table = "station_observations" if source == "pagasa" else "flood_events"
    [(stored,)] = query(app_db, f"SELECT count(*) FROM {table} WHERE source_file = :f", f=relative)
    assert stored == len(expected.records) == (0 if whole else stored)
    refused = query(
        app_db,
        "SELECT row_number, reason FROM ingest_rejections WHERE source = :s AND file = :f "
        "ORDER BY row_number",
        s=source,
        f=relative,
    )
    assert sorted(refused, key=str) == sorted(
        ((r.row_number, r.reason) for r in expected.rejections), key=str
    )
    assert any(needle in reason for _, reason in refused)
    assert meta["rows_rejected"] == len(refused)
    evaluation = logged_check(instance, result.run_id) if whole else check(result)
    if whole:
        assert refused[0][1] in refusal(result)[0]
        assert refused == [(None, refused[0][1])]
        assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    else:
        last_line = len(content.decode().splitlines())
        assert any(n == last_line and "expected" in r for n, r in refused)
        assert stored > 100 and evaluation.passed


def _install_refusing_trigger(database: AppDatabase, day: str) -> None:
    """The database itself refuses one row (not the parser): a real trigger on each backend."""
    if database.dialect == "postgresql":
        statements = [
            "CREATE FUNCTION refuse_day() RETURNS trigger AS $$ BEGIN "
            f"IF NEW.observed_on = DATE '{day}' THEN RAISE EXCEPTION 'refused by trigger'; "
            "END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_day BEFORE INSERT OR UPDATE ON station_observations "
            "FOR EACH ROW EXECUTE FUNCTION refuse_day()",
        ]
    else:
        statements = [
            f"CREATE TRIGGER refuse_{event} BEFORE {event} ON station_observations "
            f"WHEN NEW.observed_on = '{day}' BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END"
            for event in ("INSERT", "UPDATE")
        ]
    with database.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def test_database_refusing_a_row_mid_file_writes_nothing_of_that_file(
    app_db: AppDatabase, db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    port = "pagasa/port_area_daily.csv"
    original = (shared_data / port).read_text(encoding="utf-8").splitlines(keepends=True)
    drop(tmp_path, port, shared_data / port)
    assert ingest(port, db_url, tmp_path, instance).success
    before = snap(app_db)
    assert len(before["station_observations"]) == 1400

    _install_refusing_trigger(app_db, "2021-06-15")
    # v2: 100 days fewer (stale deletes), one bad row (a refusal) and the refused day inside.
    v2 = [*original[:5], "2020,1,5,0,30,24,140,2,90\n", *original[6:-100]]
    drop(tmp_path, port, "".join(v2).encode("utf-8"))
    failed = ingest(port, db_url, tmp_path, instance, raise_on_error=False)
    assert not failed.success
    error = str(next(e for e in failed.all_events if e.is_step_failure).event_specific_data.error)
    assert "refused by trigger" in error and "station_observations" in error
    assert snap(app_db) == before  # v1 rows, no refusals: nothing of v2 survived

    # A file seen for the first time: nothing at all, neither rows nor refusals.
    naia = "pagasa/naia_daily.csv"
    drop(tmp_path, naia, shared_data / naia)
    assert not ingest(naia, db_url, tmp_path, instance, raise_on_error=False).success
    assert snap(app_db) == before


@pytest.mark.parametrize(
    ("bad_rows", "passed", "severity"),
    [
        (2, True, dg.AssetCheckSeverity.WARN),  # 2 / 22 = 9 %: fine
        (3, False, dg.AssetCheckSeverity.WARN),  # 3 / 23 = 13 %
        (25, False, dg.AssetCheckSeverity.ERROR),  # 25 / 45 = 56 %: mostly bad
    ],
)
def test_rejection_ratio_check_levels(
    sqlite_url: str, tmp_path: Path, bad_rows: int, passed: bool, severity: dg.AssetCheckSeverity
) -> None:
    good = [f"2021,1,{d},0,30,24,80,2,90" for d in range(1, 21)]
    bad = [f"2021,2,{d},0,30,24,180,2,90" for d in range(1, bad_rows + 1)]  # RH 180
    drop(tmp_path, PAGASA, "\n".join([HEADER, *good, *bad]).encode())
    result = ingest(PAGASA, sqlite_url, tmp_path, dg.DagsterInstance.ephemeral())
    assert result.success
    evaluation = check(result)
    assert (evaluation.passed, evaluation.severity) == (passed, severity)
    assert evaluation.metadata["rows_rejected"].value == bad_rows
    assert metadata(result)["rejection_ratio"] == pytest.approx(bad_rows / (20 + bad_rows))
