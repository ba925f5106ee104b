"""The alert outbox on both backends: idempotent enqueue, due order, backoff, transitions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from floodingnaque_pipeline.db.alert_outbox import (
    due,
    enqueue,
    mark_delivered,
    mark_failed,
    undelivered_summary,
)
from floodingnaque_pipeline.db.predictions import store_issue_with_alerts
from floodingnaque_pipeline.db.session import AppDatabase
from floodingnaque_pipeline.ml.alerts import alert_payload
from floodingnaque_pipeline.ml.risk import ALERT
from floodingnaque_pipeline_tests.labels_support import query
from floodingnaque_pipeline_tests.weather_rows import seed_locations

T0 = datetime(2024, 8, 10, 1, 0, tzinfo=UTC)


def test_enqueue_is_idempotent_by_dedup_key(app_db: AppDatabase) -> None:
    with app_db.session() as session:
        assert enqueue(session, "run_failure", "run_failure:r1", {"n": 1}, T0)
        assert not enqueue(session, "run_failure", "run_failure:r1", {"n": 2}, T0)
        assert enqueue(session, "run_failure", "run_failure:r2", {"n": 3}, T0)
    with app_db.session() as session:
        mark_delivered(session, due(session, T0)[0].id, T0)
        # A delivered key stays taken: a re-enqueue must not send it again.
        assert not enqueue(session, "run_failure", "run_failure:r1", {"n": 4}, T0)
    assert query(app_db, "SELECT dedup_key FROM alert_outbox ORDER BY id") == [
        ("run_failure:r1",), ("run_failure:r2",)
    ]  # fmt: skip
    with app_db.session() as session:
        assert [a.payload for a in due(session, T0)] == [{"n": 3}]


def test_failures_back_off_exponentially_and_keep_the_error(app_db: AppDatabase) -> None:
    with app_db.session() as session:
        for n in range(3):
            enqueue(session, "flood_risk", f"k{n}", {"n": n}, T0 + timedelta(seconds=n))
    now = T0 + timedelta(seconds=5)
    delays = []
    with app_db.session() as session:
        first = due(session, now)[0]
        for attempt in range(1, 9):
            retry_at = mark_failed(session, first.id, f"HTTP 503 (#{attempt})", now)
            delays.append((retry_at - now).total_seconds())
            assert [a.dedup_key for a in due(session, retry_at - timedelta(seconds=1))] == [
                "k1", "k2"
            ]  # fmt: skip
            assert due(session, retry_at)[0].dedup_key == "k0"  # due again, still first
            now = retry_at
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600]  # doubled, capped at an hour
    stored = query(app_db, "SELECT attempts, last_error FROM alert_outbox WHERE dedup_key = 'k0'")
    assert stored == [(8, "HTTP 503 (#8)")]
    with app_db.session() as session:
        summary = undelivered_summary(session)
    assert (summary.count, summary.oldest_created_at, summary.last_error) == (
        3,
        T0,
        "HTTP 503 (#8)",
    )
    assert summary.oldest_age_s(T0 + timedelta(minutes=20)) == 1200


def _issue(issued_at: datetime, levels: dict[int, int], ids: list[int]) -> list[tuple]:
    """An issue with today and tomorrow per location; `levels` puts a level on tomorrow."""
    rows = []
    for loc in ids:
        for horizon in (0, 1):
            level = levels.get(loc, 0) if horizon == 1 else 0
            rows.append((loc, date(2024, 8, 10) + timedelta(days=horizon), issued_at, horizon,
                         None, level, [f"level {level}"], None, "run"))  # fmt: skip
    return rows


def _store(app_db: AppDatabase, hour: int, levels: dict[int, int], ids: list[int]) -> int:
    with app_db.session() as session:
        rows = _issue(T0 + timedelta(hours=hour), levels, ids)
        return store_issue_with_alerts(session, rows, alert_payload, ALERT)[1]


def test_only_entering_alert_or_critical_enqueues(app_db: AppDatabase) -> None:
    a, b, c = seed_locations(app_db)[:3]
    ids = [a, b, c]
    assert _store(app_db, 0, {a: 1, b: 2}, ids) == 2  # first issue: Safe -> Alert / Critical
    assert _store(app_db, 1, {a: 1, b: 2}, ids) == 0  # repeats
    assert _store(app_db, 2, {a: 2, b: 1, c: 0}, ids) == 1  # a: Alert -> Critical; b downgrades
    assert _store(app_db, 2, {a: 2, b: 1, c: 0}, ids) == 0  # re-run of the same hour
    assert _store(app_db, 2, {a: 2, b: 1, c: 1}, ids) == 1  # re-run finds c entering Alert
    assert _store(app_db, 2, {a: 1, b: 1, c: 1}, ids) == 0  # re-run: a only Alert, Critical sent
    assert _store(app_db, 3, {b: 2}, ids) == 1  # b: Alert -> Critical again; a, c calm down
    assert _store(app_db, 4, {a: 1}, ids) == 1  # a: Safe -> Alert after calming down
    keys = query(app_db, "SELECT dedup_key FROM alert_outbox ORDER BY id")
    hour = lambda h: (T0 + timedelta(hours=h)).isoformat()  # noqa: E731
    assert [k for (k,) in keys] == [
        f"flood_risk:{a}:{hour(0)}:1", f"flood_risk:{b}:{hour(0)}:2", f"flood_risk:{a}:{hour(2)}:2",
        f"flood_risk:{c}:{hour(2)}:1", f"flood_risk:{b}:{hour(3)}:2", f"flood_risk:{a}:{hour(4)}:1",
    ]  # fmt: skip
    with app_db.session() as session:
        payload = due(session)[1].payload  # enqueued at the real time
    assert payload["location"]["id"] == b and payload["level"] == "Critical"
    assert payload["valid_for"] == "2024-08-11" and payload["reasons"] == ["level 2"]
    assert payload["issued_at"] == hour(0)


def test_issue_and_its_alerts_commit_together(app_db: AppDatabase) -> None:
    ids = seed_locations(app_db)[:2]
    bad = _issue(T0, {ids[0]: 1}, ids) + [
        (ids[1], date(2024, 8, 12), T0, 2, 1.5, 0, [], None, "run")
    ]
    with pytest.raises(Exception, match="probability"), app_db.session() as session:
        store_issue_with_alerts(session, bad, alert_payload, ALERT)
    assert query(app_db, "SELECT count(*) FROM flood_predictions") == [(0,)]
    assert query(app_db, "SELECT count(*) FROM alert_outbox") == [(0,)]
