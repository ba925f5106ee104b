"""Open-Meteo hourly weather (forecast and ERA5 archive endpoints) -> plain records. No Dagster.

Time convention (documented by Open-Meteo: "precipitation ... Preceding hour sum"; temperature,
humidity, pressure and wind are "Instant"): the value at time T for `precipitation` is the sum over
(T - 1 h, T]. We request `timezone=GMT`, so T is UTC and is *already* the end of the hour that the
precipitation sums. `observed_at` is therefore T itself, unshifted: the row keyed 10:00Z holds rain
from 09:00Z to 10:00Z and the instant temperature at 10:00Z. A request for days D1..D2 returns
D1T00:00 .. D2T23:00, so its first row sums the last hour of the day before D1.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from floodingnaque_pipeline.sources.records import SourceParseError

HOURLY_VARIABLES = (
    "temperature_2m",
    "relative_humidity_2m",
    "precipitation",
    "surface_pressure",
    "wind_speed_10m",
)
# Unit strings exactly as Open-Meteo writes them in `hourly_units` (its SiUnit raw values).
EXPECTED_UNITS: dict[str, str] = {
    "temperature_2m": "°C",
    "relative_humidity_2m": "%",
    "precipitation": "mm",
    "surface_pressure": "hPa",
    "wind_speed_10m": "km/h",
}
# Open-Meteo's call accounting: 10 variables and 14 days per location count as one call.
REFERENCE_VARIABLES = 10
REFERENCE_DAYS = 14


@dataclass(frozen=True)
class Coordinate:
    location_id: int
    latitude: float
    longitude: float
    slug: str = ""

    @property
    def label(self) -> str:
        name = self.slug or f"location {self.location_id}"
        return f"{name} ({self.latitude}, {self.longitude})"


@dataclass(frozen=True)
class WeatherRecord:
    location_id: int
    observed_at: datetime  # tz-aware UTC; end of the hour that precipitation_mm sums
    temperature_c: float | None
    relative_humidity_pct: float | None
    precipitation_mm: float | None
    pressure_hpa: float | None
    wind_speed_kmh: float | None


@dataclass(frozen=True)
class HourlySeries:
    """One location's validated columns, equal length; the fast path for bulk COPY (no objects)."""

    location_id: int
    observed_at: list[datetime]
    temperature_c: list[float | None]
    relative_humidity_pct: list[float | None]
    precipitation_mm: list[float | None]
    pressure_hpa: list[float | None]
    wind_speed_kmh: list[float | None]

    def __len__(self) -> int:
        return len(self.observed_at)

    def rows(self) -> Iterator[tuple]:
        """Tuples in WeatherRecord field order, for executemany/COPY writers."""
        ids = (self.location_id,) * len(self.observed_at)
        return zip(
            ids,
            self.observed_at,
            self.temperature_c,
            self.relative_humidity_pct,
            self.precipitation_mm,
            self.pressure_hpa,
            self.wind_speed_kmh,
            strict=True,
        )


def build_request_params(coords: Sequence[Coordinate], start: date, end: date) -> dict[str, str]:
    """Query for one multi-location request; valid for /v1/forecast and /v1/archive alike."""
    if not coords:
        raise ValueError("at least one coordinate is required")
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    return {
        "latitude": ",".join(plain_decimal(c.latitude) for c in coords),
        "longitude": ",".join(plain_decimal(c.longitude) for c in coords),
        "hourly": ",".join(HOURLY_VARIABLES),
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "timezone": "GMT",  # timestamps in UTC; utc_offset_seconds is then 0 (checked on parse)
        "timeformat": "iso8601",
    }


