"""flood_predictions: write one issue (idempotent per hour) with its alerts, read issue states."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.alert_outbox import enqueue, keys_with_prefix
from floodingnaque_pipeline.db.models import FloodPrediction, Location, ModelVersion
from floodingnaque_pipeline.db.upsert import UpsertCounts, upsert_rows
from floodingnaque_pipeline.domain.predictions import LocationState

COLUMNS = ["location_id", "valid_for", "issued_at", "horizon_days", "probability", "risk_level",
           "reasons", "model_version_id", "run_id", "observed_share", "forecast_issued_at",
           "inputs", "probability_p10", "probability_p90"]  # fmt: skip
COMPARED = [c for c in COLUMNS[3:] if c != "run_id"]
KEY = ["location_id", "valid_for", "issued_at"]


def store_issue(session: Session, rows: Sequence[tuple]) -> UpsertCounts:
    """rows in COLUMNS order; rows written before 0010 may stop after run_id (the recorded
    inputs are then NULL)."""
    width = len(COLUMNS)
    rows = [tuple(row) + (None,) * (width - len(row)) for row in rows]
    return upsert_rows(session.connection(), FloodPrediction.__table__, COLUMNS, rows, key=KEY,
                       compare=COMPARED)  # fmt: skip


def latest_states(session: Session) -> list[LocationState]:
    """Per location, the most severe (then earliest) prediction of the newest issue."""
    newest = session.execute(select(func.max(FloodPrediction.issued_at))).scalar_one()
    return [] if newest is None else issue_states(session, newest)


def issue_states(session: Session, issued_at: datetime) -> list[LocationState]:
    """Per location, the most severe (then earliest) prediction of the issue at `issued_at`."""
    p = FloodPrediction
    rows = session.execute(
        select(p, Location.slug, Location.name, ModelVersion.version)
        .join(Location, Location.id == p.location_id)
        .outerjoin(ModelVersion, ModelVersion.id == p.model_version_id)
        .where(p.issued_at == issued_at)
        .order_by(p.location_id, p.risk_level.desc(), p.valid_for)
    ).all()
    states: dict[int, LocationState] = {}
    for prediction, slug, name, version in rows:
        states.setdefault(
            prediction.location_id,
            LocationState(
                prediction.location_id,
                slug,
                name,
                prediction.risk_level,
                prediction.valid_for,
                prediction.probability,
                list(prediction.reasons),
                version,
                prediction.issued_at,
            ),  # fmt: skip
        )
    return list(states.values())


def store_issue_with_alerts(
    session: Session,
    rows: Sequence[tuple],
    payload_for: Callable[[LocationState], dict[str, Any]],
    alert_level: int,
) -> tuple[UpsertCounts, int]:
    """Store one issue and, in the same transaction, enqueue an alert for every location that
    enters `alert_level` or above relative to the previous issue (a repeat or a downgrade sends
    nothing). The dedup key (location, issue hour, level) makes a re-run of the hour add
    nothing; an escalation found by the re-run is still sent, a lower level is not. Returns the
    upsert counts and the number of alerts enqueued. `payload_for` comes from the caller (db
    does not know the alert format)."""
    issued = {row[COLUMNS.index("issued_at")] for row in rows}
    if not rows:
        return store_issue(session, rows), 0
    if len(issued) != 1:
        raise ValueError(f"one issue at a time: rows carry {len(issued)} issued_at values")
    (issued_at,) = issued
    counts = store_issue(session, rows)
    previous_at = session.execute(
        select(func.max(FloodPrediction.issued_at)).where(FloodPrediction.issued_at < issued_at)
    ).scalar_one()
    before = (
        {s.location_id: s.level for s in issue_states(session, previous_at)} if previous_at else {}
    )
    enqueued = 0
    for state in issue_states(session, issued_at):
        if state.level >= alert_level and state.level > before.get(state.location_id, 0):
            prefix = f"flood_risk:{state.location_id}:{issued_at.isoformat()}:"
            # An earlier run of this hour may have sent a higher level: this one is a downgrade.
            sent = [int(k.removeprefix(prefix)) for k in keys_with_prefix(session, prefix)]
            if max(sent, default=-1) < state.level:
                key = f"{prefix}{state.level}"
                enqueued += enqueue(session, "flood_risk", key, payload_for(state))
    return counts, enqueued


def previous_issue_levels(
    session: Session, issued_at: datetime
) -> tuple[datetime | None, dict[tuple[int, date], int]]:
    """The issue before `issued_at` and its level per (location, day): what changed since."""
    p = FloodPrediction
    before = session.execute(
        select(func.max(p.issued_at)).where(p.issued_at < issued_at)
    ).scalar_one()
    if before is None:
        return None, {}
    rows = session.execute(
        select(p.location_id, p.valid_for, p.risk_level).where(p.issued_at == before)
    ).all()
    return before, {(int(loc), day): int(level) for loc, day, level in rows}


def daily_levels(session: Session, since: date) -> dict[tuple[int, date], int]:
    """Per (location, day) from `since`, the highest level any same-day issue gave it."""
    p = FloodPrediction
    rows = session.execute(
        select(p.location_id, p.valid_for, func.max(p.risk_level))
        .where(p.horizon_days == 0, p.valid_for >= since)
        .group_by(p.location_id, p.valid_for)
    ).all()
    return {(int(loc), day): int(level) for loc, day, level in rows}
