"""Questions the e2e tests ask of the app database: rows, duplicates and gaps per month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import psycopg2

MANILA = ZoneInfo("Asia/Manila")


def month_keys(first: str, count: int) -> list[str]:
    """Monthly partition keys ("2024-01-01", ...) starting at `first`."""
    year, month = int(first[:4]), int(first[5:7])
    keys = []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}-01")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def month_window(key: str) -> tuple[datetime, datetime]:
    """The partition's time window in Manila time; it owns the hour-ends in (start, end]."""
    start = datetime.fromisoformat(key).replace(tzinfo=MANILA)
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return start, start.replace(year=year, month=month)


@dataclass(frozen=True)
class Coverage:
    rows: int
    expected: int  # active locations x hours in the window
    duplicates: int  # (location, hour) pairs stored more than once, any source
    missing: int  # (location, hour) pairs not stored at all


def coverage(url: str, start: datetime, end: datetime) -> Coverage:
    window = "w.observed_at > %(start)s AND w.observed_at <= %(end)s"
    sql = f"""
        WITH hours AS (
            SELECT generate_series(%(start)s + interval '1 hour', %(end)s, interval '1 hour') AS t
        ), expected AS (
            SELECT l.id, h.t FROM locations l CROSS JOIN hours h WHERE l.active
        )
        SELECT
            (SELECT count(*) FROM weather_data w WHERE {window}),
            (SELECT count(*) FROM expected),
            (SELECT count(*) FROM (
                SELECT 1 FROM weather_data w WHERE {window}
                GROUP BY w.location_id, w.observed_at HAVING count(*) > 1) d),
            (SELECT count(*) FROM expected e WHERE NOT EXISTS (
                SELECT 1 FROM weather_data w WHERE w.location_id = e.id AND w.observed_at = e.t))
    """
    connection = psycopg2.connect(url, connect_timeout=10)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(sql, {"start": start, "end": end})
            return Coverage(*cursor.fetchone())
    finally:
        connection.close()


def months_coverage(url: str, first: str, count: int) -> Coverage:
    keys = month_keys(first, count)
    return coverage(url, month_window(keys[0])[0], month_window(keys[-1])[1])
