"""The alert webhook client: POST one JSON alert, retry transient failures within the call."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import requests

log = logging.getLogger(__name__)
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


class WebhookError(RuntimeError):
    pass


@dataclass
class WebhookClient:
    url: str | None
    attempts: int = 3
    backoff_s: float = 1.0
    timeout_s: float = 10.0

    def post(self, payload: dict[str, Any]) -> bool:
        """True when delivered; False when no URL is set (logged only). Raises WebhookError
        after `attempts` failures (connection errors, 408/425/429/5xx are retried)."""
        if not self.url:
            log.info("no FLOODINGNAQUE_ALERT_WEBHOOK_URL: alert logged only: %s", payload)
            return False
        problem = ""
        for attempt in range(1, self.attempts + 1):
            try:
                response = requests.post(self.url, json=payload, timeout=self.timeout_s)
                if response.status_code < 300:
                    return True
                problem = f"HTTP {response.status_code}"
                if response.status_code not in RETRY_STATUS:
                    break
            except requests.RequestException as error:
                problem = type(error).__name__  # the URL may hold a token: not echoed
            if attempt < self.attempts:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
        raise WebhookError(f"alert webhook failed after {attempt} attempt(s): {problem}")
