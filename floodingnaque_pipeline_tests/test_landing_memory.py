"""Memory stays flat as landing files grow: a 50 MB file is stored in under 200 MB of RSS
(issue 14, item 9: it took 848 MB to 2.4 GB before the parse was streamed).

Each ingest runs as its own process (`python -m floodingnaque_pipeline.label_ingest`, the same
code path as the assets), so its peak RSS is its own and not this test process's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from floodingnaque_pipeline_tests.fakes.landing_files import (
    flood_file,
    ingest_in_own_process,
    station_file,
)

pytestmark = pytest.mark.slow

SIZE = 50 * 1024 * 1024
RSS_LIMIT_MB = 200  # the bound for a 50 MB file


@pytest.mark.parametrize("kind", ["flood_records", "pagasa"])
def test_a_50_mb_landing_file_is_stored_in_under_200_mb(
    kind: str, pg_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / kind
    folder.mkdir()
    if kind == "flood_records":
        content, rows = flood_file(SIZE)
        relative, table, expected_accepted = "flood_records/big.csv", "flood_events", rows
    else:
        content, rows = station_file(SIZE)
        relative, table, expected_accepted = "pagasa/naia_daily.csv", "station_observations", 1000
    (tmp_path / relative).write_bytes(content)

    report = ingest_in_own_process(pg_url, tmp_path, relative)

    assert report["accepted"] == expected_accepted
    assert report["rejected"] == rows - expected_accepted
    engine = create_engine(pg_url)
    with engine.connect() as connection:
        stored = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        refused = connection.execute(text("SELECT count(*) FROM ingest_rejections")).scalar_one()
    engine.dispose()
    assert (stored, refused) == (expected_accepted, rows - expected_accepted)
    assert report["peak_rss_mb"] < RSS_LIMIT_MB, report
