"""Stand-in inputs for the model bench: hourly weather, one PAGASA gauge and flood labels.

Deterministic (seeded) and numpy-only, so the bench needs neither the test package nor a
network. City rain falls in storms that favour the wet season and the afternoon; each
location sees the city's rain with its own noise; the gauge prints 08:00->08:00 sums with a
few missing days; a location floods on a Manila day when that day's rain on top of a wet
spell passes a level that is lower for low-lying locations.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from floodingnaque_pipeline.domain.time import MANILA_TZ_NAME as MANILA
from floodingnaque_pipeline.ml.hourly import HOURLY_COLUMNS
from floodingnaque_pipeline.ml.issue import window_day

NAIA = (14.5047, 121.004751)


def hourly_weather(locations: pd.DataFrame, start: date, end: date, seed: int = 0) -> pd.DataFrame:
    """locations: id, latitude, longitude. Hours with observed_at (UTC hour end) in [start, end)."""
    rng = np.random.default_rng(seed)
    ends = pd.date_range(pd.Timestamp(start, tz="UTC"), pd.Timestamp(end, tz="UTC"), freq="h",
                         inclusive="right")  # fmt: skip
    local = ends.tz_convert(MANILA)
    wet = np.isin(local.month, [6, 7, 8, 9, 10])
    days = local.normalize()
    day_index = pd.factorize(days)[0]
    stormy = rng.random(day_index.max() + 1) < np.where(
        np.isin(pd.DatetimeIndex(days.unique()).month, [6, 7, 8, 9, 10]), 0.45, 0.12
    )
    afternoon = np.exp(-(((local.hour - 15) / 4.0) ** 2))
    city = stormy[day_index] * rng.gamma(0.6, 1.0 + 5.0 * wet) * (0.3 + afternoon)
    frames = []
    for location_id in locations["id"]:
        rain = city * rng.lognormal(0.0, 0.3, len(ends))
        frames.append(pd.DataFrame({
            "location_id": int(location_id), "observed_at": ends, "source": "open_meteo_era5",
            "precipitation_mm": np.round(rain, 2),
            "temperature_c": 27.0 + 3.0 * afternoon - wet, "relative_humidity_pct": 75.0 + 15 * wet,
        }))  # fmt: skip
    return pd.concat(frames, ignore_index=True)[HOURLY_COLUMNS]


def gauge_rows(hourly: pd.DataFrame, seed: int = 1) -> pd.DataFrame:
    """NAIA rows from the first location's hours: row R = rain 08:00 R .. 08:00 R+1."""
    rng = np.random.default_rng(seed)
    first = hourly[hourly["location_id"] == hourly["location_id"].min()]
    # window_day gives the day whose issue time closes the window; the row is dated the day before
    rows = first.groupby(window_day(first["observed_at"]) - pd.Timedelta(days=1)).agg(
        rainfall_mm=("precipitation_mm", "sum"), hours=("precipitation_mm", "size")
    )
    rows = rows[(rows["hours"] == 24) & (rng.random(len(rows)) > 0.05)]  # ~5 % missing
    return pd.DataFrame({
        "station": "naia", "observed_on": rows.index.date,
        "rainfall_mm": rows["rainfall_mm"].round(1),
        "tmax_c": 31.0, "tmin_c": 25.0, "relative_humidity_pct": 80.0,
    }).reset_index(drop=True)  # fmt: skip


def flood_days(hourly: pd.DataFrame, seed: int = 2) -> set[tuple[int, pd.Timestamp]]:
    """(location_id, Manila day) with a flood, from the day's own rain and the week before."""
    rng = np.random.default_rng(seed)
    local_day = (hourly["observed_at"] - pd.Timedelta(hours=1)).dt.tz_convert(MANILA)
    daily = hourly.assign(day=local_day.dt.tz_localize(None).dt.normalize())
    daily = daily.groupby(["location_id", "day"])["precipitation_mm"].sum().unstack(0)
    spell = daily.rolling(7, min_periods=1).sum().shift(1).fillna(0.0)
    low_lying = pd.Series(rng.normal(0.0, 1.0, daily.shape[1]), index=daily.columns)
    latent = daily / 40.0 + spell / 250.0 + 0.5 * low_lying + rng.normal(0, 0.3, daily.shape)
    hits = latent.stack()
    return {(int(loc), day) for (day, loc), value in hits.items() if value > 2.4}
