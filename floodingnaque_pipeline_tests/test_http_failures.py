"""Network failures on real loopback sockets: each one ends in an error a person can act on.

No patched `requests`: a closed port, an unresolvable name (`.invalid` never resolves, RFC 6761),
a full accept queue, a server that never answers and one that trickles its body.
"""

from __future__ import annotations

import logging
from datetime import date

import pytest

from floodingnaque_pipeline.resources.open_meteo import OpenMeteoResource
from floodingnaque_pipeline.sources.http_client import ApiClient, ApiError
from floodingnaque_pipeline.sources.open_meteo import Coordinate, build_request_params
from floodingnaque_pipeline_tests.fakes.stalling import (
    SilentServer,
    TrickleServer,
    closed_port,
    full_accept_queue,
)

LOGGER = "floodingnaque_pipeline.sources.http_client"
COORDS = [Coordinate(i, 14.45 + i / 1000, 120.99 + i / 1000, f"loc-{i}") for i in range(40)]
PARAMS = build_request_params(COORDS, date(2024, 7, 1), date(2024, 7, 31))  # a long query
SECRET = "k-9f8e7d6c5b4a"
SETTINGS = {"max_attempts": 3, "base_delay": 0.01, "connect_timeout": 0.5, "read_timeout": 0.5}


def _fail(url: str, caplog: pytest.LogCaptureFixture, **options: object) -> ApiError:
    settings = SETTINGS | {"url_settings": {url: "OPEN_METEO_ARCHIVE_URL"}} | options
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    with ApiClient(**settings) as client, pytest.raises(ApiError) as info:
        client.get_json(url, PARAMS | {"apikey": SECRET})
    return info.value


def _retry_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_closed_port_says_connection_refused(caplog: pytest.LogCaptureFixture) -> None:
    port = closed_port()
    error = _fail(f"http://127.0.0.1:{port}/v1/archive", caplog)
    assert (error.kind, error.host, error.status) == ("refused", f"127.0.0.1:{port}", None)
    message = str(error)
    assert f"connection refused by 127.0.0.1:{port}" in message
    assert "after 3 attempts" in message
    assert "The URL is set by OPEN_METEO_ARCHIVE_URL" in message
    retries = _retry_lines(caplog)
    assert len(retries) == 2  # attempts 1 and 2 are retried; attempt 3 is the error
    for number, line in enumerate(retries, start=1):
        assert f"attempt {number} of 3 failed: connection refused by 127.0.0.1:{port}" in line
        assert "; retrying in 0.0" in line  # the wait (base_delay 0.01 s, doubling)


def test_unresolvable_host_says_dns_failed(caplog: pytest.LogCaptureFixture) -> None:
    error = _fail("http://nonexistent.invalid/v1/archive", caplog, max_attempts=2)
    assert (error.kind, error.host) == ("dns", "nonexistent.invalid")
    message = str(error)
    assert "DNS lookup failed: host name 'nonexistent.invalid' does not resolve" in message
    assert "after 2 attempts" in message and "OPEN_METEO_ARCHIVE_URL" in message
    assert "attempt 1 of 2 failed: DNS lookup failed" in _retry_lines(caplog)[0]


def test_server_that_never_answers_says_timed_out(caplog: pytest.LogCaptureFixture) -> None:
    with SilentServer() as server:
        error = _fail(server.url, caplog, max_attempts=2, read_timeout=0.3)
    assert error.kind == "read_timeout"
    assert f"timed out waiting for 127.0.0.1:{server.port} to answer" in str(error)
    assert "(connect 0.5 s, read 0.3 s)" in str(error)
    assert server.connections == 2  # a fresh connection per attempt


def test_full_accept_queue_says_timed_out_connecting(caplog: pytest.LogCaptureFixture) -> None:
    with full_accept_queue() as port:
        error = _fail(f"http://127.0.0.1:{port}/v1/archive", caplog, max_attempts=1)
    assert error.kind == "connect_timeout"
    assert f"timed out connecting to 127.0.0.1:{port}" in str(error)


def test_query_is_short_in_the_message_and_whole_in_the_debug_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1/archive"
    message = str(_fail(url, caplog, max_attempts=1))
    latitudes = PARAMS["latitude"]
    assert len(latitudes) > 200 and latitudes not in message  # the 40 latitudes are cut...
    assert "...(+" in message and " chars)" in message  # ...and the message says so
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    requests_logged = [line for line in debug if line.startswith(f"GET {url}?")]
    assert requests_logged and latitudes in requests_logged[0]
    assert "end_date=2024-07-31" in requests_logged[0]


def test_secrets_stay_masked_in_messages_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    # A key in the configured URL itself (paid plans), and one in the request parameters.
    url = f"http://127.0.0.1:{closed_port()}/v1/archive?apikey={SECRET}"
    error = _fail(url, caplog, url_settings={url: "OPEN_METEO_ARCHIVE_URL"})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert SECRET not in str(error) and SECRET not in logged
    assert "apikey=***" in str(error) and "apikey=***" in logged
    assert error.__cause__ is None and error.__context__ is None  # requests' text embeds the URL


def test_the_resource_names_the_variable_of_each_endpoint() -> None:
    archive = f"http://127.0.0.1:{closed_port()}/v1/archive"
    forecast = f"http://127.0.0.1:{closed_port()}/v1/forecast"
    resource = OpenMeteoResource(archive_url=archive, forecast_url=forecast, max_attempts=1)
    for url, variable in (
        (archive, "OPEN_METEO_ARCHIVE_URL"),
        (forecast, "OPEN_METEO_FORECAST_URL"),
    ):
        with pytest.raises(ApiError) as info:
            resource.client.get_json(url, PARAMS)
        assert f"The URL is set by {variable} (now {url})" in str(info.value)


def test_a_trickling_body_is_cut_at_the_total_deadline(caplog: pytest.LogCaptureFixture) -> None:
    # 16 bytes every 0.2 s: each read is quick, so only a deadline over the whole body stops it
    # (the full 4 KiB would take about 50 s).
    with TrickleServer(body_bytes=4096, piece=16, every=0.2) as server:
        error = _fail(server.url, caplog, max_attempts=2, read_timeout=5.0, total_timeout=1.0)
        assert server.bytes_sent < server.body_bytes
    assert error.kind == "deadline"
    assert f"no complete response from 127.0.0.1:{server.port} within 1 s" in str(error)
    assert "attempt 1 of 2 failed: timed out: no complete response" in _retry_lines(caplog)[0]


def test_a_slow_but_steady_body_within_the_deadline_is_read_whole() -> None:
    with TrickleServer(body_bytes=64, piece=16, every=0.05) as server:
        with ApiClient(**SETTINGS, total_timeout=30.0) as client:
            payload, size = client.get_json(server.url, {"q": "1"})
    assert (payload, size) == ([], 64)
