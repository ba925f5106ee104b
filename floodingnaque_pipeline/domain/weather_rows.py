"""Rows of weather_data and weather_forecast as they pass between modules, in column order.

NamedTuples, not dataclasses: they are still the plain tuples the bulk writers take
(db/upsert.py), and a 10-year backfill builds ~1.4 M of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple


class WeatherRow(NamedTuple):
    """One weather_data row; observed_at is the END of the hour that precipitation sums."""

    location_id: int
    source: str
    observed_at: datetime
    temperature_c: float | None
    relative_humidity_pct: float | None
    precipitation_mm: float | None
    pressure_hpa: float | None
    wind_speed_kmh: float | None
    raw_pull_id: int | None


class ForecastRow(NamedTuple):
    """One weather_forecast row: hour `valid_at` as forecast by the pull fetched at issued_at."""

    location_id: int
    source: str
    valid_at: datetime
    issued_at: datetime
    temperature_c: float | None
    relative_humidity_pct: float | None
    precipitation_mm: float | None
    pressure_hpa: float | None
    wind_speed_kmh: float | None
    raw_pull_id: int | None


VALUE_COLUMNS = [
    "temperature_c",
    "relative_humidity_pct",
    "precipitation_mm",
    "pressure_hpa",
    "wind_speed_kmh",
]
