"""Claim before sending: overlapping senders against a real loopback webhook, on both backends,
deliver each alert exactly once; a crashed sender's expired lease is taken over; every POST
carries the alert's Idempotency-Key, the same on every retry."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from floodingnaque_pipeline.alerts.sender import send_due
from floodingnaque_pipeline.alerts.webhook import WebhookClient
from floodingnaque_pipeline.db.alert_lease import claim_next
from floodingnaque_pipeline.db.alert_outbox import enqueue
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline_tests.labels_support import query
from floodingnaque_pipeline_tests.webhook_receiver import WebhookReceiver

T0 = datetime(2024, 8, 10, 1, 0, tzinfo=UTC)


def _enqueue(app_db: AppDatabase, keys: list[str]) -> None:
    with app_db.session() as session:
        for n, key in enumerate(keys):
            enqueue(session, "flood_risk", key, {"key": key}, T0 + timedelta(seconds=n))


def test_parallel_senders_deliver_each_alert_exactly_once(app_db: AppDatabase, db_url: str):
    keys = [f"alert-{n}" for n in range(12)]
    _enqueue(app_db, keys)
    senders = 4
    start = threading.Barrier(senders)
    errors: list[BaseException] = []

    def sender(receiver_url: str) -> None:
        database = AppDatabase(db_url)  # its own engine, as a separate process would have
        try:
            start.wait()
            send_due(database, WebhookClient(receiver_url, attempts=1), T0 + timedelta(minutes=1))
        except BaseException as error:
            errors.append(error)
        finally:
            database.dispose()

    with WebhookReceiver() as receiver:
        receiver.delay_s = 0.05  # each POST takes a while: the senders overlap
        threads = [threading.Thread(target=sender, args=(receiver.url,)) for _ in range(senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert sorted(body["key"] for body in receiver.received) == sorted(keys)  # once each
    assert receiver.keys == [body["key"] for body in receiver.received]
    stored = query(app_db, "SELECT count(*) FROM alert_outbox WHERE delivered_at IS NOT NULL")
    assert stored == [(12,)]
    assert query(app_db, "SELECT count(*) FROM alert_outbox WHERE lease_owner IS NOT NULL") == [
        (0,)
    ]


def test_a_crashed_senders_lease_is_taken_over_once_it_expires(app_db: AppDatabase):
    _enqueue(app_db, ["a", "b"])
    with app_db.session() as session:  # a sender claims "a", then dies before its POST
        claimed = claim_next(session, "crashed-sender", lease_s=120, now=T0)
    assert claimed is not None and claimed.dedup_key == "a"
    with WebhookReceiver() as receiver:
        client = WebhookClient(receiver.url, attempts=1)
        during = send_due(app_db, client, T0 + timedelta(seconds=60))
        assert during.delivered == ["b"] and "1 undelivered" in during.describe()
        after = send_due(app_db, client, T0 + timedelta(seconds=121))
        assert after.delivered == ["a"]
        assert send_due(app_db, client, T0 + timedelta(hours=1)).delivered == []
    assert [body["key"] for body in receiver.received] == ["b", "a"]


def test_the_idempotency_key_is_the_same_on_every_retry_and_tick(app_db: AppDatabase):
    _enqueue(app_db, ["flood_risk:7:2024-08-10T01:00:00+00:00:2"])
    with WebhookReceiver() as receiver:
        receiver.script.extend([503, 503, 503])
        client = WebhookClient(receiver.url, attempts=2, backoff_s=0.01)
        assert send_due(app_db, client, T0 + timedelta(seconds=5)).failed
        assert send_due(app_db, client, T0 + timedelta(seconds=40)).delivered
    assert receiver.keys == ["flood_risk:7:2024-08-10T01:00:00+00:00:2"] * 4
