"""JSON-over-HTTP with retries, backoff, Retry-After, a weighted call budget and secret masking.

No Dagster here: the Dagster resource wraps one ApiClient per run/process. Exceptions raised from
this module never carry the raw URL (requests' own messages embed the query string, API key
included), so ApiError is always raised outside the `except` block: no cause, no context.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from floodingnaque_pipeline.sources.open_meteo import parse_error_reason

SECRET_KEYS = ("appid", "apikey", "api_key")
MASK = "***"
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class _SecretQueryFilter(logging.Filter):
    """urllib3 logs every request line at DEBUG, query string (and API key) included."""

    pattern = re.compile(r"((?:" + "|".join(SECRET_KEYS) + r")=)[^&\s\"]+", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        record.msg = self.pattern.sub(r"\1" + MASK, str(record.msg))
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_SecretQueryFilter())
_INVALID = object()


class ApiError(RuntimeError):
    """A request that failed for good. The message is safe to log: secrets are masked."""

    def __init__(
        self, message: str, *, status: int | None = None, reason: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


def mask_params(
    params: Mapping[str, object], secret_keys: tuple[str, ...] = SECRET_KEYS
) -> dict[str, str]:
    """Copy of `params` with secret values replaced by *** (key names case-insensitive)."""
    secret = {k.lower() for k in secret_keys}
    return {k: MASK if k.lower() in secret else str(v) for k, v in params.items()}


def masked_url(
    url: str, params: Mapping[str, object], secret_keys: tuple[str, ...] = SECRET_KEYS
) -> str:
    """`url` with `params` (and any query already in `url`) as a loggable string."""
    parts = urlsplit(url)
    query = mask_params(dict(parse_qsl(parts.query)) | dict(params), secret_keys)
    return urlunsplit(parts._replace(query=urlencode(query, safe=",*")))


class CallBudget:
    """Client-side limit on weighted calls in any sliding `window_seconds` (Open-Meteo: 600/min).

    `acquire(cost)` blocks (via the injectable `sleep`) until the call fits. A single call costing
    more than the whole limit is let through once the window is empty instead of waiting forever.
    """

    def __init__(
        self,
        calls_per_minute: float,
        *,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if calls_per_minute <= 0:
            raise ValueError("calls_per_minute must be positive")
        self.limit = calls_per_minute
        self.window = window_seconds
        self._clock, self._sleep = clock, sleep
        self._spent: deque[tuple[float, float]] = deque()  # (timestamp, cost)
        self._lock = threading.Lock()
        self.waited_seconds = 0.0

    def used(self) -> float:
        with self._lock:
            self._expire(self._clock())
            return sum(cost for _, cost in self._spent)

    def acquire(self, cost: float) -> float:
        """Record `cost` once it fits in the window; returns the seconds spent waiting."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                self._expire(now)
                used = sum(c for _, c in self._spent)
                if not self._spent or used + cost <= self.limit + 1e-9:
                    self._spent.append((now, cost))
                    self.waited_seconds += waited
                    return waited
                # Wait until enough of the oldest spending leaves the window.
                need, freed, wait = used + cost - self.limit, 0.0, 0.0
                for stamp, spent in self._spent:
                    freed += spent
                    wait = stamp + self.window - now
                    if freed >= need - 1e-9:
                        break
            wait = max(wait, 0.001)
            self._sleep(wait)
            waited += wait

    def _expire(self, now: float) -> None:
        while self._spent and self._spent[0][0] + self.window <= now:
            self._spent.popleft()


