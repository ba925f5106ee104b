"""The helpers each repeated thing now lives in: haversine, Markdown tables, stale-row delete."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.db.stale_rows import delete_stale_rows
from floodingnaque_pipeline.domain.geo import EARTH_RADIUS_KM, haversine_km
from floodingnaque_pipeline.domain.markdown import markdown_table


def test_haversine_scalar_and_broadcast_agree() -> None:
    # One degree along a meridian is R * pi / 180.
    assert float(haversine_km(0.0, 0.0, 1.0, 0.0)) == pytest.approx(EARTH_RADIUS_KM * math.pi / 180)
    assert float(haversine_km(14.5, 121.0, 14.5, 121.0)) == 0.0
    lats, lons = np.array([14.50, 14.53, 14.47]), np.array([121.00, 120.99, 121.02])
    many = haversine_km(14.51, 121.01, lats, lons)
    assert many.shape == (3,)
    assert many.tolist() == pytest.approx(
        [float(haversine_km(14.51, 121.01, a, b)) for a, b in zip(lats, lons, strict=True)]
    )
    assert math.isnan(float(haversine_km(float("nan"), 121.0, 14.5, 121.0)))


def test_markdown_table_escapes_cells_and_aligns_columns() -> None:
    table = markdown_table(["n", "text"], [(3, "a|b\nc"), (None, "x" * 10)], width=5, align="r")
    assert table.splitlines() == [
        "| n | text |",
        "|---:|---|",
        "| 3 | a\\|b  |",
        "|  | xxxxx |",
    ]


def test_delete_stale_rows_keeps_the_kept_within_its_scope(app_db: AppDatabase) -> None:
    metadata = MetaData()
    table = Table(
        "stale_rows_probe",
        metadata,
        Column("file", String(20), primary_key=True),
        Column("a", Integer, primary_key=True),
        Column("b", Integer, primary_key=True),
    )
    metadata.create_all(app_db.engine)
    rows = [{"file": f, "a": a, "b": b} for f in ("x", "y") for a in range(30) for b in range(30)]
    keep = {(a, b) for a in range(30) for b in range(30) if (a + b) % 3 == 0}
    with app_db.engine.begin() as connection:
        connection.execute(insert(table), rows)
        # 900 rows of file x, 600 stale: several DELETE batches of 400 two-column keys.
        removed = delete_stale_rows(connection, table, ["a", "b"], keep, table.c.file == "x")
    with app_db.engine.connect() as connection:
        left = connection.execute(select(table.c.file, table.c.a, table.c.b)).all()
    assert removed == 900 - len(keep)
    assert {(a, b) for f, a, b in left if f == "x"} == keep
    assert sum(1 for f, _, _ in left if f == "y") == 900  # outside the scope: untouched
