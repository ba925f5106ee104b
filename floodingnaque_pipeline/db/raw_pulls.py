"""raw_weather_pulls: store every HTTP response verbatim, and read them back by time window."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.models import RawWeatherPull
from floodingnaque_pipeline.db.upsert import upsert_rows

# Fields that differ between two identical answers; they do not make a pull "changed".
VOLATILE_FIELDS = ("generationtime_ms",)


@dataclass(frozen=True)
class StoredPull:
    id: int
    source: str
    location_ids: list[int]
    fetched_at: datetime
    payload: Any


def pull_key(
    source: str, endpoint: str, masked_params: Mapping[str, object], extra: str = ""
) -> str:
    """The same request (secrets already masked) always maps to the same row. `extra` tells
    apart requests that look alike but answer for different times (current-weather APIs)."""
    canonical = json.dumps([source, endpoint, sorted(masked_params.items()), extra], default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def payload_digest(payload: Any) -> str:
    def strip(obj: Any) -> Any:
        if isinstance(obj, dict):
            return {k: v for k, v in obj.items() if k not in VOLATILE_FIELDS}
        if isinstance(obj, list):
            return [strip(o) for o in obj]
        return obj

    canonical = json.dumps(strip(payload), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def store_pull(
    session: Session,
    *,
    source: str,
    endpoint: str,
    masked_params: Mapping[str, object],
    location_ids: Sequence[int],
    window_start: datetime,
    window_end: datetime,
    fetched_at: datetime,
    payload: Any,
    payload_bytes: int,
    run_id: str | None,
    key_extra: str = "",
) -> int:
    """Insert or refresh the pull for this exact request; returns its id (stable on re-pull).

    A re-pull with the same data leaves the row untouched (same fetched_at, same run id), so
    re-running a settled partition changes nothing.
    """
    key = pull_key(source, endpoint, masked_params, key_extra)
    row = (
        key,
        source,
        endpoint,
        dict(masked_params),
        list(location_ids),
        window_start,
        window_end,
        fetched_at,
        "ok",
        200,
        payload,
        payload_digest(payload),
        payload_bytes,
        run_id,
    )
    columns = [
        "pull_key",
        "source",
        "endpoint",
        "request_params",
        "location_ids",
        "window_start",
        "window_end",
        "fetched_at",
        "status",
        "http_status",
        "payload",
        "payload_sha256",
        "payload_bytes",
        "run_id",
    ]
    upsert_rows(
        session.connection(),
        RawWeatherPull.__table__,
        columns,
        [row],
        key=["pull_key", "window_start"],
        compare=["payload_sha256", "location_ids", "status"],
    )
    return session.scalars(select(RawWeatherPull.id).where(RawWeatherPull.pull_key == key)).one()


def pulls_overlapping(
    session: Session, sources: Sequence[str], start: datetime, end: datetime
) -> Iterator[StoredPull]:
    """Pulls whose hour-ends intersect [start, end], oldest fetch first (later ones win)."""
    query = (
        select(
            RawWeatherPull.id,
            RawWeatherPull.source,
            RawWeatherPull.location_ids,
            RawWeatherPull.fetched_at,
            RawWeatherPull.payload,
        )
        .where(
            RawWeatherPull.source.in_(sources),
            RawWeatherPull.status == "ok",
            RawWeatherPull.window_start <= end,
            RawWeatherPull.window_end >= start,
        )
        .order_by(RawWeatherPull.fetched_at, RawWeatherPull.id)
    )
    # Streamed one pull at a time: a ten-year window never holds every payload in memory.
    for row in session.execute(query.execution_options(yield_per=1)):
        yield StoredPull(row.id, row.source, list(row.location_ids), row.fetched_at, row.payload)


def pull_keys_stored_by(session: Session, keys: Sequence[str], run_ids: Sequence[str]) -> set[str]:
    """Which of `keys` hold a good pull last written by one of `run_ids` (a run and its
    re-executions): a re-execution resumes from them instead of fetching them again."""
    if not keys or not run_ids:
        return set()
    query = select(RawWeatherPull.pull_key).where(
        RawWeatherPull.pull_key.in_(list(keys)),
        RawWeatherPull.run_id.in_(list(run_ids)),
        RawWeatherPull.status == "ok",
    )
    return set(session.scalars(query))