def plain_decimal(value: float) -> str:
    """A coordinate as APIs want it: never exponent form, no rounding to 6 digits like :g."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def api_call_weight(n_locations: int, n_variables: int, n_days: int) -> float:
    """How many API calls Open-Meteo charges for one request.

    Per location: max(1, v/10, v/10 * d/14); summed over locations. Source: open-meteo
    `ForecastapiResult.calculateQueryWeight` (Sources/App/Helper/ForecastapiResult.swift, see
    github.com/open-meteo/open-meteo/issues/438#issuecomment-1722945326). `d` is the whole number of
    days in the time range (Swift integer division of durationSeconds / 86400).
    E.g. 5 variables x 31 days = 1.107 per location; 16 locations x 1 month ~ 17.7 calls.
    """
    if n_locations < 0 or n_variables < 0 or n_days < 0:
        raise ValueError("counts must be non-negative")
    variables_fraction = n_variables / REFERENCE_VARIABLES
    time_fraction = n_days / REFERENCE_DAYS
    per_location = max(1.0, variables_fraction, variables_fraction * time_fraction)
    return n_locations * per_location


def request_weight(coords: Sequence[Coordinate], start: date, end: date) -> float:
    """Weight of `build_request_params(coords, start, end)`; days are inclusive of both ends."""
    return api_call_weight(len(coords), len(HOURLY_VARIABLES), (end - start).days + 1)


def split_date_range(start: date, end: date, max_days: int) -> list[tuple[date, date]]:
    """Inclusive [start, end] cut into consecutive inclusive chunks of at most `max_days` days."""
    if max_days < 1:
        raise ValueError("max_days must be >= 1")
    chunks: list[tuple[date, date]] = []
    cursor = start
    while cursor <= end:
        chunk_end = min(end, cursor + timedelta(days=max_days - 1))
        chunks.append((cursor, chunk_end))
        cursor = chunk_end + timedelta(days=1)
    return chunks


def parse_error_reason(payload: object) -> str | None:
    """The `reason` of Open-Meteo's `{"error": true, "reason": ...}` body, else None."""
    if isinstance(payload, dict) and payload.get("error") is True:
        reason = payload.get("reason")
        return str(reason) if reason is not None else "unspecified error"
    return None


def parse_columns(payload: object, coords: Sequence[Coordinate]) -> list[HourlySeries]:
    """Validate a response (one object, or a list in request order) into per-location columns."""
    reason = parse_error_reason(payload)
    if reason is not None:
        raise SourceParseError(f"Open-Meteo returned an error: {reason}")
    if isinstance(payload, dict):
        objects: list[object] = [payload]
    elif isinstance(payload, list):
        objects = payload
    else:
        raise SourceParseError(f"expected a JSON object or list, got {type(payload).__name__}")
    if len(objects) != len(coords):
        labels = ", ".join(c.label for c in coords[:3]) + (" ..." if len(coords) > 3 else "")
        raise SourceParseError(
            f"response holds {len(objects)} location(s) but {len(coords)} were requested ({labels})"
        )
    # Matched by position, not by lat/lon: Open-Meteo snaps coordinates to its grid cells.
    times = _TimesOfResponse()
    return [_parse_one(obj, coord, times) for obj, coord in zip(objects, coords, strict=True)]


class _TimesOfResponse:
    """The locations of one response share their hour column: parsed once, reused while the
    next location's column is equal (a list comparison runs in C; parsing costs ~1 ms)."""

    def __init__(self) -> None:
        self._last: tuple[list, object, list[datetime]] | None = None

    def parse(self, times: list, fmt: object, where: str) -> list[datetime]:
        if self._last is not None and self._last[1] == fmt and self._last[0] == times:
            return self._last[2]
        observed = _parse_times(times, fmt, where)
        self._last = (times, fmt, observed)
        return observed


def _parse_one(obj: object, coord: Coordinate, shared_times: _TimesOfResponse) -> HourlySeries:
    where = coord.label
    if not isinstance(obj, dict):
        raise SourceParseError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    offset = obj.get("utc_offset_seconds", 0)
    if offset != 0:
        raise SourceParseError(f"{where}: utc_offset_seconds is {offset}, expected 0 (GMT)")
    hourly, units = obj.get("hourly"), obj.get("hourly_units")
    if not isinstance(hourly, dict):
        raise SourceParseError(f"{where}: response has no 'hourly' block")
    if not isinstance(units, dict):
        raise SourceParseError(f"{where}: response has no 'hourly_units' block")
    times = hourly.get("time")
    if not isinstance(times, list):
        raise SourceParseError(f"{where}: field 'hourly.time' is missing or not a list")
    columns: list[list[float | None]] = []
    for var in HOURLY_VARIABLES:
        values = hourly.get(var)
        if not isinstance(values, list):
            raise SourceParseError(f"{where}: field 'hourly.{var}' is missing or not a list")
        if len(values) != len(times):
            raise SourceParseError(
                f"{where}: field 'hourly.{var}' has {len(values)} values but 'hourly.time' "
                f"has {len(times)}"
            )
        unit = units.get(var)
        if unit != EXPECTED_UNITS[var]:
            raise SourceParseError(
                f"{where}: field 'hourly.{var}' has unit {unit!r}, expected {EXPECTED_UNITS[var]!r}"
            )
        _check_numeric(values, where, var)
        columns.append(values)
    observed = shared_times.parse(times, units.get("time"), where)
    return HourlySeries(coord.location_id, observed, *columns)


def _check_numeric(values: list, where: str, var: str) -> None:
    # One C-speed pass: strings/objects fail the float conversion; null becomes NaN (allowed).
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SourceParseError(f"{where}: field 'hourly.{var}' holds non-numeric values") from exc
    if np.isinf(arr).any():
        raise SourceParseError(f"{where}: field 'hourly.{var}' holds infinite values")
    # json.loads accepts a bare NaN literal; NaN would slip past database CHECKs, null must not.
    if int(np.isnan(arr).sum()) != values.count(None):
        raise SourceParseError(f"{where}: field 'hourly.{var}' holds NaN; expected null")


def _parse_times(times: list, fmt: object, where: str) -> list[datetime]:
    if not times:
        return []
    if fmt == "unixtime":
        try:
            seconds = np.asarray(times, dtype=np.int64)
        except (TypeError, ValueError) as exc:
            raise SourceParseError(f"{where}: field 'hourly.time' holds non-integer times") from exc
        minutes = seconds // 60
        observed = [datetime.fromtimestamp(int(s), UTC) for s in seconds.tolist()]
    elif fmt == "iso8601":
        try:
            # numpy parses and validates the whole column in C; it rejects offsets we never expect.
            minutes = np.asarray(times, dtype="datetime64[m]").astype(np.int64)
            observed = [datetime.fromisoformat(t + "+00:00") for t in times]
        except (TypeError, ValueError) as exc:
            raise SourceParseError(
                f"{where}: field 'hourly.time' holds a value that is not a naive ISO 8601 "
                f"time ({exc})"
            ) from exc
    else:
        raise SourceParseError(f"{where}: field 'hourly.time' has unit {fmt!r}, expected 'iso8601'")
    if len(minutes) > 1 and not (np.diff(minutes) > 0).all():
        bad = int(np.argmin(np.diff(minutes) > 0)) + 1
        raise SourceParseError(
            f"{where}: field 'hourly.time' is not strictly increasing at index {bad} ({times[bad]})"
        )
    return observed
