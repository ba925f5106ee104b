"""flood_features on the real PAGASA and CDRRMO files, both backends; the one-year model."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg

from floodingnaque_pipeline.db.models_features import FEATURE_COLUMN_NAMES
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.ml.features import FEATURE_COLUMNS
from floodingnaque_pipeline.ml.impact_train import NO_YEARS
from floodingnaque_pipeline_tests.labels_support import query
from floodingnaque_pipeline_tests.ml_support import (
    ML_ASSETS,
    load_real_labels,
    materialization_metadata,
    run_ml,
    write_stand_in_weather,
)

FLOOD_DAYS_2022 = {
    date(2022, 3, 14),
    date(2022, 5, 15),
    date(2022, 6, 8),
    date(2022, 9, 10),
    date(2022, 10, 19),
    date(2022, 10, 29),
    date(2022, 10, 30),
}


def _station_rain(path: Path) -> dict[date, float | None]:
    out: dict[date, float | None] = {}
    for r in csv.DictReader(path.open(encoding="utf-8")):
        value = float(r["RAINFALL"])
        day = date(int(r["YEAR"]), int(r["MONTH"]), int(r["DAY"]))
        out[day] = None if value == -999 else 0.0 if value == -1 else value
    return out


def _normal(row: tuple) -> tuple:
    """Raw SQL hands SQLite dates as text and booleans as 0/1: one shape for both backends."""
    day, *rest, label = row
    day = day if isinstance(day, date) else date.fromisoformat(day)
    return (day, *rest, None if label is None else bool(label))


def test_the_table_and_ml_name_the_same_features() -> None:
    # db derives its list from the table (no ml import); the two must not drift apart.
    assert FEATURE_COLUMN_NAMES == FEATURE_COLUMNS


def test_features_line_up_with_pagasa_days_and_flood_records(
    app_db: AppDatabase, db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    load_real_labels(app_db, db_url, shared_data, tmp_path, instance)
    meta = materialization_metadata(
        run_ml([ML_ASSETS["features"]], db_url, instance), "flood_features"
    )
    # Only 2022 is covered: the 2023 file's refused filled-down dates leave 2023 unlabelled.
    assert meta["covered_years"] == "2022"
    assert meta["positive_days"] == len(FLOOD_DAYS_2022)
    # 16 locations x every day some gauge row closes on (rows of 2020-2024 feed the next day)
    assert meta["rows"] == 16 * 1827

    rows = query(
        app_db,
        "SELECT f.day, f.rain_1d_mm, f.rain_2d_mm, f.rain_source, f.label "
        "FROM flood_features f JOIN locations l ON l.id = f.location_id "
        "WHERE l.slug = 'santo-nino' ORDER BY f.day",
    )
    rows = [_normal(r) for r in rows]
    naia = _station_rain(shared_data / "pagasa" / "naia_daily.csv")
    port = _station_rain(shared_data / "pagasa" / "port_area_daily.csv")
    fallbacks = 0
    assert rows[0][0] == date(2020, 1, 2) and rows[-1][0] == date(2025, 1, 1)
    for day, rain, _, source, label in rows:
        # The PAGASA row dated D-1 (08:00 D-1 .. 08:00 D) closes at day D's issue time.
        row_day = day - timedelta(days=1)
        if naia[row_day] is not None:
            assert (source, rain) == ("station:naia", naia[row_day]), day
        else:  # NAIA missing: the next nearest gauge covering the day
            fallbacks += 1
            nearest = "port-area" if port.get(row_day) is not None else "science-garden"
            assert source == f"station:{nearest}"
        assert (label is None) == (day.year != 2022), day
    assert fallbacks > 0
    by_day = {r[0]: r for r in rows}
    # Typhoon Paeng: NAIA's 178 mm (row 2022-10-29, 08:00 29th .. 08:00 30th) is known at
    # 08:00 on the 30th, so it is a feature of the 30th, not of the 29th.
    assert by_day[date(2022, 10, 29)][1:] == (32.0, 32.0 + by_day[date(2022, 10, 28)][1],
                                               "station:naia", True)  # fmt: skip
    assert by_day[date(2022, 10, 30)][1:] == (178.0, 210.0, "station:naia", True)
    assert by_day[date(2022, 10, 31)][1:3] == (6.5, 184.5)
    assert by_day[date(2022, 10, 28)][4] is False

    positive_days = {
        _normal((r[0], None))[0]
        for r in query(app_db, "SELECT DISTINCT day FROM flood_features WHERE label")
    }
    assert positive_days == FLOOD_DAYS_2022
    flooded_on_paeng = query(
        app_db, "SELECT count(*) FROM flood_features WHERE day = '2022-10-29' AND label"
    )[0][0]
    assert flooded_on_paeng >= 8  # 17 records across many barangays


def test_one_labelled_year_is_stored_but_not_current_with_its_rain_map(
    pg_url: str, shared_data: Path, tmp_path: Path
) -> None:
    database = AppDatabase(pg_url)
    database.migrate()
    instance = dg.DagsterInstance.ephemeral()
    try:
        load_real_labels(database, pg_url, shared_data, tmp_path, instance)
        # 60 days of hourly stand-in weather beside the real gauges: days with both.
        write_stand_in_weather(database, datetime(2022, 9, 1, tzinfo=UTC), dry=False,
                               days_back=60)  # fmt: skip
        result = run_ml(
            [ML_ASSETS["features"], ML_ASSETS["model"]], pg_url, instance, raise_on_error=False
        )
        (evaluation,) = result.get_asset_check_evaluations()
        assert not evaluation.passed
        [(current, reason, scheme, artifact_sha, params)] = query(
            database,
            "SELECT is_current, not_current_reason, evaluation_scheme, artifact_sha256, params "
            "FROM model_versions",
        )
        assert (current, reason, scheme) == (False, NO_YEARS, "none")
        assert len(artifact_sha) == 64
        comparison = materialization_metadata(result, "flood_features")["served_vs_gauge_rain"]
        assert "| mean_mm |" in comparison and "paired location-days" in comparison
        rain_map = params["rain_quantile_map"]  # the map the rows were built with, kept
        assert len(rain_map["served"]) == len(rain_map["gauge"]) > 10
    finally:
        database.dispose()
