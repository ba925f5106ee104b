"""What one OpenWeatherMap reading writes: a raw pull keyed by its hour, and a weather_data row
that names that pull. The key is never stored."""

from __future__ import annotations

from datetime import UTC, datetime

from floodingnaque_pipeline.db.owm_rows import OWM_SOURCE, plan_owm_pull
from floodingnaque_pipeline.db.raw_pulls import pull_key
from floodingnaque_pipeline.db.weather import WEATHER_COLUMNS
from floodingnaque_pipeline.sources.open_meteo import WeatherRecord
from floodingnaque_pipeline.sources.openweathermap import build_owm_params

URL = "https://api.openweathermap.org/data/2.5/weather"
HOUR = datetime(2024, 7, 10, 3, tzinfo=UTC)


def _record(observed_at: datetime = HOUR, location_id: int = 7) -> WeatherRecord:
    return WeatherRecord(location_id, observed_at, 29.5, 81.0, 0.0, 1008.2, 11.9)


def test_the_weather_row_in_column_order() -> None:
    row = plan_owm_pull(_record(), URL, build_owm_params(14.5, 121.0, "k")).weather_row(42)
    assert dict(zip(WEATHER_COLUMNS, row, strict=True)) == {
        "location_id": 7,
        "source": "openweathermap",
        "observed_at": HOUR,
        "temperature_c": 29.5,
        "relative_humidity_pct": 81.0,
        "precipitation_mm": 0.0,
        "pressure_hpa": 1008.2,
        "wind_speed_kmh": 11.9,
        "raw_pull_id": 42,
    }


def test_the_pull_answers_for_its_hour_and_location_only() -> None:
    pull = plan_owm_pull(_record(), URL, build_owm_params(14.5, 121.0, "k"))
    assert pull.source == OWM_SOURCE == "openweathermap"
    assert pull.location_ids == (7,)
    assert pull.window_start == pull.window_end == HOUR
    assert pull.key_extra == "2024-07-10T03:00:00+00:00"


def test_the_api_key_is_masked_in_params_and_url() -> None:
    pull = plan_owm_pull(_record(), f"{URL}?appid=secret", build_owm_params(14.5, 121.0, "secret"))
    assert "secret" not in pull.endpoint
    assert "secret" not in str(pull.masked_params.values())
    assert pull.masked_params["appid"] == "***"
    assert pull.masked_params["units"] == "metric"


def _key(observed_at: datetime, api_key: str) -> str:
    pull = plan_owm_pull(_record(observed_at), URL, build_owm_params(14.5, 121.0, api_key))
    return pull_key(pull.source, pull.endpoint, pull.masked_params, pull.key_extra)


def test_each_hour_is_its_own_pull_and_a_re_pull_is_the_same_one() -> None:
    later = datetime(2024, 7, 10, 4, tzinfo=UTC)
    assert _key(HOUR, "k") == _key(HOUR, "k")
    assert _key(HOUR, "k") != _key(later, "k")
    # A rotated key does not make the same reading a new pull.
    assert _key(HOUR, "k") == _key(HOUR, "other")
