"""One HTTP exchange under two limits, for every client of ours (Open-Meteo, OWM, the webhook).

- A total deadline from connect to the body's last byte. A watchdog shuts the socket down when
  it passes, so a server trickling its status line or headers is cut too (a read timeout alone
  never fires: each byte resets it).
- A minimum transfer rate, as curl's --speed-limit/--speed-time: a body arriving at fewer than
  `min_bytes_per_s` over a `window_s` window is cut as stalled, however far the deadline is.
Both raise TransferCut; the caller decides about retries. No Dagster here.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from floodingnaque_pipeline.sources.http_failures import DEADLINE, STALLED

__all__ = ["DEADLINE", "STALLED", "StallLimit", "TransferCut", "exchange", "watched_session"]

_READ_SIZE = 64 * 1024
_TIMEOUTS = (urllib3.exceptions.ReadTimeoutError, TimeoutError)
_exchanges = threading.local()  # the watchdog of the exchange running on this thread


@dataclass(frozen=True)
class StallLimit:
    """A body slower than `min_bytes_per_s`, averaged over `window_s`, is stalled."""

    min_bytes_per_s: float = 100.0
    window_s: float = 15.0


class TransferCut(Exception):
    """The exchange was cut: `kind` is DEADLINE or STALLED."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class _Watchdog:
    """Shuts the exchange's socket down at the deadline (wakes a blocked header read)."""

    def __init__(self, limit_s: float) -> None:
        self.fired = False
        self.sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(limit_s, self._fire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket | None) -> None:
        with self._lock:
            self.sock = sock
            if self.fired:
                self._shutdown()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            self._shutdown()

    def _shutdown(self) -> None:
        try:
            if self.sock is not None:
                self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def __enter__(self) -> _Watchdog:
        _exchanges.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _exchanges.watchdog = None


class _WatchedMixin:
    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        watchdog = getattr(_exchanges, "watchdog", None)
        if watchdog is not None:  # the request is sent: from here on, the wait is for the server
            watchdog.watch(self.sock)  # type: ignore[attr-defined]
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTP(_WatchedMixin, HTTPConnection):
    pass


class _WatchedHTTPS(_WatchedMixin, HTTPSConnection):
    pass


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTP


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPS


class _WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedPool, "https": _WatchedHTTPSPool}


def watched_session() -> requests.Session:
    """A requests.Session whose exchanges `exchange` can cut at the deadline."""
    session = requests.Session()
    for prefix in ("http://", "https://"):
        session.mount(prefix, _WatchedAdapter())
    return session


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
    or the body stalls; requests'/urllib3's own errors pass through."""
    started = time.monotonic()
    deadline = started + limit_s
    connect_s, read_s = (min(t, limit_s) for t in timeout)
    with _Watchdog(limit_s) as watchdog:
        try:
            response = session.request(
                method, url, timeout=(connect_s, read_s), stream=True, **kwargs
            )
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError):
            if watchdog.fired:
                cut = True
            else:
                raise
        else:
            cut = False
        if cut:  # raised outside the `except`: no context that might carry the URL
            raise TransferCut(DEADLINE)
        try:
            body = _read(response, deadline, read_s, stall) if read_body else b""
        except BaseException:
            response.close()  # a half-read connection is never reused
            raise
        if watchdog.fired:  # the socket was shut mid-body: what was read may be cut short
            response.close()
            raise TransferCut(DEADLINE)
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
