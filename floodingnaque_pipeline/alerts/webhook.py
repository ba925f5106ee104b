"""The alert webhook client: POST one JSON alert, retry transient failures within the call.

Each POST carries the alert's `Idempotency-Key` (its outbox dedup key, the same on every retry
and every tick), so a receiver can drop a repeat: delivery is at-least-once, de-duplicated by
that key. Each POST has a total deadline from connect to the answer's status and headers (a
watchdog cuts a trickling answer, sources/http_transfer.py), then it is retried with backoff.
The status decides: the answer's body is not read, so a 2xx is never repeated for a slow body.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3.exceptions

from floodingnaque_pipeline.sources.http_transfer import (
    StallLimit,
    TransferCut,
    exchange,
    watched_session,
)

log = logging.getLogger(__name__)
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}
IDEMPOTENCY_HEADER = "Idempotency-Key"


class WebhookError(RuntimeError):
    pass


@dataclass
class WebhookClient:
    url: str | None
    attempts: int = 3
    backoff_s: float = 1.0
    timeout_s: float = 30.0  # total per POST: connect, send, the answer's status and headers
    connect_timeout_s: float = 10.0
    stall: StallLimit = field(default_factory=StallLimit)
    _session: requests.Session = field(default_factory=watched_session, repr=False)

    def longest_post_s(self) -> float:
        """The longest one `post` can take: every attempt to its deadline, every backoff."""
        backoffs = sum(self.backoff_s * 2 ** (n - 1) for n in range(1, self.attempts))
        return self.attempts * self.timeout_s + backoffs

    def post(self, payload: dict[str, Any], idempotency_key: str | None = None) -> bool:
        """True when delivered; False when no URL is set (logged only). Raises WebhookError
        after `attempts` failures (connection errors, timeouts, stalls, 408/425/429/5xx are
        retried)."""
        if not self.url:
            log.info("no FLOODINGNAQUE_ALERT_WEBHOOK_URL: alert logged only: %s", payload)
            return False
        headers = {IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key else {}
        problem = ""
        for attempt in range(1, self.attempts + 1):
            status, problem = self._attempt(payload, headers)
            if status is not None and status < 300:
                return True
            if status is not None and status not in RETRY_STATUS:
                break
            if attempt < self.attempts:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
        raise WebhookError(f"alert webhook failed after {attempt} attempt(s): {problem}")

    def _attempt(self, payload: dict[str, Any], headers: dict[str, str]) -> tuple[int | None, str]:
        """(HTTP status or None, the problem in words); the URL (it may hold a token) is never
        echoed."""
        try:
            status, _, _ = exchange(
                self._session, "POST", self.url or "", json=payload, headers=headers,
                timeout=(self.connect_timeout_s, self.timeout_s), limit_s=self.timeout_s,
                stall=self.stall, read_body=False,
            )  # fmt: skip
        except TransferCut as cut:
            return None, (
                f"no complete answer within {self.timeout_s:g} s (total deadline per POST)"
                if cut.kind == "deadline"
                else f"answer stalled (under {self.stall.min_bytes_per_s:g} bytes/s for "
                f"{self.stall.window_s:g} s)"
            )
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            return None, type(error).__name__
        return status, f"HTTP {status}"
