"""JSON-over-HTTP with retries, backoff, Retry-After, a total deadline, a call budget and masking.

No Dagster here: the Dagster resource wraps one ApiClient per run/process. Exceptions raised from
this module never carry the raw URL (requests' own messages embed the query string, API key
included), so ApiError is always raised outside the `except` block: no cause, no context.

Logging (logger `floodingnaque_pipeline.sources.http_client`; both dagster.yaml files hand it to
the run log): every retry at WARNING (attempt k of n, the cause, the wait), every request's full
masked URL at DEBUG. Error messages carry the URL with its query string shortened.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime

import requests
import urllib3.exceptions

from floodingnaque_pipeline.sources import http_failures
from floodingnaque_pipeline.sources.call_budget import CallBudget, StepBudget, WaitTooLong
from floodingnaque_pipeline.sources.http_failures import (
    ApiError,
    FailureReport,
    failure_kind,
    host_of,
)
from floodingnaque_pipeline.sources.http_transfer import (
    STALLED,
    StallLimit,
    TransferCut,
    exchange,
    watched_session,
)
from floodingnaque_pipeline.sources.masking import (
    MASK,
    SECRET_KEYS,
    is_secret_name,
    mask_params,
    masked_url,
    register_secret,
    scrub,
    secret_query,
    shorten_url,
)
from floodingnaque_pipeline.sources.open_meteo import parse_error_reason

__all__ = ["ApiClient", "ApiError", "CallBudget", "StepBudget", "mask_params", "masked_url"]

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
_INVALID = object()
BUDGET_SPENT = "budget"  # ApiError.kind: the step's whole time budget ran out
_TIMEOUTS = (http_failures.CONNECT_TIMEOUT, http_failures.READ_TIMEOUT)
log = logging.getLogger(__name__)


class ApiClient:
    """One requests.Session; GET JSON with bounded retries. Not shared across threads.

    `url_settings` maps a configured endpoint to the variable that sets it, so a failure says
    where to change it (e.g. {"https://archive-api.open-meteo.com/v1/archive":
    "OPEN_METEO_ARCHIVE_URL"}). `total_timeout` bounds one attempt from connect to the body's
    last byte: a server that trickles a few bytes every few seconds never resets it. A body
    slower than `stall_min_bytes_per_s` over `stall_window_s` is cut as stalled and retried
    with backoff, however far the total deadline is.
    `secret_params` (e.g. {"apikey": ...}) go with every request and are masked everywhere.
    `step_budget`, when set, bounds everything together: attempts are cut short, retries and
    rate-limit waits refused once it is spent, so a step never outlives its budget.
    """

    def __init__(
        self,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 120.0,
        total_timeout: float = 300.0,
        max_attempts: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        max_retry_after: float = 120.0,
        malformed_json_retries: int = 2,
        stall_min_bytes_per_s: float = StallLimit.min_bytes_per_s,
        stall_window_s: float = StallLimit.window_s,
        budget: CallBudget | None = None,
        secret_keys: tuple[str, ...] = SECRET_KEYS,
        url_settings: Mapping[str, str] | None = None,
        secret_params: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        user_agent: str = "floodingnaque-pipeline/0.1",
    ) -> None:
        self.timeout = (connect_timeout, read_timeout)
        self.total_timeout = total_timeout
        self.max_attempts = max(1, max_attempts)
        self.base_delay, self.max_delay = base_delay, max_delay
        self.max_retry_after = max_retry_after
        self.malformed_json_retries = malformed_json_retries
        self.stall = StallLimit(stall_min_bytes_per_s, stall_window_s)
        self.budget = budget
        self.secret_keys = secret_keys
        self.url_settings = dict(url_settings or {})
        self.secret_params = {k: v for k, v in (secret_params or {}).items() if v}
        for value in self.secret_params.values():
            register_secret(value)
        self.step_budget: StepBudget | None = None
        self._sleep = sleep
        self._random = random.Random()
        self.session = watched_session()
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
        """(decoded JSON, response size in bytes); ApiError once retries are exhausted or
        pointless."""
        payload, body = self.get_json_body(url, params, cost=cost)
        return payload, len(body)

    def get_json_body(
        self, url: str, params: Mapping[str, object], *, cost: float = 1.0
    ) -> tuple[object, bytes]:
        """(decoded JSON, the response body as received): a caller storing the response
        verbatim writes the body, instead of serialising the decoded JSON again."""
        for value in secret_query(url, self.secret_keys).values():
            register_secret(value)  # a key written into the configured URL itself
        params = {**params, **self.secret_params}
        safe_url = masked_url(url, params, self.secret_keys)
        short_url = shorten_url(safe_url)
        setting = self.url_settings.get(url) or self.url_settings.get(url.split("?")[0])
        failure = FailureReport(url, short_url, masked_url(url, {}, self.secret_keys), setting)
        bad_json = 0
        attempt = 0
        while True:
            attempt += 1
            if self._step_left() <= 0:
                raise failure.error(attempt - 1, self._spent(), kind=BUDGET_SPENT)
            if self.budget is not None and not self._acquire(cost):
                problem = f"the rate limit would outlast the {self._spent(spent=False)}"
                raise failure.error(attempt - 1, problem, kind=BUDGET_SPENT)
            self.calls_made += 1
            self.weighted_calls += cost
            retry_after: float | None = None
            status: int | None = None
            kind: str | None = None
            error_name = ""
            log.debug("GET %s (attempt %d of %d)", safe_url, attempt, self.max_attempts)
            attempt_started = time.monotonic()
            limit = min(self.total_timeout, self._step_left())
            try:
                status, headers, body = self._exchange(url, params, limit)
            except TransferCut as cut:
                kind = cut.kind
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                kind, error_name = failure_kind(exc), type(exc).__name__
                if kind in _TIMEOUTS and time.monotonic() - attempt_started >= limit:
                    kind = http_failures.DEADLINE  # the read timeout was cut to the deadline
            if kind is not None:
                problem = self._describe(kind, url, error_name, limit)
            elif status == 200:
                self.bytes_received += len(body)
                payload = _decode(body)
                if payload is not _INVALID:
                    return payload, body
                bad_json += 1
                problem = f"response is not valid JSON ({len(body)} bytes)"
                if bad_json > self.malformed_json_retries:
                    raise failure.error(attempt, problem, status)
            elif status in RETRYABLE_STATUS:
                self.bytes_received += len(body)
                problem = f"HTTP {status}"
                retry_after = _retry_after_seconds(headers.get("Retry-After"))
                if retry_after is not None and retry_after > self.max_retry_after:
                    problem += f", server asks to retry after {retry_after:g} s"
                    raise failure.error(attempt, problem, status)
            else:
                self.bytes_received += len(body)
                reason = _reason(body, self.secret_keys, params)
                raise failure.error(attempt, f"HTTP {status}: {reason}", status, reason=reason)
            if attempt >= self.max_attempts:
                raise failure.error(attempt, problem, status, kind=kind)
            delay = retry_after if retry_after is not None else self._backoff(attempt)
            if kind == http_failures.DEADLINE and limit < self.total_timeout:
                raise failure.error(attempt, problem, status, kind=BUDGET_SPENT)  # cut by it
            if delay >= self._step_left():
                problem += (
                    f"; a retry in {delay:.3g} s would outlast the {self._spent(spent=False)} "
                    f"({max(0.0, self._step_left()):.3g} s left)"
                )
                raise failure.error(attempt, problem, status, kind=BUDGET_SPENT)
            log.warning(
                "GET %s: attempt %d of %d failed: %s; retrying in %g s",
                short_url,
                attempt,
                self.max_attempts,
                problem,
                round(delay, 2),
            )
            self.retries += 1
            self.slept_seconds += delay
            self._sleep(delay)

    def _step_left(self) -> float:
        return self.step_budget.remaining() if self.step_budget else float("inf")

    def _spent(self, spent: bool = True) -> str:
        text = self.step_budget.describe() if self.step_budget else "step budget"
        return text + (" is spent" if spent else "")

    def _acquire(self, cost: float) -> bool:
        """Waits for the rate limit; False when that wait would outlast the step budget."""
        try:  # failed calls count against the quota too
            self.budget.acquire(cost, max_wait=self._step_left())  # type: ignore[union-attr]
        except WaitTooLong:
            return False
        return True

    def _exchange(
        self, url: str, params: Mapping[str, object], limit: float
    ) -> tuple[int, Mapping[str, str], bytes]:
        """One GET, cut at the `limit` however slowly it arrives, or when its body stalls."""
        return exchange(
            self.session, "GET", url, params=params, timeout=self.timeout, limit_s=limit,
            stall=self.stall,
        )  # fmt: skip

    def _describe(self, kind: str, url: str, error_name: str, limit: float) -> str:
        if kind == http_failures.DEADLINE and limit < self.total_timeout:
            return (
                f"timed out: no complete response from {host_of(url)} within {limit:.3g} s, "
                f"when the {self._spent()}"
            )
        if kind == http_failures.DEADLINE:
            return (
                f"timed out: no complete response from {host_of(url)} within "
                f"{self.total_timeout:g} s (total deadline per request)"
            )
        if kind == STALLED:
            return (
                f"stalled: {host_of(url)} sent less than {self.stall.min_bytes_per_s:g} bytes/s "
                f"for {self.stall.window_s:g} s"
            )
        return http_failures.describe(kind, url, self.timeout, error_name)

    def _backoff(self, attempt: int) -> float:
        delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return min(self.max_delay, delay * (1 + 0.1 * self._random.random()))  # +<=10% jitter


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
    for key, value in params.items():
        if is_secret_name(key, secret_keys) and str(value):
            text = text.replace(str(value), MASK)  # never echo a key back
    return scrub(text)