class ApiClient:
    """One requests.Session; GET JSON with bounded retries. Not shared across threads."""

    def __init__(
        self,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 120.0,
        max_attempts: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        max_retry_after: float = 120.0,
        malformed_json_retries: int = 2,
        budget: CallBudget | None = None,
        secret_keys: tuple[str, ...] = SECRET_KEYS,
        sleep: Callable[[float], None] = time.sleep,
        user_agent: str = "floodingnaque-pipeline/0.1",
    ) -> None:
        self.timeout = (connect_timeout, read_timeout)
        self.max_attempts = max(1, max_attempts)
        self.base_delay, self.max_delay, self.max_retry_after = (
            base_delay,
            max_delay,
            max_retry_after,
        )
        self.malformed_json_retries = malformed_json_retries
        self.budget = budget
        self.secret_keys = secret_keys
        self._sleep = sleep
        self._random = random.Random()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.calls_made = 0
        self.weighted_calls = 0.0
        self.bytes_received = 0
        self.retries = 0
        self.slept_seconds = 0.0

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_json(
        self, url: str, params: Mapping[str, object], *, cost: float = 1.0
    ) -> tuple[object, int]:
        """(decoded JSON, response bytes); ApiError once retries are exhausted or pointless."""
        safe_url = masked_url(url, params, self.secret_keys)
        bad_json = 0
        attempt = 0
        while True:
            attempt += 1
            if self.budget is not None:
                self.budget.acquire(cost)  # failed calls count against the quota too
            self.calls_made += 1
            self.weighted_calls += cost
            retry_after: float | None = None
            status: int | None = None
            try:
                response = self.session.get(url, params=params, timeout=self.timeout)
            except requests.Timeout:
                problem = f"timed out (connect {self.timeout[0]:g} s, read {self.timeout[1]:g} s)"
            except requests.RequestException as exc:  # connection refused/reset, broken chunking
                problem = f"connection failed ({type(exc).__name__})"
            else:
                body = response.content
                self.bytes_received += len(body)
                status = response.status_code
                if status == 200:
                    payload = _decode(body)
                    if payload is not _INVALID:
                        return payload, len(body)
                    bad_json += 1
                    problem = f"response is not valid JSON ({len(body)} bytes)"
                    if bad_json > self.malformed_json_retries:
                        raise self._error(safe_url, attempt, problem, status)
                elif status in RETRYABLE_STATUS:
                    problem = f"HTTP {status}"
                    retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
                    if retry_after is not None and retry_after > self.max_retry_after:
                        problem += f", server asks to retry after {retry_after:g} s"
                        raise self._error(safe_url, attempt, problem, status)
                else:
                    reason = _reason(body, self.secret_keys, params)
                    raise self._error(safe_url, attempt, f"HTTP {status}: {reason}", status, reason)
            if attempt >= self.max_attempts:
                raise self._error(safe_url, attempt, problem, status)
            delay = retry_after if retry_after is not None else self._backoff(attempt)
            self.retries += 1
            self.slept_seconds += delay
            self._sleep(delay)

    def _backoff(self, attempt: int) -> float:
        delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return min(self.max_delay, delay * (1 + 0.1 * self._random.random()))  # +<=10% jitter

    def _error(
        self,
        safe_url: str,
        attempts: int,
        problem: str,
        status: int | None = None,
        reason: str | None = None,
    ) -> ApiError:
        noun = "attempt" if attempts == 1 else "attempts"
        return ApiError(
            f"GET {safe_url} failed after {attempts} {noun}: {problem}",
            status=status,
            reason=reason,
        )


def _decode(body: bytes) -> object:
    # Decoding outside any `except` block keeps exception context (and body excerpts) off ApiError.
    try:
        return json.loads(body)
    except ValueError:
        return _INVALID


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:  # the HTTP-date form
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _reason(body: bytes, secret_keys: tuple[str, ...], params: Mapping[str, object]) -> str:
    """Open-Meteo's `reason`, OWM's `message`, or a short body excerpt; secrets scrubbed."""
    payload = _decode(body)
    text = parse_error_reason(payload)
    if text is None and isinstance(payload, dict) and "message" in payload:
        text = str(payload["message"])
    if text is None:
        text = body[:200].decode("utf-8", "replace").strip() or "(empty body)"
    secret = {k.lower() for k in secret_keys}
    for key, value in params.items():
        if key.lower() in secret and str(value):
            text = text.replace(str(value), MASK)  # never echo a key back
    return text
