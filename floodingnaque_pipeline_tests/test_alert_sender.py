"""send_due against a loopback webhook, with an explicit clock: order, backoff across passes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from floodingnaque_pipeline.alerts.sender import send_due
from floodingnaque_pipeline.alerts.webhook import WebhookClient
from floodingnaque_pipeline.db.alert_outbox import enqueue
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline_tests.labels_support import query
from floodingnaque_pipeline_tests.webhook_receiver import WebhookReceiver

T0 = datetime(2024, 8, 10, 1, 0, tzinfo=UTC)


def _enqueue(app_db: AppDatabase, keys: list[str]) -> None:
    with app_db.session() as session:
        for n, key in enumerate(keys):
            enqueue(session, "flood_risk", key, {"key": key}, T0 + timedelta(seconds=n))


def test_failed_alert_waits_for_its_backoff_and_the_rest_keep_their_order(app_db: AppDatabase):
    _enqueue(app_db, ["a", "b", "c"])
    with WebhookReceiver() as receiver:
        client = WebhookClient(receiver.url, attempts=1)
        receiver.script.extend([503, 503])
        first = send_due(app_db, client, T0 + timedelta(seconds=10))
        # The first failure ends the pass: b and c are not tried, nor charged an attempt.
        assert first.delivered == [] and first.failed and first.failed.startswith("a: ")
        assert "3 undelivered, oldest 0.2 min" in first.describe()
        second = send_due(app_db, client, T0 + timedelta(seconds=20))  # a is backing off (30 s)
        assert second.delivered == [] and second.failed and second.failed.startswith("b: ")
        third = send_due(app_db, client, T0 + timedelta(seconds=39))  # a due at 40 s, b at 50 s
        assert third.delivered == ["c"] and third.failed is None
        fourth = send_due(app_db, client, T0 + timedelta(seconds=50))
        assert fourth.delivered == ["a", "b"] and "0 undelivered" in fourth.describe()
        assert send_due(app_db, client, T0 + timedelta(hours=2)).delivered == []
    assert [body["key"] for body in receiver.received] == ["a", "b", "c", "a", "b"]
    assert [body["key"] for body in receiver.delivered] == ["c", "a", "b"]
    stored = query(app_db, "SELECT dedup_key, attempts, last_error FROM alert_outbox ORDER BY id")
    failure = "alert webhook failed after 1 attempt(s): HTTP 503"
    assert stored == [("a", 2, failure), ("b", 2, failure), ("c", 1, None)]


def test_without_a_webhook_url_alerts_are_logged_and_not_kept_pending(app_db: AppDatabase):
    _enqueue(app_db, ["a", "b"])
    report = send_due(app_db, WebhookClient(None), T0 + timedelta(minutes=1))
    assert report.logged_only == ["a", "b"] and report.delivered == []
    assert report.pending is not None and report.pending.count == 0
