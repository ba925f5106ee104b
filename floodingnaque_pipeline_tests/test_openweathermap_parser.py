"""OpenWeatherMap current weather -> WeatherRecord, including the hour-key convention."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from floodingnaque_pipeline.sources.http_client import ApiClient, mask_params
from floodingnaque_pipeline.sources.open_meteo import (
    Coordinate,
    WeatherRecord,
    build_request_params,
    parse_columns,
)
from floodingnaque_pipeline.sources.openweathermap import (
    build_owm_params,
    owm_hour_key,
    parse_owm_current,
)
from floodingnaque_pipeline.sources.records import SourceParseError
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo

DT_1005 = int(datetime(2024, 7, 1, 10, 5, tzinfo=UTC).timestamp())


def _payload(**overrides: object) -> dict:
    body: dict = {
        "coord": {"lon": 120.9971, "lat": 14.5302},
        "weather": [{"id": 501, "main": "Rain", "description": "moderate rain", "icon": "10d"}],
        "main": {"temp": 27.4, "humidity": 89, "pressure": 1007, "grnd_level": 1006},
        "wind": {"speed": 5.0, "deg": 230},
        "rain": {"1h": 7.25},
        "dt": DT_1005,
        "name": "Baclaran",
        "cod": 200,
    }
    body.update(overrides)
    return body


def test_metric_payload_becomes_a_record() -> None:
    record = parse_owm_current(_payload(), location_id=7)
    assert record.location_id == 7
    assert record.observed_at == datetime(2024, 7, 1, 10, tzinfo=UTC)
    assert record.temperature_c == 27.4
    assert record.relative_humidity_pct == 89.0
    assert record.pressure_hpa == 1006.0  # ground level, like Open-Meteo's surface_pressure
    assert record.wind_speed_kmh == 18.0  # 5 m/s
    assert record.precipitation_mm == 7.25


def test_missing_rain_means_zero_and_3h_only_means_unknown() -> None:
    body = _payload()
    del body["rain"]
    assert parse_owm_current(body, 1).precipitation_mm == 0.0
    assert parse_owm_current(_payload(rain={"3h": 4.0}), 1).precipitation_mm is None


def test_sea_level_pressure_is_the_fallback() -> None:
    record = parse_owm_current(_payload(main={"temp": 27.0, "humidity": 80, "pressure": 1009}), 1)
    assert record.pressure_hpa == 1009.0


@pytest.mark.parametrize(
    ("minute", "second", "expected_hour"),
    [(0, 0, 10), (5, 0, 10), (29, 59, 10), (30, 0, 11), (55, 0, 11)],
)
def test_dt_is_keyed_to_the_nearest_hour_end(minute: int, second: int, expected_hour: int) -> None:
    dt = datetime(2024, 7, 1, 10, minute, second, tzinfo=UTC)
    assert owm_hour_key(dt) == datetime(2024, 7, 1, expected_hour, tzinfo=UTC)


def test_hour_key_crosses_midnight_and_month_end() -> None:
    dt = datetime(2024, 7, 31, 23, 40, tzinfo=UTC)
    assert owm_hour_key(dt) == datetime(2024, 8, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"main": None}, "'main' is missing"),
        ({"dt": None}, "'dt' is missing"),
        ({"dt": "yesterday"}, "'dt' is missing"),
        ({"main": {"temp": 300.6, "humidity": 80}}, "looks like Kelvin"),
        ({"main": {"temp": "hot", "humidity": 80}}, "'main.temp' is not a number"),
        ({"wind": {"speed": "fast"}}, "'wind.speed' is not a number"),
        ({"cod": 401, "message": "Invalid API key"}, "error 401: Invalid API key"),
    ],
)
def test_bad_payloads_are_refused(overrides: dict, expected: str) -> None:
    with pytest.raises(SourceParseError, match=expected):
        parse_owm_current(_payload(**overrides), location_id=3)
    with pytest.raises(SourceParseError, match="expected a JSON object"):
        parse_owm_current([], location_id=3)


def test_build_owm_params_and_masking() -> None:
    params = build_owm_params(14.5302, 120.9971, "abc123")
    assert params == {"lat": "14.5302", "lon": "120.9971", "appid": "abc123", "units": "metric"}
    assert mask_params(params)["appid"] == "***"


def test_fake_owm_agrees_with_fake_open_meteo_on_the_hour() -> None:
    coord = Coordinate(1, 14.5302, 120.9971, "baclaran")
    with FakeOpenMeteo(owm_api_key="k") as fake, ApiClient(max_attempts=1) as client:
        fake.owm_now = datetime(2024, 7, 1, 10, 5, tzinfo=UTC)
        owm, _ = client.get_json(
            fake.owm_url, build_owm_params(coord.latitude, coord.longitude, "k")
        )
        params = build_request_params([coord], date(2024, 7, 1), date(2024, 7, 1))
        archive, _ = client.get_json(fake.archive_url, params)
    record = parse_owm_current(owm, coord.location_id)
    (series,) = parse_columns(archive, [coord])
    hourly = {row[1]: WeatherRecord(*row) for row in series.rows()}
    same_hour = hourly[record.observed_at]
    assert record.observed_at == datetime(2024, 7, 1, 10, tzinfo=UTC)
    assert record.precipitation_mm == same_hour.precipitation_mm
    assert record.temperature_c == same_hour.temperature_c
    assert record.wind_speed_kmh == pytest.approx(same_hour.wind_speed_kmh, abs=0.05)
