"""A step's HTTP shares one time budget: the hourly run fails before its next tick, and a stuck
request never holds the `open_meteo_api` pool longer than that.

Budgets here are about a second; the servers would stall for minutes. Nothing sleeps: the tests
assert what happened (how many requests, whether the client hung up), never how long it took.
"""

import dagster as dg
import pytest

from floodingnaque_pipeline.defs.weather.raw import open_meteo_raw
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline.resources.open_meteo import OpenMeteoResource, shortest_interval_s
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo
from floodingnaque_pipeline_tests.fakes.stalling import TrickleServer
from floodingnaque_pipeline_tests.test_weather_faults import _counts, _failure_message
from floodingnaque_pipeline_tests.weather_runs import seed

PARTITION = "2024-03-01"
# "Now" inside the partition: it is the month in progress, as in the hourly job.
AS_OF = {"ops": {"open_meteo_raw": {"config": {"as_of": "2024-03-20T00:00:00+00:00"}}}}
GENEROUS = {"connect_timeout_s": 5.0, "read_timeout_s": 60.0, "total_timeout_s": 300.0}


def _run(
    db_url: str, archive_url: str, forecast_url: str, **settings: object
) -> dg.ExecuteInProcessResult:
    open_meteo = OpenMeteoResource(
        archive_url=archive_url, forecast_url=forecast_url, **(GENEROUS | settings)
    )
    return dg.materialize(
        [open_meteo_raw],
        partition_key=PARTITION,
        resources={"database": DatabaseResource(database_url=db_url), "open_meteo": open_meteo},
        run_config=AS_OF,
        raise_on_error=False,
    )


def test_a_trickling_response_is_cut_at_the_budget_derived_from_the_schedule(
    sqlite_url: str, fake_open_meteo: FakeOpenMeteo, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(sqlite_url, fake_open_meteo)
    monkeypatch.setenv("FLOODINGNAQUE_INGEST_CRON", "*/30 * * * *")
    # 1/1800 of a 30-minute interval: one second. The whole body would take ~10 minutes.
    with TrickleServer(body_bytes=200_000, piece=16, every=0.05) as trickle:
        result = _run(sqlite_url, trickle.url, trickle.url, step_budget_fraction=1 / 1800)
        assert not result.success
        message = _failure_message(result)
        assert "step budget of 1 s" in message and "30-min interval" in message
        assert "'*/30 * * * *'" in message
        assert trickle.client_hung_up.wait(timeout=30)
        assert trickle.bytes_sent < trickle.body_bytes
        assert trickle.connections == 1  # no retry once the budget is spent
    assert _counts(sqlite_url)[0] == 0


def test_a_slow_server_fails_the_step_at_its_budget(
    sqlite_url: str, fake_open_meteo: FakeOpenMeteo
) -> None:
    seed(sqlite_url, fake_open_meteo)
    fake_open_meteo.reset_requests()
    fake_open_meteo.inject("slow", times=10, seconds=120)  # past any read timeout here
    result = _run(
        sqlite_url, fake_open_meteo.archive_url, fake_open_meteo.forecast_url, step_budget_s=1.0
    )
    assert not result.success
    message = _failure_message(result)
    assert "step budget of 1 s (step_budget_s) is spent" in message
    assert fake_open_meteo.request_count == 1
    assert _counts(sqlite_url)[0] == 0


def test_no_retry_is_started_that_the_budget_cannot_wait_for(
    sqlite_url: str, fake_open_meteo: FakeOpenMeteo
) -> None:
    seed(sqlite_url, fake_open_meteo)
    fake_open_meteo.reset_requests()
    fake_open_meteo.inject("500", times=10)
    result = _run(
        sqlite_url,
        fake_open_meteo.archive_url,
        fake_open_meteo.forecast_url,
        step_budget_s=5.0,
        backoff_base_s=30.0,
    )
    assert not result.success
    message = _failure_message(result)
    assert "HTTP 500; a retry in" in message  # 30 s, plus up to 10 % jitter
    assert "would outlast the step budget of 5 s" in message
    assert fake_open_meteo.request_count == 1


def test_settled_months_get_the_backfill_budget_not_the_hourly_one(
    sqlite_url: str, fake_open_meteo: FakeOpenMeteo
) -> None:
    seed(sqlite_url, fake_open_meteo)
    fake_open_meteo.inject("slow", times=10, seconds=120)
    open_meteo = OpenMeteoResource(
        archive_url=fake_open_meteo.archive_url,
        forecast_url=fake_open_meteo.forecast_url,
        step_budget_s=3600.0,
        backfill_budget_s=1.0,
        **GENEROUS,
    )
    result = dg.materialize(
        [open_meteo_raw],
        partition_key=PARTITION,  # no as_of: March 2024 is settled
        resources={"database": DatabaseResource(database_url=sqlite_url), "open_meteo": open_meteo},
        raise_on_error=False,
    )
    assert "step budget of 1 s (backfill_budget_s" in _failure_message(result)


@pytest.mark.parametrize(
    ("cron", "interval_s"),
    [("5 * * * *", 3600), ("*/15 * * * *", 900), ("0 8,9 * * *", 3600), ("0 0 * * *", 86400)],
)
def test_the_interval_is_the_shortest_gap_between_ticks(cron: str, interval_s: float) -> None:
    assert shortest_interval_s(cron, "Asia/Manila") == interval_s
    budget = OpenMeteoResource().step_budget(in_progress=True, cron=cron, timezone="Asia/Manila")
    assert budget.seconds == interval_s / 2
