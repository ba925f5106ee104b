"""Claiming outbox rows before sending them: a lease with an owner and an expiry.

One statement claims the oldest due row whose lease is free or expired. On PostgreSQL its
subquery locks the row `FOR UPDATE SKIP LOCKED`, so a concurrent claimer skips it instead of
waiting; on SQLite the transaction starts with `BEGIN IMMEDIATE` (the write lock is taken
before anything is read), so claims are serialised and the second one finds the lease taken.
A sender that crashes keeps its lease until it expires; then another sender takes the row over.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.alert_outbox import OutboxAlert, _now
from floodingnaque_pipeline.db.models import AlertOutbox


def new_owner() -> str:
    """Who holds a lease: host, process and a random part (unique per sender pass)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:16]}"


def claim_next(
    session: Session, owner: str, lease_s: float, now: datetime | None = None
) -> OutboxAlert | None:
    """Claim the oldest due, unclaimed (or expired) alert for `owner`; None when there is none.
    Commit the session right after, so other senders see the lease."""
    moment = _now(now)
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    free = or_(AlertOutbox.lease_expires_at.is_(None), AlertOutbox.lease_expires_at <= moment)
    oldest_due = (
        select(AlertOutbox.id)
        .where(AlertOutbox.delivered_at.is_(None), AlertOutbox.next_attempt_at <= moment, free)
        .order_by(AlertOutbox.id)
        .limit(1)
        .with_for_update(skip_locked=True)  # PostgreSQL only; SQLite renders nothing here
        .scalar_subquery()
    )
    claimed = session.execute(
        update(AlertOutbox)
        .where(AlertOutbox.id == oldest_due, free)  # `free` again: the row as it is now
        .values(lease_owner=owner, lease_expires_at=moment + timedelta(seconds=lease_s))
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return None
    row = session.scalars(
        select(AlertOutbox).where(
            AlertOutbox.lease_owner == owner, AlertOutbox.delivered_at.is_(None)
        )
    ).one()
    return OutboxAlert(row.id, row.kind, row.dedup_key, dict(row.payload), row.attempts)


def release(session: Session, alert_id: int, owner: str) -> None:
    """Give a claimed alert back untouched (the pass stopped before sending it)."""
    session.execute(
        update(AlertOutbox)
        .where(AlertOutbox.id == alert_id, AlertOutbox.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None)
    )
