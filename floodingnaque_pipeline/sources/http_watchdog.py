"""The watchdog behind sources/http_transfer.py: a thread per exchange that counts every byte
http.client reads (status line, headers, body) and shuts the socket down at the deadline or when
the bytes stay under the minimum rate for a window (a read timeout alone never fires on a
trickle: each byte resets it). Plugged into requests through its own connection classes.
"""

from __future__ import annotations

import http.client
import io
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from floodingnaque_pipeline.sources.http_failures import DEADLINE, STALLED

_exchanges = threading.local()  # the watchdog of the exchange running on this thread


@dataclass(frozen=True)
class StallLimit:
    """An answer slower than `min_bytes_per_s`, averaged over `window_s`, is stalled."""

    min_bytes_per_s: float = 100.0
    window_s: float = 15.0


class Watchdog:
    """Watches one exchange from a thread of its own: at the deadline, or when the bytes read
    (status line, headers and body alike) stay under the minimum rate for a window, it shuts
    the socket down, which wakes a read blocked on it. The windows start at the first byte: a
    silent server is the read timeout's business."""

    def __init__(self, limit_s: float, stall: StallLimit) -> None:
        self.cut: str | None = None  # DEADLINE or STALLED once it fired
        self._deadline = time.monotonic() + limit_s
        self._stall = stall
        self._sock: socket.socket | None = None
        self._window_start: float | None = None
        self._window_bytes = 0
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._poll_s = max(0.01, min(stall.window_s, limit_s) / 5)
        self._thread = threading.Thread(target=self._run, name="http-watchdog", daemon=True)

    def watch(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._sock = sock
            if self.cut is not None:
                self._shutdown()

    def received(self, count: int) -> None:
        with self._lock:
            if self._window_start is None:
                self._window_start = time.monotonic()
            self._window_bytes += count

    def _run(self) -> None:
        while not self._done.wait(self._poll_s):
            now = time.monotonic()
            with self._lock:
                if now >= self._deadline:
                    self.cut = DEADLINE
                elif self._window_start is not None and (
                    now - self._window_start >= self._stall.window_s
                ):
                    rate = self._window_bytes / (now - self._window_start)
                    if rate < self._stall.min_bytes_per_s:
                        self.cut = STALLED
                    self._window_start, self._window_bytes = now, 0
                if self.cut is not None:
                    self._shutdown()
                    return

    def _shutdown(self) -> None:
        try:
            if self._sock is not None:
                self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def __enter__(self) -> Watchdog:
        _exchanges.watchdog = self
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        _exchanges.watchdog = None


class _CountingReader(io.RawIOBase):
    """The socket's reader as http.client sees it, telling the watchdog every byte read."""

    def __init__(self, raw: io.RawIOBase, watchdog: Watchdog) -> None:
        super().__init__()
        self._raw, self._watchdog = raw, watchdog

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        count = self._raw.readinto(buffer)
        if count:
            self._watchdog.received(count)
        return count

    def close(self) -> None:
        self._raw.close()  # releases the socket's reference
        super().close()


class _CountedSocket:
    """What http.client's HTTPResponse is given instead of the socket: it only calls
    `makefile("rb")` on it."""

    def __init__(self, sock: socket.socket, watchdog: Watchdog) -> None:
        self._sock, self._watchdog = sock, watchdog

    def makefile(self, mode: str) -> io.BufferedReader:
        raw = self._sock.makefile(mode, buffering=0)
        return io.BufferedReader(_CountingReader(raw, self._watchdog))  # type: ignore[arg-type]


def _counted_response(sock: socket.socket, *args: Any, **kwargs: Any) -> http.client.HTTPResponse:
    watchdog = getattr(_exchanges, "watchdog", None)
    counted = _CountedSocket(sock, watchdog) if watchdog is not None else sock
    return http.client.HTTPResponse(counted, *args, **kwargs)  # type: ignore[arg-type]


class _WatchedMixin:
    response_class = staticmethod(_counted_response)

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
