"""Storing and reading flood_features (one transaction, the table mirrors the latest build)."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.models import FloodFeature
from floodingnaque_pipeline.db.models_features import FEATURE_COLUMN_NAMES as FEATURE_COLUMNS
from floodingnaque_pipeline.db.stale_rows import delete_stale_rows
from floodingnaque_pipeline.db.upsert import UpsertCounts, upsert_rows

KEY = ["location_id", "day"]
VALUES = ["label", *FEATURE_COLUMNS, "rain_source"]


def _clean(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def store_features(
    session: Session, frame: pd.DataFrame, run_id: str | None
) -> tuple[UpsertCounts, int]:
    """Upsert every row, then delete rows the new build no longer has. Returns (counts, removed)."""
    days = [d.date() for d in frame["day"]]
    labels = [None if pd.isna(v) else bool(v) for v in frame["label"]]
    values = [frame[c].astype(object).map(_clean).tolist() for c in FEATURE_COLUMNS]
    rows = [
        (int(loc), day, label, *vals, source, run_id)
        for loc, day, label, source, *vals in zip(
            frame["location_id"], days, labels, frame["rain_source"], *values, strict=True
        )
    ]
    table = FloodFeature.__table__
    counts = upsert_rows(session.connection(), table, [*KEY, *VALUES, "run_id"], rows,
                         compare=VALUES, touch=["built_at"])  # fmt: skip
    removed = delete_stale_rows(session.connection(), table, KEY, {(r[0], r[1]) for r in rows})
    return counts, removed


def read_features(session: Session, since: date | None = None) -> pd.DataFrame:
    table = FloodFeature.__table__
    query = select(*(table.c[c] for c in [*KEY, *VALUES]))
    if since is not None:
        query = query.where(table.c.day >= since)
    frame = pd.DataFrame(session.execute(query).all(), columns=[*KEY, *VALUES])
    frame["day"] = pd.to_datetime(frame["day"])
    frame["label"] = frame["label"].map(lambda v: float("nan") if v is None else float(v))
    for column in FEATURE_COLUMNS:
        frame[column] = frame[column].astype(float)
    return frame
