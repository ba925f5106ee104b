"""One HTTP exchange under two limits, for every client of ours (Open-Meteo, OWM, the webhook).

- A total deadline from connect to the body's last byte.
- A minimum transfer rate, as curl's --speed-limit/--speed-time: an answer (status line,
  headers, body) arriving at fewer than `min_bytes_per_s` over a `window_s` window is cut as
  stalled, however far the deadline is.
A watchdog (sources/http_watchdog.py) enforces both on every byte, headers included; the body
loop also sets each read's timeout to the nearer limit. Both raise TransferCut; the caller
decides about retries. No Dagster here.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import requests
import urllib3.exceptions

from floodingnaque_pipeline.sources.http_failures import DEADLINE, STALLED
from floodingnaque_pipeline.sources.http_watchdog import StallLimit, Watchdog, watched_session

__all__ = ["DEADLINE", "STALLED", "StallLimit", "TransferCut", "exchange", "watched_session"]

_READ_SIZE = 64 * 1024
_TIMEOUTS = (urllib3.exceptions.ReadTimeoutError, TimeoutError)


class TransferCut(Exception):
    """The exchange was cut: `kind` is DEADLINE or STALLED."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def exchange(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: tuple[float, float],
    limit_s: float,
    stall: StallLimit,
    read_body: bool = True,
    **kwargs: Any,
) -> tuple[int, Mapping[str, str], bytes]:
    """(status, headers, body) of one request. TransferCut when the deadline `limit_s` passes
    or the answer stalls; requests'/urllib3's own errors pass through."""
    deadline = time.monotonic() + limit_s
    connect_s, read_s = (min(t, limit_s) for t in timeout)
    response: requests.Response | None = None
    with Watchdog(limit_s, stall) as watchdog:
        try:
            response = session.request(
                method, url, timeout=(connect_s, read_s), stream=True, **kwargs
            )
            body = _read(response, deadline, read_s, stall) if read_body else b""
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError):
            if response is not None:
                response.close()  # a half-read connection is never reused
            if watchdog.cut is None:
                raise
        except BaseException:
            if response is not None:
                response.close()
            raise
        if watchdog.cut is not None:  # raised outside `except`: no context carrying the URL
            if response is not None:
                response.close()
            raise TransferCut(watchdog.cut)
    assert response is not None
    if read_body:
        response.raw.release_conn()
    else:
        response.close()
    return response.status_code, response.headers, body


def _read(response: requests.Response, deadline: float, read_s: float, stall: StallLimit) -> bytes:
    body = bytearray()
    window_start, window_bytes = time.monotonic(), 0
    while True:
        now = time.monotonic()
        if now >= deadline:
            raise TransferCut(DEADLINE)
        window_end = window_start + stall.window_s
        sock = getattr(response.raw.connection, "sock", None)
        if sock is not None:  # no single read outlives the deadline or the stall window
            sock.settimeout(max(0.001, min(read_s, deadline - now, window_end - now)))
        kind = None
        try:
            piece = response.raw.read1(_READ_SIZE, decode_content=True)
        except (*_TIMEOUTS, urllib3.exceptions.ProtocolError, OSError):
            now = time.monotonic()
            kind = DEADLINE if now >= deadline else STALLED if now >= window_end else None
            if kind is None:
                raise
        if kind is not None:
            raise TransferCut(kind)
        if not piece:
            return bytes(body)
        body += piece
        window_bytes += len(piece)
        now = time.monotonic()
        if now - window_start >= stall.window_s:
            if window_bytes < stall.min_bytes_per_s * (now - window_start):
                raise TransferCut(STALLED)
            window_start, window_bytes = now, 0
