"""The alert outbox: enqueue (idempotent), pick due alerts, record deliveries and failures.

Writers enqueue inside the transaction that decides the alert, so an alert exists exactly when
its cause was committed. A sender claims a row (db/alert_lease.py) before POSTing it; a failed
POST keeps the row, counts the attempt, keeps the error and waits an exponentially growing delay
before the next try (across ticks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.models import AlertOutbox

FIRST_RETRY_S = 30.0  # one sender tick
MAX_RETRY_S = 3600.0  # an hour at most: a long outage is still retried every hour
ERROR_CHARS = 2000


@dataclass(frozen=True)
class OutboxAlert:
    id: int
    kind: str
    dedup_key: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class UndeliveredSummary:
    count: int
    oldest_created_at: datetime | None
    last_error: str | None  # of the most recently attempted undelivered alert

    def oldest_age_s(self, now: datetime) -> float:
        return (now - self.oldest_created_at).total_seconds() if self.oldest_created_at else 0.0


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def enqueue(
    session: Session, kind: str, dedup_key: str, payload: dict[str, Any],
    now: datetime | None = None,
) -> bool:  # fmt: skip
    """Add an alert unless one with this dedup key exists (delivered or not). True if added."""
    moment = _now(now)
    values = {"kind": kind, "dedup_key": dedup_key, "payload": payload, "created_at": moment,
              "attempts": 0, "next_attempt_at": moment}  # fmt: skip
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(AlertOutbox).values(**values).on_conflict_do_nothing(
            index_elements=["dedup_key"]
        )
    )  # fmt: skip
    return session.execute(statement).rowcount == 1


def keys_with_prefix(session: Session, prefix: str) -> list[str]:
    return list(
        session.scalars(
            select(AlertOutbox.dedup_key).where(AlertOutbox.dedup_key.startswith(prefix))
        )
    )


def due(session: Session, now: datetime | None = None, limit: int = 50) -> list[OutboxAlert]:
    """Undelivered alerts whose next attempt is due, oldest first (the order they arose)."""
    rows = session.scalars(
        select(AlertOutbox)
        .where(AlertOutbox.delivered_at.is_(None), AlertOutbox.next_attempt_at <= _now(now))
        .order_by(AlertOutbox.id)
        .limit(limit)
    ).all()
    return [OutboxAlert(r.id, r.kind, r.dedup_key, dict(r.payload), r.attempts) for r in rows]


def mark_delivered(session: Session, alert_id: int, now: datetime | None = None) -> None:
    moment = _now(now)
    session.execute(
        update(AlertOutbox)
        .where(AlertOutbox.id == alert_id)
        .values(delivered_at=moment, last_attempt_at=moment, attempts=AlertOutbox.attempts + 1,
                lease_owner=None, lease_expires_at=None)
    )  # fmt: skip


def retry_delay_s(attempts: int, first_retry_s: float = FIRST_RETRY_S) -> float:
    """Delay after the `attempts`-th failure: 30 s, 60 s, 120 s, ... at most an hour."""
    return min(first_retry_s * 2 ** (attempts - 1), MAX_RETRY_S)


def mark_failed(
    session: Session, alert_id: int, error: str, now: datetime | None = None,
    first_retry_s: float = FIRST_RETRY_S,
) -> datetime:  # fmt: skip
    """Count the attempt, keep the error; returns when the alert is due again."""
    moment = _now(now)
    attempts = session.execute(
        select(AlertOutbox.attempts).where(AlertOutbox.id == alert_id)
    ).scalar_one() + 1  # fmt: skip
    next_attempt = moment + timedelta(seconds=retry_delay_s(attempts, first_retry_s))
    session.execute(
        update(AlertOutbox)
        .where(AlertOutbox.id == alert_id)
        .values(
            attempts=attempts,
            last_error=error[:ERROR_CHARS],
            last_attempt_at=moment,
            next_attempt_at=next_attempt,
            lease_owner=None,
            lease_expires_at=None,
        )  # fmt: skip
    )
    return next_attempt


def undelivered_summary(session: Session) -> UndeliveredSummary:
    pending = AlertOutbox.delivered_at.is_(None)
    count, oldest = session.execute(
        select(func.count(), func.min(AlertOutbox.created_at)).where(pending)
    ).one()
    last_error = session.execute(
        select(AlertOutbox.last_error)
        .where(pending, AlertOutbox.last_error.is_not(None))
        .order_by(AlertOutbox.last_attempt_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    return UndeliveredSummary(int(count), oldest, last_error)
