"""raw_weather_pulls: store every HTTP response verbatim, and read them back by time window."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, null, select, tuple_
from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.copy_format import JsonText
from floodingnaque_pipeline.db.models import RawWeatherPull
from floodingnaque_pipeline.db.upsert import upsert_rows

# Fields that differ between two identical answers; they do not make a pull "changed".
VOLATILE_FIELDS = ("generationtime_ms",)
_VOLATILE_TEXT = re.compile(
    "|".join(rf'"{name}"\s*:\s*[-+0-9.eE]+\s*,?' for name in VOLATILE_FIELDS)
)


@dataclass(frozen=True)
class StoredPull:
    id: int
    source: str
    location_ids: list[int]
    fetched_at: datetime
    payload: Any
    payload_sha256: str | None = None


def pull_key(
    source: str, endpoint: str, masked_params: Mapping[str, object], extra: str = ""
) -> str:
    """The same request (secrets already masked) always maps to the same row. `extra` tells
    apart requests that look alike but answer for different times (current-weather APIs)."""
    canonical = json.dumps([source, endpoint, sorted(masked_params.items()), extra], default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def body_digest(body: str) -> str:
    """payload_digest of a response body as received, without decoding and re-serialising it
    (on a 1.5 MB archive response that costs ~0.2 s): the volatile fields are cut out of the
    text. Bodies of the same answer are the same text, so the same data gives the same digest."""
    return hashlib.sha256(_VOLATILE_TEXT.sub("", body).encode()).hexdigest()


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
    body: str | None = None,
) -> int:
    """Insert or refresh the pull for this exact request; returns its id (stable on re-pull).

    A re-pull with the same data leaves the row untouched (same fetched_at, same run id), so
    re-running a settled partition changes nothing. `body`, the response text as received, is
    stored as is when given (no re-serialising of the decoded payload).
    """
    key = pull_key(source, endpoint, masked_params, key_extra)
    # COPY (PostgreSQL) writes JsonText as it is; SQLite's JSON column serialises the payload.
    postgres = session.connection().dialect.name == "postgresql"
    stored_payload = JsonText(body) if body is not None and postgres else payload
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
        stored_payload,
        payload_digest(payload) if body is None else body_digest(body),
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
    session: Session,
    sources: Sequence[str],
    start: datetime,
    end: datetime,
    *,
    without_payload: Collection[tuple[int, str | None]] = (),
) -> Iterator[StoredPull]:
    """Pulls whose hour-ends intersect [start, end], oldest fetch first (later ones win).

    A pull whose (id, payload_sha256) is in `without_payload` (the caller parsed that exact
    payload already) comes with payload None: it is neither sent nor decoded again."""
    payload: Any = RawWeatherPull.payload
    known = [(i, sha) for i, sha in without_payload if sha is not None]
    if known:
        same = tuple_(RawWeatherPull.id, RawWeatherPull.payload_sha256).in_(known)
        payload = case((same, null()), else_=RawWeatherPull.payload)
    query = (
        select(
            RawWeatherPull.id,
            RawWeatherPull.source,
            RawWeatherPull.location_ids,
            RawWeatherPull.fetched_at,
            RawWeatherPull.payload_sha256,
            payload.label("payload"),
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
        yield StoredPull(row.id, row.source, list(row.location_ids), row.fetched_at, row.payload,
                         row.payload_sha256)  # fmt: skip


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
