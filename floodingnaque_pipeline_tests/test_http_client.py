"""ApiClient against the real loopback FakeOpenMeteo: retries, timeouts, budget and masking."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import pytest

from floodingnaque_pipeline.sources.http_client import (
    ApiClient,
    ApiError,
    CallBudget,
    mask_params,
    masked_url,
)
from floodingnaque_pipeline.sources.open_meteo import Coordinate, build_request_params
from floodingnaque_pipeline.sources.openweathermap import build_owm_params
from floodingnaque_pipeline_tests.fakes.open_meteo import FakeOpenMeteo

COORDS = [Coordinate(1, 14.5302, 120.9971, "baclaran"), Coordinate(2, 14.5208, 120.9905, "tambo")]
PARAMS = build_request_params(COORDS, date(2024, 7, 1), date(2024, 7, 2))
SECRET = "s3cr3t-owm-key-123"


class FakeClock:
    """Monotonic clock whose sleep advances time instantly."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake() -> Iterator[FakeOpenMeteo]:
    with FakeOpenMeteo(owm_api_key=SECRET) as server:
        yield server


def _client(**kwargs) -> ApiClient:
    options = dict(connect_timeout=1.0, read_timeout=0.5, max_attempts=3, base_delay=0.01)
    return ApiClient(**(options | kwargs))


def test_success_counts_calls_and_bytes(fake: FakeOpenMeteo) -> None:
    with _client() as client:
        payload, size = client.get_json(fake.archive_url, PARAMS, cost=2.0)
    assert isinstance(payload, list) and len(payload) == 2
    assert payload[0]["hourly_units"]["temperature_2m"] == "°C"
    assert size > 1000 and client.bytes_received == size
    assert (client.calls_made, client.weighted_calls, client.retries) == (1, 2.0, 0)
    assert fake.requests[0][0] == "/v1/archive"
    assert fake.requests[0][1]["latitude"] == "14.5302,14.5208"


def test_429_waits_for_retry_after_then_succeeds(fake: FakeOpenMeteo) -> None:
    fake.inject("429", times=1, retry_after=1)
    with _client() as client:
        started = time.monotonic()
        payload, _ = client.get_json(fake.forecast_url, PARAMS)
        elapsed = time.monotonic() - started
    assert len(payload) == 2
    assert elapsed >= 1.0  # the real sleep honoured Retry-After: 1
    assert client.retries == 1 and client.slept_seconds == 1.0
    assert fake.request_count == 2


def test_429_with_a_long_retry_after_fails_fast(fake: FakeOpenMeteo) -> None:
    fake.inject("429", times=1, retry_after=3600)
    with _client(max_retry_after=60) as client, pytest.raises(ApiError) as info:
        client.get_json(fake.forecast_url, PARAMS)
    assert info.value.status == 429
    assert "retry after 3600 s" in str(info.value)
    assert fake.request_count == 1


def test_500_is_retried_with_exponential_backoff(fake: FakeOpenMeteo) -> None:
    fake.inject("500", times=2)
    clock = FakeClock()
    with _client(sleep=clock.sleep) as client:
        payload, _ = client.get_json(fake.archive_url, PARAMS)
    assert len(payload) == 2 and client.retries == 2
    assert 0.01 <= clock.sleeps[0] <= 0.011 and 0.02 <= clock.sleeps[1] <= 0.022


def test_500_every_time_gives_up_after_max_attempts(fake: FakeOpenMeteo) -> None:
    fake.inject("500", times=10)
    with _client() as client, pytest.raises(ApiError, match="after 3 attempts: HTTP 500") as info:
        client.get_json(fake.archive_url, PARAMS)
    assert info.value.status == 500 and fake.request_count == 3


def test_slow_response_times_out_and_is_retried(fake: FakeOpenMeteo) -> None:
    fake.inject("slow", times=1, seconds=2)
    with _client(read_timeout=0.3) as client:
        payload, _ = client.get_json(fake.archive_url, PARAMS)
    assert len(payload) == 2 and client.retries == 1


def test_always_slow_fails_with_a_clear_message(fake: FakeOpenMeteo) -> None:
    fake.inject("slow", times=10, seconds=2)
    started = time.monotonic()
    with _client(read_timeout=0.2) as client, pytest.raises(ApiError) as info:
        client.get_json(fake.archive_url, PARAMS)
    message = str(info.value)
    assert "failed after 3 attempts: timed out waiting for 127.0.0.1:" in message
    assert "(connect 1 s, read 0.2 s)" in message and info.value.kind == "read_timeout"
    assert time.monotonic() - started < 2.0


