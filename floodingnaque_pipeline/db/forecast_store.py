"""Write ensemble members and archived forecasts (each pull's rows in its own transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.models_forecasts import ForecastArchive, WeatherEnsemble
from floodingnaque_pipeline.sources.open_meteo_runs import ArchivedRain, MemberRain

_BATCH = 20_000


def _insert(session: Session, table: type, rows: list[dict]) -> None:
    for i in range(0, len(rows), _BATCH):
        session.execute(insert(table), rows[i : i + _BATCH])


def replace_ensemble(
    session: Session, rows: Sequence[MemberRain], issued_at: datetime, raw_pull_id: int | None
) -> int:
    """The table holds one run, the newest: the previous one is dropped with the new insert."""
    session.execute(delete(WeatherEnsemble))
    _insert(
        session,
        WeatherEnsemble,
        [r._asdict() | {"issued_at": issued_at, "raw_pull_id": raw_pull_id} for r in rows],
    )
    return len(rows)


def clear_ensemble(session: Session) -> int:
    """A failed pull: no members are served (the risk falls back to the deterministic forecast
    and says so) rather than a run that is getting old."""
    return session.execute(delete(WeatherEnsemble)).rowcount or 0


def archive_issued_at(valid_at: datetime, lead_day: int) -> datetime:
    """00:00 UTC of the valid hour's UTC day, minus lead_day days. valid_at is the END of the
    hour, so 00:00 belongs to the day before (its rain fell from 23:00)."""
    hour_start = valid_at.astimezone(UTC) - timedelta(hours=1)
    day = datetime(hour_start.year, hour_start.month, hour_start.day, tzinfo=UTC)
    return day - timedelta(days=lead_day)


def replace_archive(
    session: Session,
    rows: Sequence[ArchivedRain],
    location_ids: Sequence[int],
    window: tuple[datetime, datetime],
    raw_pull_id: int | None,
) -> int:
    """The window (start, end] of these locations is rewritten whole: a re-run of the same
    partition leaves the same rows. Rows outside the window are not written."""
    start, end = window
    table = ForecastArchive
    session.execute(
        delete(table).where(
            table.location_id.in_(list(location_ids)), table.valid_at > start, table.valid_at <= end
        )
    )
    kept = [
        r._asdict()
        | {"issued_at": archive_issued_at(r.valid_at, r.lead_day), "raw_pull_id": raw_pull_id}
        for r in rows
        if start < r.valid_at <= end
    ]
    _insert(session, table, kept)
    return len(kept)
