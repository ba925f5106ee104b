"""What went wrong with a request, in words a person can act on.

requests wraps the real cause several levels deep (ConnectionError > MaxRetryError >
NewConnectionError > ConnectionRefusedError), and its own messages embed the whole URL, query
string and API key included. Here the cause is found by type and described without the URL.
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

DNS_FAILED = "dns"
REFUSED = "refused"
CONNECT_TIMEOUT = "connect_timeout"
READ_TIMEOUT = "read_timeout"
DEADLINE = "deadline"
STALLED = "stalled"  # the body arrived below the minimum rate (sources/http_transfer.py)
RESET = "reset"
BROKEN = "broken"


class ApiError(RuntimeError):
    """A request that failed for good. The message is safe to log: secrets are masked.
    `kind` is set for network failures: "dns", "refused", "connect_timeout", "read_timeout",
    "deadline", "stalled", "reset" or "broken" (see http_failures)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        reason: str | None = None,
        kind: str | None = None,
        host: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.reason, self.kind, self.host = status, reason, kind, host


class FailureReport:
    """Builds the final ApiError of one request: host, attempts, time spent, and the variable
    that sets the URL (`setting`), so the reader knows what to check or change."""

    def __init__(self, url: str, short_url: str, endpoint: str, setting: str | None) -> None:
        self.url, self.short_url = url, short_url
        self.started = time.monotonic()
        self.hint = f" The URL is set by {setting} (now {endpoint})." if setting else ""

    def error(
        self,
        attempts: int,
        problem: str,
        status: int | None = None,
        *,
        reason: str | None = None,
        kind: str | None = None,
    ) -> ApiError:
        noun = "attempt" if attempts == 1 else "attempts"
        elapsed = time.monotonic() - self.started
        return ApiError(
            f"GET {self.short_url} failed after {attempts} {noun}: {problem} "
            f"(gave up after {elapsed:.0f} s).{self.hint}",
            status=status,
            reason=reason,
            kind=kind,
            host=host_of(self.url),
        )


def host_of(url: str) -> str:
    """`host:port` as the client connects to it (port omitted when it is the scheme's default)."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{host}:{parts.port}" if parts.port else host


def _causes(error: BaseException) -> list[BaseException]:
    """The error and everything it wraps: __cause__, __context__, urllib3's `.reason`, args."""
    found: list[BaseException] = []
    pending: list[object] = [error]
    while pending:
        item = pending.pop()
        if not isinstance(item, BaseException) or any(item is seen for seen in found):
            continue
        found.append(item)
        pending += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]
    return found


def failure_kind(error: BaseException) -> str:
    """One of the constants above: which part of the exchange failed."""
    causes = _causes(error)
    if any(isinstance(c, socket.gaierror) for c in causes):
        return DNS_FAILED
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return REFUSED
    if any(isinstance(c, ConnectionResetError) for c in causes):
        return RESET
    # urllib3's NewConnectionError subclasses ConnectTimeoutError: refused is tested first.
    if isinstance(error, requests.ConnectTimeout) or any(
        isinstance(c, urllib3.exceptions.ConnectTimeoutError) for c in causes
    ):
        return CONNECT_TIMEOUT
    # A body read past the headers raises urllib3's (or the socket's) timeout, not requests'.
    if isinstance(error, requests.Timeout) or any(
        isinstance(c, urllib3.exceptions.ReadTimeoutError | TimeoutError) for c in causes
    ):
        return READ_TIMEOUT
    return BROKEN


def describe(kind: str, url: str, timeout: tuple[float, float], error_name: str = "") -> str:
    """One sentence naming the host and what failed; never the URL or the query string."""
    host = host_of(url)
    connect_s, read_s = timeout
    if kind == DNS_FAILED:
        name = urlsplit(url).hostname
        return f"DNS lookup failed: host name {name!r} does not resolve"
    if kind == REFUSED:
        return f"connection refused by {host} (nothing is listening on that port)"
    if kind == CONNECT_TIMEOUT:
        return f"timed out connecting to {host} (connect {connect_s:g} s, read {read_s:g} s)"
    if kind == READ_TIMEOUT:
        return (
            f"timed out waiting for {host} to answer (connect {connect_s:g} s, read {read_s:g} s)"
        )
    if kind == RESET:
        return f"connection reset by {host}"
    return f"connection to {host} failed or broke off mid-response ({error_name})"
