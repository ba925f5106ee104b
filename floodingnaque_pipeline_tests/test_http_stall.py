"""The shared HTTP client against loopback servers that trickle: a stalled body (below the
minimum rate for the window) and a trickled status line and headers are cut and retried,
whatever the total deadline, for the Open-Meteo client and the webhook alike; the total deadline
cuts them too.
Thresholds are configurable, so each test lasts a few seconds."""

from __future__ import annotations

import logging

import pytest

from floodingnaque_pipeline.alerts.webhook import WebhookClient, WebhookError
from floodingnaque_pipeline.sources.http_client import ApiClient, ApiError
from floodingnaque_pipeline.sources.http_transfer import StallLimit
from floodingnaque_pipeline_tests.fakes.stalling import HeaderTrickleServer, TrickleServer

LOGGER = "floodingnaque_pipeline.sources.http_client"
STALL = {"stall_min_bytes_per_s": 1000.0, "stall_window_s": 0.5}


def test_a_stalled_body_is_cut_and_retried_long_before_the_total_deadline(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    # 80 bytes/s: every read is quick and the total deadline (10 min) is far away.
    with TrickleServer(body_bytes=4096, piece=16, every=0.2) as server:
        with ApiClient(max_attempts=2, base_delay=0.01, total_timeout=600.0, **STALL) as client:
            with pytest.raises(ApiError) as info:
                client.get_json(server.url, {"q": "1"})
        assert server.connections == 2 and server.bytes_sent < server.body_bytes
    assert info.value.kind == "stalled"
    assert "stalled: 127.0.0.1" in str(info.value) and "1000 bytes/s for 0.5 s" in str(info.value)
    [retry] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "attempt 1 of 2 failed: stalled" in retry


def test_a_body_above_the_minimum_rate_is_read_whole() -> None:
    with TrickleServer(body_bytes=2048, piece=512, every=0.05) as server:
        with ApiClient(max_attempts=1, **STALL) as client:
            payload, size = client.get_json(server.url, {"q": "1"})
    assert (payload, size) == ([], 2048)


def test_trickled_headers_are_cut_as_stalled_long_before_the_total_deadline() -> None:
    with HeaderTrickleServer(every=0.05) as server:  # ~20 s of headers, a byte at a time
        with ApiClient(max_attempts=2, base_delay=0.01, read_timeout=5.0, total_timeout=600.0,
                       **STALL) as client:  # fmt: skip
            with pytest.raises(ApiError) as info:
                client.get_json(server.url, {"q": "1"})
        assert server.connections == 2 and server.bytes_sent < server.head_bytes
    assert info.value.kind == "stalled"


def test_a_webhook_trickling_its_answer_is_cut_at_the_deadline_and_retried() -> None:
    with HeaderTrickleServer(every=0.05) as server:
        client = WebhookClient(server.url, attempts=2, backoff_s=0.01, timeout_s=1.0)
        with pytest.raises(WebhookError) as info:
            client.post({"kind": "test"}, idempotency_key="k")
        assert server.connections == 2 and server.bytes_sent < server.head_bytes
    assert "failed after 2 attempt(s): no complete answer within 1 s" in str(info.value)


def test_a_webhook_trickling_its_answer_is_cut_as_stalled_whatever_the_deadline() -> None:
    with HeaderTrickleServer(every=0.05) as server:
        client = WebhookClient(server.url, attempts=2, backoff_s=0.01, timeout_s=600.0,
                               stall=StallLimit(1000.0, 0.5))  # fmt: skip
        with pytest.raises(WebhookError) as info:
            client.post({"kind": "test"}, idempotency_key="k")
        assert server.connections == 2 and server.bytes_sent < server.head_bytes
    assert "answer stalled (under 1000 bytes/s for 0.5 s)" in str(info.value)
