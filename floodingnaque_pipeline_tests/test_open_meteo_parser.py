"""Open-Meteo parsing: shapes, defects, the hour convention and the call-weight formula."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime

import pytest
import requests

from floodingnaque_pipeline.sources.open_meteo import (
    EXPECTED_UNITS,
    HOURLY_VARIABLES,
    Coordinate,
    WeatherRecord,
    api_call_weight,
    build_request_params,
    parse_columns,
    parse_error_reason,
    request_weight,
    split_date_range,
)
from floodingnaque_pipeline.sources.records import SourceParseError
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo

BACLARAN = Coordinate(1, 14.5302, 120.9971, "baclaran")
TAMBO = Coordinate(2, 14.5208, 120.9905, "tambo")


def _obj(times: list[str], **overrides: list) -> dict:
    n = len(times)
    hourly: dict[str, list] = {
        "time": list(times),
        "temperature_2m": [27.5] * n,
        "relative_humidity_2m": [80] * n,
        "precipitation": [0.0] * n,
        "surface_pressure": [1008.2] * n,
        "wind_speed_10m": [9.1] * n,
    }
    hourly.update(overrides)
    return {
        "latitude": 14.5,
        "longitude": 121.0,
        "generationtime_ms": 0.1,
        "utc_offset_seconds": 0,
        "timezone": "GMT",
        "timezone_abbreviation": "GMT",
        "elevation": 5.0,
        "hourly_units": {"time": "iso8601"} | EXPECTED_UNITS,
        "hourly": hourly,
    }


TIMES = ["2024-07-01T00:00", "2024-07-01T01:00", "2024-07-01T02:00"]


def _records(payload: object, coords: list[Coordinate]) -> list[WeatherRecord]:
    """parse_columns flattened, location by location, into records read by field name."""
    return [WeatherRecord(*row) for s in parse_columns(payload, coords) for row in s.rows()]


def test_single_object_response() -> None:
    records = _records(_obj(TIMES, precipitation=[0.0, 12.5, 31.2]), [BACLARAN])
    assert [r.observed_at for r in records] == [
        datetime(2024, 7, 1, h, tzinfo=UTC) for h in range(3)
    ]
    assert records[1].location_id == 1
    assert records[1].precipitation_mm == 12.5
    assert records[2].temperature_c == 27.5 and records[2].relative_humidity_pct == 80
    assert records[0].pressure_hpa == 1008.2 and records[0].wind_speed_kmh == 9.1


def test_list_response_keeps_request_order() -> None:
    payload = [_obj(TIMES, temperature_2m=[1.0] * 3), _obj(TIMES, temperature_2m=[2.0] * 3)]
    records = _records(payload, [BACLARAN, TAMBO])
    assert [(r.location_id, r.temperature_c) for r in records] == [(1, 1.0)] * 3 + [(2, 2.0)] * 3


def test_precipitation_is_keyed_by_the_end_of_the_hour_it_sums() -> None:
    # Open-Meteo: precipitation at T is the "preceding hour sum", i.e. (T-1h, T]. With
    # timezone=GMT the label T is UTC and is stored unchanged as observed_at.
    (record,) = _records(_obj(["2024-07-01T10:00"], precipitation=[42.0]), [BACLARAN])
    assert record.observed_at == datetime(2024, 7, 1, 10, tzinfo=UTC)
    assert record.observed_at.utcoffset().total_seconds() == 0
    assert record.precipitation_mm == 42.0


def test_nulls_become_none() -> None:
    payload = _obj(TIMES, precipitation=[None, 1.0, None], temperature_2m=[None, None, 28.0])
    records = _records(payload, [BACLARAN])
    assert [r.precipitation_mm for r in records] == [None, 1.0, None]
    assert [r.temperature_c for r in records] == [None, None, 28.0]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda p: p["hourly"]["precipitation"].pop(), "'hourly.precipitation' has 2 values"),
        (lambda p: p["hourly"].pop("wind_speed_10m"), "'hourly.wind_speed_10m' is missing"),
        (lambda p: p.pop("hourly"), "no 'hourly' block"),
        (lambda p: p.pop("hourly_units"), "no 'hourly_units' block"),
        (lambda p: p["hourly_units"].update(temperature_2m="°F"), "unit '°F', expected '°C'"),
        (lambda p: p["hourly_units"].update(precipitation="inch"), "'hourly.precipitation'"),
        (lambda p: p.update(utc_offset_seconds=28800), "utc_offset_seconds is 28800"),
        (lambda p: p["hourly"]["time"].reverse(), "not strictly increasing at index 1"),
        (lambda p: p["hourly"]["time"].__setitem__(1, "yesterday"), "not a naive ISO 8601"),
        (lambda p: p["hourly"]["surface_pressure"].__setitem__(0, "x"), "non-numeric"),
        (lambda p: p["hourly"]["temperature_2m"].__setitem__(0, float("nan")), "NaN"),
    ],
)
def test_defects_name_location_and_field(mutate, expected: str) -> None:
    payload = _obj(TIMES)
    mutate(payload)
    with pytest.raises(SourceParseError) as info:
        _records(payload, [BACLARAN])
    message = str(info.value)
    assert expected in message
    assert "baclaran (14.5302, 120.9971)" in message


def test_defect_in_second_location_names_that_location() -> None:
    second = _obj(TIMES)
    second["hourly"]["relative_humidity_2m"] = [80, 81]
    with pytest.raises(SourceParseError, match=r"tambo \(14.5208, 120.9905\).*relative_humidity"):
        _records([_obj(TIMES), second], [BACLARAN, TAMBO])


def test_count_of_objects_must_match_coordinates() -> None:
    with pytest.raises(SourceParseError, match="holds 1 location.*2 were requested.*baclaran"):
        _records(_obj(TIMES), [BACLARAN, TAMBO])
    with pytest.raises(SourceParseError, match="holds 2 location"):
        _records([_obj(TIMES), _obj(TIMES)], [BACLARAN])
    with pytest.raises(SourceParseError, match="expected a JSON object or list"):
        _records("nope", [BACLARAN])


def test_error_payload() -> None:
    body = {"error": True, "reason": "Parameter 'start_date' is out of allowed range"}
    assert parse_error_reason(body) == "Parameter 'start_date' is out of allowed range"
    assert parse_error_reason(_obj(TIMES)) is None
    assert parse_error_reason([1, 2]) is None
    with pytest.raises(SourceParseError, match="out of allowed range"):
        _records(body, [BACLARAN])


def test_unixtime_format_is_accepted() -> None:
    payload = _obj([0, 0, 0])
    payload["hourly"]["time"] = [1719792000, 1719795600, 1719799200]
    payload["hourly_units"]["time"] = "unixtime"
    records = _records(payload, [BACLARAN])
    assert records[0].observed_at == datetime(2024, 7, 1, 0, tzinfo=UTC)
    assert records[2].observed_at == datetime(2024, 7, 1, 2, tzinfo=UTC)


def test_rows_are_in_weather_record_field_order() -> None:
    (series,) = parse_columns(_obj(TIMES, precipitation=[0.0, None, 3.0]), [BACLARAN])
    assert len(series) == 3
    hour_1 = datetime(2024, 7, 1, 1, tzinfo=UTC)
    assert list(series.rows())[1] == (1, hour_1, 27.5, 80, None, 1008.2, 9.1)
    assert [f.name for f in fields(WeatherRecord)] == [
        "location_id",
        "observed_at",
        "temperature_c",
        "relative_humidity_pct",
        "precipitation_mm",
        "pressure_hpa",
        "wind_speed_kmh",
    ]


def test_build_request_params() -> None:
    params = build_request_params([BACLARAN, TAMBO], date(2024, 1, 1), date(2024, 1, 31))
    assert params == {
        "latitude": "14.5302,14.5208",
        "longitude": "120.9971,120.9905",  # full precision, not :g's 6 significant digits
        "hourly": ",".join(HOURLY_VARIABLES),
        "start_date": "2024-01-01",
        "end_date": "2024-01-31",
        "timezone": "GMT",
        "timeformat": "iso8601",
    }
    assert "rain" not in params["hourly"].split(",")
    with pytest.raises(ValueError):
        build_request_params([BACLARAN], date(2024, 2, 1), date(2024, 1, 1))


def test_api_call_weight_follows_open_meteo() -> None:
    # Per location max(1, v/10, v/10 * d/14), summed over locations (calculateQueryWeight).
    assert api_call_weight(1, 5, 1) == 1.0  # floor of one call per location
    assert api_call_weight(1, 15, 14) == pytest.approx(1.5)  # the pricing page's example
    assert api_call_weight(1, 10, 28) == pytest.approx(2.0)
    assert api_call_weight(1, 5, 28) == pytest.approx(1.0)
    assert api_call_weight(16, 5, 31) == pytest.approx(16 * 0.5 * 31 / 14)
    assert api_call_weight(3, 20, 7) == pytest.approx(6.0)
    assert api_call_weight(0, 5, 31) == 0.0
    # Dates are inclusive: January is 31 days.
    assert request_weight([BACLARAN], date(2024, 1, 1), date(2024, 1, 31)) == pytest.approx(
        0.5 * 31 / 14
    )


def test_split_date_range() -> None:
    chunks = split_date_range(date(2024, 1, 1), date(2024, 3, 1), 31)
    assert chunks == [
        (date(2024, 1, 1), date(2024, 1, 31)),
        (date(2024, 2, 1), date(2024, 3, 1)),
    ]
    assert split_date_range(date(2024, 1, 2), date(2024, 1, 1), 5) == []


def test_parses_a_month_from_the_fake_archive() -> None:
    coords = [BACLARAN, TAMBO]
    params = build_request_params(coords, date(2024, 7, 1), date(2024, 7, 31))
    with FakeOpenMeteo() as fake:
        payload = requests.get(fake.archive_url, params=params, timeout=10).json()
        fake.inject("nulls")
        with_nulls = requests.get(fake.archive_url, params=params, timeout=10).json()
        fake.inject("ragged")
        ragged = requests.get(fake.archive_url, params=params, timeout=10).json()
        fake.inject("wrong_unit")
        wrong_unit = requests.get(fake.archive_url, params=params, timeout=10).json()
    records = _records(payload, coords)
    assert len(records) == 2 * 31 * 24
    assert records[0].observed_at == datetime(2024, 7, 1, 0, tzinfo=UTC)
    assert records[-1].observed_at == datetime(2024, 7, 31, 23, tzinfo=UTC)
    assert all(r.precipitation_mm is not None and r.precipitation_mm >= 0 for r in records)
    assert all(0 <= r.relative_humidity_pct <= 100 for r in records)
    assert all(20 <= r.temperature_c <= 37 for r in records)
    assert any(r.precipitation_mm > 0 for r in records)  # July is monsoon season
    assert any(r.precipitation_mm is None for r in _records(with_nulls, coords))
    with pytest.raises(SourceParseError, match="baclaran"):
        _records(ragged, coords)
    with pytest.raises(SourceParseError, match="unit"):
        _records(wrong_unit, coords)
