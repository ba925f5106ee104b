"""What went wrong with a request, in words a person can act on.

requests wraps the real cause several levels deep (ConnectionError > MaxRetryError >
NewConnectionError > ConnectionRefusedError), and its own messages embed the whole URL, query
string and API key included. Here the cause is found by type and described without the URL.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import requests

DNS_FAILED = "dns"
REFUSED = "refused"
CONNECT_TIMEOUT = "connect_timeout"
READ_TIMEOUT = "read_timeout"
DEADLINE = "deadline"
RESET = "reset"
BROKEN = "broken"


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


def failure_kind(error: requests.RequestException) -> str:
    """One of the constants above: which part of the exchange failed."""
    causes = _causes(error)
    if any(isinstance(c, socket.gaierror) for c in causes):
        return DNS_FAILED
    if isinstance(error, requests.ConnectTimeout):
        return CONNECT_TIMEOUT
    if isinstance(error, requests.Timeout):
        return READ_TIMEOUT
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return REFUSED
    if any(isinstance(c, ConnectionResetError) for c in causes):
        return RESET
    return BROKEN


def describe(kind: str, url: str, timeout: tuple[float, float], error: BaseException) -> str:
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
    return f"connection to {host} failed ({type(error).__name__})"
