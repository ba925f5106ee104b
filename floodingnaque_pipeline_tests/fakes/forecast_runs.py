"""Stand-in bodies for Open-Meteo's Ensemble API and Previous Runs API.

Both derive from the stand-in's observed rain (weather_model.generate), with seeded error:
- ensemble: member 0 (control) = the deterministic forecast, member m = forecast x log-normal
  noise per (location, member, 3-hour block), sigma 0.6;
- previous runs: lead day d = observed rain, shifted by up to d hours per 6-hour block (timing
  error) x log-normal noise with sigma 0.25 + 0.15 d (skill falls with lead); null before
  2024-01-01, as the real archive.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from floodingnaque_pipeline_tests.fakes import weather_model as wm

MEMBERS_BY_MODEL = {"icon_seamless": 39, "gfs_seamless": 30, "ecmwf_ifs025": 50}
ARCHIVE_START = np.datetime64("2024-01-01T00", "h")


def _normal(key: np.uint64, index: np.ndarray, stream: int) -> np.ndarray:
    u1 = np.clip(wm._uniform(key, index, stream), 1e-12, 1.0)
    u2 = wm._uniform(key, index, stream + 1)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2 * np.pi * u2)


def _lognormal(key: np.uint64, index: np.ndarray, stream: int, sigma: float) -> np.ndarray:
    return np.exp(sigma * _normal(key, index, stream) - sigma * sigma / 2.0)


def ensemble_members(lat: float, lon: float, hours: np.ndarray, model: str) -> dict[str, list]:
    control = wm.generate(lat, lon, hours)["precipitation"]
    point = wm._key(round(lat * 1e4), round(lon * 1e4), 11)
    block = hours.astype(np.int64) // 3
    columns = {"precipitation": control.tolist()}
    for member in range(1, MEMBERS_BY_MODEL.get(model, 20) + 1):
        noisy = np.round(control * _lognormal(point, block, 100 + 2 * member, 0.6), 1)
        columns[f"precipitation_member{member:02d}"] = noisy.tolist()
    return columns


def previous_runs(lat: float, lon: float, hours: np.ndarray) -> dict[str, list]:
    point = wm._key(round(lat * 1e4), round(lon * 1e4), 13)
    block = hours.astype(np.int64) // 6
    columns: dict[str, list] = {}
    for lead in range(1, 8):
        shift = np.floor(wm._uniform(point, block, 300 + lead) * (2 * lead + 1)) - lead
        shifted = hours + shift.astype("timedelta64[h]")
        rain = wm.generate(lat, lon, shifted)["precipitation"]
        rain = np.round(rain * _lognormal(point, hours.astype(np.int64), 400 + 2 * lead,
                                          0.25 + 0.15 * lead), 1)  # fmt: skip
        columns[f"precipitation_previous_day{lead}"] = [
            None if t < ARCHIVE_START else float(v) for t, v in zip(hours, rain, strict=True)
        ]
    return columns


def runs_payload(kind: str, lats: list[float], lons: list[float], start: date, end: date,
                 params: dict[str, str]) -> Any:  # fmt: skip
    """Body for kind "ensemble" or "previous_runs", one object per coordinate."""
    hours = wm.hour_axis(start, end)
    times = np.datetime_as_string(hours.astype("datetime64[m]"), unit="m").tolist()
    results = []
    for lat, lon in zip(lats, lons, strict=True):
        if kind == "ensemble":
            columns = ensemble_members(lat, lon, hours, params.get("models", ""))
        else:
            columns = previous_runs(lat, lon, hours)
        results.append(
            {
                "latitude": round(lat * 40) / 40,
                "longitude": round(lon * 40) / 40,
                "generationtime_ms": 0.5,
                "utc_offset_seconds": 0,
                "timezone": "GMT",
                "timezone_abbreviation": "GMT",
                "elevation": 5.0,
                "hourly_units": {"time": "iso8601"} | {k: "mm" for k in columns},
                "hourly": {"time": times} | columns,
            }
        )
    return results[0] if len(results) == 1 else results
