"""Read the ensemble members and the archived forecasts as frames (for the risk and backtests)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.models_forecasts import ForecastArchive, WeatherEnsemble

ENSEMBLE_COLUMNS = ["location_id", "member", "valid_at", "precipitation_mm", "issued_at"]
ARCHIVE_COLUMNS = ["location_id", "valid_at", "precipitation_mm", "lead_day", "issued_at"]


def _frame(rows: list, columns: list[str], integer: str) -> pd.DataFrame:
    frame = pd.DataFrame([tuple(row) for row in rows], columns=columns)
    frame["location_id"] = frame["location_id"].astype("int64")
    frame[integer] = frame[integer].astype("int64")
    frame["precipitation_mm"] = frame["precipitation_mm"].astype("float64")
    for column in ("valid_at", "issued_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def ensemble_rain_frame(session: Session, start: datetime, end: datetime) -> pd.DataFrame:
    """The latest ensemble run's hourly member rain with valid_at (end of the hour) in
    [start, end]; empty (same columns) when no run is stored or the last pull failed."""
    table = WeatherEnsemble
    window = (table.valid_at >= start, table.valid_at <= end)
    latest = session.scalar(select(table.issued_at).where(*window).order_by(table.issued_at.desc()))
    rows = []
    if latest is not None:
        rows = session.execute(
            select(
                table.location_id,
                table.member,
                table.valid_at,
                table.precipitation_mm,
                table.issued_at,
            )  # fmt: skip
            .where(*window, table.issued_at == latest)
            .order_by(table.location_id, table.valid_at, table.member)
        ).all()
    return _frame(rows, ENSEMBLE_COLUMNS, "member")


def archived_forecast_frame(session: Session, start: datetime, end: datetime) -> pd.DataFrame:
    """Archived hourly forecasts with valid_at in [start, end], one row per lead day (1..7).

    issued_at is derived at load time: 00:00 UTC of the valid hour's UTC day minus lead_day
    days (Open-Meteo's `previous_dayN` is the run of N days before; it does not say the hour).
    """
    table = ForecastArchive
    rows = session.execute(
        select(
            table.location_id,
            table.valid_at,
            table.precipitation_mm,
            table.lead_day,
            table.issued_at,
        )  # fmt: skip
        .where(table.valid_at >= start, table.valid_at <= end)
        .order_by(table.location_id, table.valid_at, table.lead_day)
    ).all()
    return _frame(rows, ARCHIVE_COLUMNS, "lead_day")
