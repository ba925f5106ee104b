"""OpenWeatherMap current weather (GET /data/2.5/weather, units=metric) -> one WeatherRecord.

Hour key: OWM's `rain.1h` is the precipitation of the hour *up to* `dt` (the data calculation time,
unix seconds), and the other fields are instant values at `dt`. weather_data keys rows by the end of
the hour that precipitation sums, on the full hour. We round `dt` to the NEAREST full hour
(half past rounds up): the window (dt - 1 h, dt] then overlaps the keyed hour (H - 1 h, H] by at
least 30 min, the most any choice can guarantee, and the instant values are at most 30 min from
H. Rounding up would key a 10:05 observation (09:05-10:05 rain) to the 10:00-11:00 hour it barely
touches; rounding down would do the same in the other direction for a 10:55 one. Pulls at
minute ~5 (the hourly schedule) land on the hour that just ended, the key Open-Meteo gives it.

Pressure: OWM `main.pressure` is sea-level pressure; `main.grnd_level` is surface pressure, which
is what Open-Meteo's `surface_pressure` is, so grnd_level is preferred when present.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from floodingnaque_pipeline.sources.open_meteo import WeatherRecord, plain_decimal
from floodingnaque_pipeline.sources.records import SourceParseError

MS_TO_KMH = 3.6


def build_owm_params(lat: float, lon: float, api_key: str) -> dict[str, str]:
    """Query for /data/2.5/weather; log it only via http_client.mask_params (appid is secret)."""
    return {
        "lat": plain_decimal(lat),
        "lon": plain_decimal(lon),
        "appid": api_key,
        "units": "metric",
    }


def owm_hour_key(dt: datetime) -> datetime:
    """`dt` rounded to the nearest full hour (UTC); see the module docstring for why."""
    shifted = dt.astimezone(UTC) + timedelta(minutes=30)
    return shifted.replace(minute=0, second=0, microsecond=0)


def parse_owm_current(payload: object, location_id: int) -> WeatherRecord:
    """One record from OWM current-weather JSON fetched with units=metric."""
    where = f"OpenWeatherMap response for location {location_id}"
    if not isinstance(payload, dict):
        raise SourceParseError(f"{where}: expected a JSON object, got {type(payload).__name__}")
    cod = payload.get("cod")
    if cod is not None and str(cod) != "200":
        raise SourceParseError(f"{where}: error {cod}: {payload.get('message', '')}")
    main = _section(payload, "main", where)
    wind = payload.get("wind") or {}
    if not isinstance(wind, dict):
        raise SourceParseError(f"{where}: field 'wind' is not an object")
    dt = payload.get("dt")
    if isinstance(dt, bool) or not isinstance(dt, int | float):
        raise SourceParseError(f"{where}: field 'dt' is missing or not unix seconds")
    observed = owm_hour_key(datetime.fromtimestamp(dt, UTC))

    temperature = _number(main, "temp", where)
    if temperature is not None and temperature > 150:
        # Kelvin means the request forgot units=metric; refusing beats storing 300 °C.
        raise SourceParseError(f"{where}: field 'main.temp' is {temperature}, looks like Kelvin")
    pressure = _number(main, "grnd_level", where)
    if pressure is None:
        pressure = _number(main, "pressure", where)
    wind_ms = _number(wind, "speed", where, prefix="wind")
    rain = payload.get("rain")
    if rain is None:
        precipitation: float | None = 0.0  # OWM omits `rain` when it did not rain
    elif isinstance(rain, dict):
        # `rain` present with only "3h" (older stations) says nothing about the last hour.
        precipitation = _number(rain, "1h", where, prefix="rain") if "1h" in rain else None
    else:
        raise SourceParseError(f"{where}: field 'rain' is not an object")
    return WeatherRecord(
        location_id=location_id,
        observed_at=observed,
        temperature_c=temperature,
        relative_humidity_pct=_number(main, "humidity", where),
        precipitation_mm=precipitation,
        pressure_hpa=pressure,
        wind_speed_kmh=None if wind_ms is None else round(wind_ms * MS_TO_KMH, 2),
    )


def _section(payload: dict, key: str, where: str) -> dict:
    value = payload.get(key)
    if not isinstance(value, dict):
        raise SourceParseError(f"{where}: field '{key}' is missing or not an object")
    return value


def _number(section: dict, key: str, where: str, prefix: str = "main") -> float | None:
    value = section.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SourceParseError(f"{where}: field '{prefix}.{key}' is not a number: {value!r}")
    return float(value)
