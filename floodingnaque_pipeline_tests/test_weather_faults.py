"""Every fault of the stand-in: retried and then fine, or a clear failure with nothing written."""

import time

import dagster as dg
import pytest
from sqlalchemy import func, select

from floodingnaque_pipeline.db.models import RawWeatherPull, WeatherData
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo
from floodingnaque_pipeline_tests.weather_runs import run_partition, seed, weather_snapshot

PARTITION = "2024-03-01"  # one archive request for 16 locations


def _counts(db_url: str) -> tuple[int, int]:
    database = AppDatabase(db_url)
    try:
        with database.session() as session:
            pulls = session.scalar(select(func.count()).select_from(RawWeatherPull))
            rows = session.scalar(select(func.count()).select_from(WeatherData))
            return pulls, rows
    finally:
        database.dispose()


def _failure_message(result: dg.ExecuteInProcessResult) -> str:
    failure = next(e for e in result.all_events if e.is_step_failure)
    error, messages = failure.event_specific_data.error, []
    while error is not None:  # the user's exception is the cause of Dagster's wrapper
        messages.append(error.message)
        error = error.cause
    return "\n".join(messages)


@pytest.mark.parametrize(
    ("kind", "options"),
    [("429", {"retry_after": 0}), ("500", {}), ("slow", {"seconds": 1.5}), ("malformed_json", {})],
)
def test_transient_faults_are_retried_then_succeed(
    sqlite_url: str, fake_open_meteo: FakeOpenMeteo, kind: str, options: dict
) -> None:
    seed(sqlite_url, fake_open_meteo)
    fake_open_meteo.inject(kind, times=1, **options)
    result = run_partition(sqlite_url, fake_open_meteo, PARTITION, read_timeout_s=0.75)
    assert result.success
    assert fake_open_meteo.request_count == 2  # the fault, then the retry
    assert len(weather_snapshot(sqlite_url)) == 16 * 31 * 24


def test_retry_after_is_honoured(sqlite_url: str, fake_open_meteo: FakeOpenMeteo) -> None:
    seed(sqlite_url, fake_open_meteo)
    fake_open_meteo.inject("429", times=1, retry_after=1)
    with dg.instance_for_test() as instance:
        started = time.monotonic()
        result = run_partition(
            sqlite_url, fake_open_meteo, PARTITION, backoff_base_s=0.01, instance=instance
        )
        assert time.monotonic() - started >= 1.0  # waited the server's 1 s, not the 0.01 s
        assert result.success
        (materialization,) = result.asset_materializations_for_node("open_meteo_raw")
        assert materialization.metadata["retries"].value == 1
        messages = [e.user_message for e in instance.all_logs(result.run_id)]
        assert any("chunk 1 of 1" in m and "open_meteo_era5" in m for m in messages)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("500", "HTTP 500"),
        ("slow", "timed out"),
        ("429", "HTTP 429"),
    ],
)
def test_persistent_faults_fail_clearly_and_write_nothing(
    db_url: str, fake_open_meteo: FakeOpenMeteo, kind: str, expected: str
) -> None:
    seed(db_url, fake_open_meteo)
    fake_open_meteo.inject(kind, times=10, seconds=1.5, retry_after=0)
    result = run_partition(
        db_url, fake_open_meteo, PARTITION, raise_on_error=False, read_timeout_s=0.5
    )
    assert not result.success
    message = _failure_message(result)
    assert expected in message and "after 3 attempts" in message
    assert _counts(db_url) == (0, 0)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("ragged", "values but"), ("wrong_unit", "unit"), ("malformed_json", "not valid JSON")],
)
def test_bad_responses_fail_with_the_field_named_and_write_nothing(
    db_url: str, fake_open_meteo: FakeOpenMeteo, kind: str, expected: str
) -> None:
    seed(db_url, fake_open_meteo)
    fake_open_meteo.inject(kind, times=10)
    result = run_partition(db_url, fake_open_meteo, PARTITION, raise_on_error=False)
    assert not result.success
    message = _failure_message(result)
    assert expected in message
    if kind != "malformed_json":
        assert "(14." in message  # the location is named by its coordinates
    assert _counts(db_url) == (0, 0)


def test_nulls_are_stored_as_null(db_url: str, fake_open_meteo: FakeOpenMeteo) -> None:
    seed(db_url, fake_open_meteo)
    fake_open_meteo.inject("nulls", times=1)
    assert run_partition(db_url, fake_open_meteo, PARTITION).success
    rows = weather_snapshot(db_url)
    assert len(rows) == 16 * 31 * 24
    assert any(value is None for row in rows for value in row[3:8])