def test_malformed_json_is_retried_then_fails(fake: FakeOpenMeteo) -> None:
    fake.inject("malformed_json", times=1)
    with _client() as client:
        payload, _ = client.get_json(fake.archive_url, PARAMS)
    assert len(payload) == 2
    fake.inject("malformed_json", times=10)
    with _client(max_attempts=5, malformed_json_retries=1) as client:
        with pytest.raises(ApiError, match="after 2 attempts: response is not valid JSON") as info:
            client.get_json(fake.archive_url, PARAMS)
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_http_400_reason_surfaces_without_retry(fake: FakeOpenMeteo) -> None:
    bad_variable = PARAMS | {"hourly": "temperature_2m,rainfall_total"}
    with _client() as client, pytest.raises(ApiError) as info:
        client.get_json(fake.archive_url, bad_variable)
    assert info.value.status == 400
    assert "invalid String value rainfall_total" in info.value.reason
    assert "rainfall_total" in str(info.value)
    assert fake.request_count == 1
    reversed_dates = PARAMS | {"start_date": "2024-07-02", "end_date": "2024-07-01"}
    with _client() as client, pytest.raises(ApiError, match="End-date must be larger"):
        client.get_json(fake.archive_url, reversed_dates)


def test_budget_blocks_until_the_window_frees() -> None:
    clock = FakeClock()
    budget = CallBudget(10, clock=clock, sleep=clock.sleep)
    assert budget.acquire(4) == 0.0
    clock.now = 10.0
    assert budget.acquire(4) == 0.0
    clock.now = 20.0
    assert budget.acquire(4) == pytest.approx(40.0)  # waits for the t=0 call to leave the window
    assert clock.now == pytest.approx(60.0)
    assert budget.used() == pytest.approx(8.0)
    assert budget.acquire(25) == pytest.approx(60.0)  # oversized: waits for an empty window
    assert budget.waited_seconds == pytest.approx(100.0)


def test_client_charges_weighted_calls_to_the_budget(fake: FakeOpenMeteo) -> None:
    clock = FakeClock()
    budget = CallBudget(10, clock=clock, sleep=clock.sleep)
    with _client(budget=budget) as client:
        client.get_json(fake.archive_url, PARAMS, cost=6.0)
        client.get_json(fake.archive_url, PARAMS, cost=6.0)
    assert clock.sleeps and sum(clock.sleeps) == pytest.approx(60.0)
    assert client.weighted_calls == 12.0 and fake.request_count == 2


def test_mask_params() -> None:
    params = {"lat": "14.5", "appid": SECRET, "ApiKey": "k2", "api_key": "k3"}
    assert mask_params(params) == {"lat": "14.5", "appid": "***", "ApiKey": "***", "api_key": "***"}
    # Extra names add to the credential-looking ones; they never unmask those.
    assert mask_params(params, secret_keys=("lat",)) == dict.fromkeys(params, "***")
    url = masked_url(f"https://example.test/w?appid={SECRET}", {"lat": 1})
    assert SECRET not in url and "appid=***" in url


def test_wrong_owm_key_never_appears_in_the_error(fake: FakeOpenMeteo) -> None:
    wrong = "wrong-key-456"
    with _client() as client, pytest.raises(ApiError) as info:
        client.get_json(fake.owm_url, build_owm_params(14.53, 120.99, wrong))
    message = str(info.value)
    assert info.value.status == 401 and "Invalid API key" in message
    assert wrong not in message and "appid=***" in message
    assert fake.requests[0][1]["appid"] == wrong  # it was sent, just never shown


def test_connection_errors_are_retried_and_never_leak_the_key(fake: FakeOpenMeteo) -> None:
    url = fake.owm_url
    fake.stop()
    with _client() as client, pytest.raises(ApiError) as info:
        client.get_json(url, build_owm_params(14.53, 120.99, SECRET))
    assert f"after 3 attempts: connection refused by 127.0.0.1:{fake.port}" in str(info.value)
    assert SECRET not in str(info.value)
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_fake_restarts_on_the_same_port(fake: FakeOpenMeteo) -> None:
    with _client(max_attempts=1) as client:
        client.get_json(fake.archive_url, PARAMS)
        port = fake.port
        fake.stop()
        with pytest.raises(ApiError, match="connection refused"):
            client.get_json(fake.archive_url, PARAMS)
        fake.start()
        assert fake.port == port
        payload, _ = client.get_json(fake.archive_url, PARAMS)
    assert len(payload) == 2


def test_fake_is_deterministic_across_overlapping_windows(fake: FakeOpenMeteo) -> None:
    july = build_request_params(COORDS[:1], date(2024, 7, 1), date(2024, 7, 31))
    one_day = build_request_params(COORDS[:1], date(2024, 7, 15), date(2024, 7, 15))
    with _client() as client:
        month, _ = client.get_json(fake.archive_url, july)
        day, _ = client.get_json(fake.archive_url, one_day)
    offset = 14 * 24
    for var in ("temperature_2m", "precipitation", "surface_pressure"):
        assert month["hourly"][var][offset : offset + 24] == day["hourly"][var]
