"""Response bodies of the fake: Open-Meteo hourly JSON (and its 400s) and OWM current weather."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from floodingnaque_pipeline_tests.fakes import weather_model
from floodingnaque_pipeline_tests.fakes.owm import owm_current_weather

_OLDEST = date(1940, 1, 1)  # ERA5 starts in 1940


class FakeApiError(Exception):
    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


def open_meteo_payload(path: str, params: dict[str, str], today: date | None) -> Any:
    """Open-Meteo's body for /v1/forecast or /v1/archive; FakeApiError for its 400 cases."""
    lats, lons = _floats(params, "latitude"), _floats(params, "longitude")
    if len(lats) != len(lons):
        raise FakeApiError(
            "Parameter 'latitude' and 'longitude' must have the same number of elements"
        )
    for lat, lon in zip(lats, lons, strict=True):
        if not -90 <= lat <= 90:
            raise FakeApiError(f"Latitude must be in range of -90 to 90°. Given: {lat}.")
        if not -180 <= lon <= 180:
            raise FakeApiError(f"Longitude must be in range of -180 to 180°. Given: {lon}.")
    variables = [v for v in params.get("hourly", "").split(",") if v]
    for var in variables:
        if var not in weather_model.SUPPORTED_VARIABLES:
            raise FakeApiError(
                f"Cannot initialize SurfaceVariable from invalid String value {var} for key hourly"
            )
    if params.get("timezone", "GMT") not in ("GMT", "UTC"):
        raise FakeApiError("This fake only supports timezone=GMT")
    start, end = _date_range(path, params, today)
    hours = weather_model.hour_axis(start, end)
    unixtime = params.get("timeformat") == "unixtime"
    times = (
        (hours.astype(np.int64) * 3600).tolist()
        if unixtime
        else np.datetime_as_string(hours.astype("datetime64[m]"), unit="m").tolist()
    )
    grid = 4.0 if path == "/v1/archive" else 40.0  # ERA5 0.25°, forecast models ~0.025°
    results = []
    for lat, lon in zip(lats, lons, strict=True):
        data = weather_model.generate(lat, lon, hours)
        results.append(
            {
                "latitude": round(lat * grid) / grid,
                "longitude": round(lon * grid) / grid,
                "generationtime_ms": 0.5,
                "utc_offset_seconds": 0,
                "timezone": "GMT",
                "timezone_abbreviation": "GMT",
                "elevation": 5.0,
                "hourly_units": {"time": "unixtime" if unixtime else "iso8601"}
                | {v: weather_model.UNITS[v] for v in variables},
                "hourly": {"time": times} | {v: data[v].tolist() for v in variables},
            }
        )
    return results[0] if len(results) == 1 else results


def _date_range(path: str, params: dict[str, str], today: date | None) -> tuple[date, date]:
    if "start_date" in params or "end_date" in params:
        try:
            start = date.fromisoformat(params["start_date"])
            end = date.fromisoformat(params["end_date"])
        except (KeyError, ValueError) as exc:
            raise FakeApiError("Invalid date format. Make sure to use 'YYYY-MM-DD'") from exc
        if start < _OLDEST:
            raise FakeApiError(f"Parameter 'start_date' is out of allowed range from {_OLDEST}")
        if end < start:
            raise FakeApiError("End-date must be larger or equal than start-date")
        return start, end
    if path == "/v1/archive":
        raise FakeApiError("Parameter 'start_date' and 'end_date' are required")
    today = today or datetime.now(UTC).date()
    past, days = int(params.get("past_days", 0)), int(params.get("forecast_days", 7))
    return today - timedelta(days=past), today + timedelta(days=days - 1)


def owm_payload(params: dict[str, str], api_key: str, now: datetime | None) -> Any:
    """OWM current weather, or FakeApiError(401) for a wrong appid."""
    if params.get("appid") != api_key:
        raise FakeApiError(
            "Invalid API key. Please see https://openweathermap.org/faq#error401 for more info.",
            401,
        )
    lat, lon = _floats(params, "lat")[0], _floats(params, "lon")[0]
    now = now or datetime.now(UTC)
    return owm_current_weather(lat, lon, now, metric=params.get("units") == "metric")


def _floats(params: dict[str, str], key: str) -> list[float]:
    if not params.get(key):
        raise FakeApiError(f"Value of type 'String' required for key '{key}'.")
    try:
        return [float(v) for v in params[key].split(",")]
    except ValueError as exc:
        raise FakeApiError(f"Parameter '{key}' could not be parsed as floats") from exc


def corrupt(payload: Any, kind: str) -> None:
    """Apply a payload fault in place: ragged, nulls or wrong_unit (first location only)."""
    first = payload[0] if isinstance(payload, list) else payload
    hourly = first.get("hourly", {})
    variables = [k for k in hourly if k != "time"]
    if not variables:
        return
    if kind == "ragged":
        hourly[variables[-1]].pop()
    elif kind == "nulls":
        for var in variables:
            values = hourly[var]
            for i in range(0, len(values), 7):
                values[i] = None
    elif kind == "wrong_unit":
        units = first["hourly_units"]
        if "temperature_2m" in units:
            units["temperature_2m"] = "°F"
        else:
            units[variables[0]] = "furlong"
