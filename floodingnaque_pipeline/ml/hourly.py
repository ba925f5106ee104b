"""Hourly weather -> feature days: rain sum, peak 1 h and 3 h intensity, humidity, temperature.

An hourly row's observed_at is the UTC END of the hour its precipitation sums. For features an
hour counts toward the day whose issue time (08:00 Manila) closes its 24 h window (ml/issue.py);
for the PAGASA rules it counts toward the Manila calendar day of (observed_at - 1 h)
(`manila_day`). Where several sources hold the same hour the first of SOURCE_PRIORITY wins
(ERA5 reanalysis over the forecast model's "observed" hours over OWM).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from floodingnaque_pipeline.domain.time import MANILA_TZ_NAME
from floodingnaque_pipeline.ml.issue import window_day

SOURCE_PRIORITY = ("open_meteo_era5", "open_meteo_forecast", "openweathermap")
MIN_HOURS_PER_DAY = 12  # a day with fewer hours has no trustworthy daily sum
HOURLY_COLUMNS = ["location_id", "observed_at", "source", "precipitation_mm", "temperature_c",
                  "relative_humidity_pct"]  # fmt: skip
DAILY_COLUMNS = ["location_id", "day", "rain_mm", "max_1h_mm", "max_3h_mm", "humidity_pct",
                 "temperature_c", "source"]  # fmt: skip


def _priority(source: pd.Series) -> pd.Series:
    rank = {s: i for i, s in enumerate(SOURCE_PRIORITY)}
    return source.map(rank).fillna(len(rank)).astype(int)


def dedupe_hours(hourly: pd.DataFrame) -> pd.DataFrame:
    """One row per (location, hour): the best source; sorted by location then time."""
    frame = hourly.assign(_rank=_priority(hourly["source"]))
    frame = frame.sort_values(["location_id", "observed_at", "_rank"], kind="stable")
    frame = frame.drop_duplicates(["location_id", "observed_at"], keep="first")
    return frame.drop(columns="_rank").reset_index(drop=True)


def with_3h_sums(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds rain_3h_mm: this hour plus the two before it, only over consecutive hours."""
    rain = frame["precipitation_mm"].fillna(0.0).to_numpy()
    loc = frame["location_id"].to_numpy()
    naive = frame["observed_at"].dt.tz_convert("UTC").dt.tz_localize(None)
    stamps = naive.to_numpy().astype("datetime64[s]").astype(np.int64)
    total = rain.copy()
    for lag in (1, 2):
        same = np.zeros(len(rain), bool)
        same[lag:] = (loc[lag:] == loc[:-lag]) & (stamps[lag:] - stamps[:-lag] == 3600 * lag)
        shifted = np.zeros(len(rain))
        shifted[lag:] = rain[:-lag]
        total += np.where(same, shifted, 0.0)
    return frame.assign(rain_3h_mm=total)


def manila_day(observed_at: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(observed_at, utc=True) - pd.Timedelta(hours=1)
    return stamps.dt.tz_convert(MANILA_TZ_NAME).dt.tz_localize(None).dt.normalize()


def daily_from_hourly(hourly: pd.DataFrame) -> pd.DataFrame:
    """One row per (location, feature day) with at least MIN_HOURS_PER_DAY hours."""
    if hourly.empty:
        return pd.DataFrame(columns=DAILY_COLUMNS)
    frame = with_3h_sums(dedupe_hours(hourly))
    frame["day"] = window_day(frame["observed_at"])
    grouped = frame.groupby(["location_id", "day"], sort=True)
    daily = grouped.agg(
        rain_mm=("precipitation_mm", "sum"),
        hours=("precipitation_mm", "count"),
        max_1h_mm=("precipitation_mm", "max"),
        max_3h_mm=("rain_3h_mm", "max"),
        humidity_pct=("relative_humidity_pct", "mean"),
        temperature_c=("temperature_c", "mean"),
        source=("source", "first"),  # the day's first hour; days rarely mix sources
    ).reset_index()
    daily = daily[daily["hours"] >= MIN_HOURS_PER_DAY]
    return daily[DAILY_COLUMNS].reset_index(drop=True)
