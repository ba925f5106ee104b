"""Issue 22: how long a trickling server holds one request, with the shipped defaults.

    python -m bench.stall

- Open-Meteo stand-in sending 64 bytes every 5 s (the probe's numbers), through the
  `open_meteo` resource's client with its defaults (5 attempts, backoff from 2 s, 300 s total
  deadline per attempt, stall below 100 bytes/s over 15 s). Goal: ends within 120 s.
- Alert webhook sending its answer one byte every 2 s, through `alert_webhook`'s client with
  its defaults (3 attempts, 30 s per POST). Before: one tick held 420 s.
Both run at once, in threads; each prints its seconds and error.
"""

from __future__ import annotations

import threading
import time

from floodingnaque_pipeline.alerts.webhook import WebhookError
from floodingnaque_pipeline.resources.alerts import AlertWebhookResource
from floodingnaque_pipeline.resources.open_meteo import OpenMeteoResource
from floodingnaque_pipeline.sources.http_client import ApiError
from floodingnaque_pipeline_tests.fakes.stalling import HeaderTrickleServer, TrickleServer

ENDED_AFTER_S: dict[str, float] = {}


def _open_meteo() -> None:
    with TrickleServer(body_bytes=100_000, piece=64, every=5.0) as server:
        client = OpenMeteoResource(archive_url=server.url).client
        started = time.monotonic()
        try:
            client.get_json(server.url, {"latitude": "14.5"})
        except ApiError as error:
            ENDED_AFTER_S["open_meteo_s"] = time.monotonic() - started
            print(f"open_meteo: ended after {ENDED_AFTER_S['open_meteo_s']:.0f} s: {error}")


def _webhook() -> None:
    with HeaderTrickleServer(every=2.0) as server:
        client = AlertWebhookResource(url=server.url).client()
        started = time.monotonic()
        try:
            client.post({"kind": "bench"}, idempotency_key="bench")
        except WebhookError as error:
            ENDED_AFTER_S["webhook_s"] = time.monotonic() - started
            print(f"webhook: ended after {ENDED_AFTER_S['webhook_s']:.0f} s: {error}")


def main() -> None:
    threads = [threading.Thread(target=_open_meteo), threading.Thread(target=_webhook)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("RESULT " + " ".join(f"{k}={v:.0f}" for k, v in sorted(ENDED_AFTER_S.items())))


if __name__ == "__main__":
    main()
