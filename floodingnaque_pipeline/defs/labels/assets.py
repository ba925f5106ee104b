"""`station_observations` and `flood_events`: one landing file per partition, one transaction.

A refused row or a refused file is data, not a failure: the run succeeds, the refusal is stored
in `ingest_rejections` and the rejection-ratio check reports it. A database error is a failure:
the file's transaction rolls back, so nothing of that file version is written.
"""

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import dagster as dg

from floodingnaque_pipeline.db.label_repeats import CrossFileRepeats, flood_repeats, station_repeats
from floodingnaque_pipeline.db.labels import (
    CDRRMO,
    PAGASA,
    file_tally,
    store_flood_file,
    store_station_file,
)
from floodingnaque_pipeline.defs.constants import OWNER, WAREHOUSE
from floodingnaque_pipeline.defs.kinds import DATABASE
from floodingnaque_pipeline.defs.labels.checks import (
    cross_file_result,
    cross_file_spec,
    rejection_ratio_result,
    rejection_ratio_spec,
)
from floodingnaque_pipeline.defs.labels.metadata import file_metadata
from floodingnaque_pipeline.defs.labels.partitions import flood_record_files, pagasa_files
from floodingnaque_pipeline.landing import LandingFileRefused, sha256_bytes
from floodingnaque_pipeline.landing_state import SHA256_TAG
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline.resources.landing import LandingZoneResource
from floodingnaque_pipeline.sources.cdrrmo import parse_cdrrmo_csv
from floodingnaque_pipeline.sources.csv_files import whole_file
from floodingnaque_pipeline.sources.pagasa import parse_pagasa_csv

STATION_PREVIEW = ("observed_on", "rainfall_mm", "rainfall_trace", "tmax_c", "tmin_c",
                   "relative_humidity_pct")  # fmt: skip
FLOOD_PREVIEW = ("row_number", "event_date", "barangay", "barangay_inferred", "depth_class",
                 "weather_disturbance")  # fmt: skip


def check_read(path: str, content: bytes, expected_sha256: str | None) -> None:
    """Fail before touching the file's rows when the bytes read are not the ones the sensor
    hashed (rewritten while the run was queued) or nothing was read (mid-rewrite): the sensor
    requests the file again once its new content has settled."""
    if not content:
        raise dg.Failure(
            f"{path} read as 0 bytes (being rewritten?); its stored rows are kept. The landing "
            "sensor ingests it once it has settled."
        )
    if expected_sha256 and sha256_bytes(content) != expected_sha256:
        raise dg.Failure(
            f"{path} changed after the landing sensor hashed it (expected sha256 "
            f"{expected_sha256[:12]}…, read {sha256_bytes(content)[:12]}…); nothing written. "
            "The sensor requests the new content once it has settled."
        )


def _ingest(
    context: dg.AssetExecutionContext,
    database: DatabaseResource,
    landing: LandingZoneResource,
    source: str,
    parse: Callable[[bytes, str], Any],
    store: Callable[..., Any],
    date_field: str,
    preview: Sequence[str],
    repeats: Callable[..., CrossFileRepeats],
) -> dg.MaterializeResult:
    path = context.partition_key
    try:
        content = landing.read_bytes(path)
    except LandingFileRefused as refused:  # a link, not a regular file, over the size cap
        content, result = b"", whole_file(str(refused))
    else:
        check_read(path, content, context.run.tags.get(SHA256_TAG))
        result = parse(content, path)
    sha = sha256_bytes(content)
    with database.session() as session:  # the file's one transaction
        # Before the store: a PAGASA file takes over the days another file held.
        repeated = repeats(session, path, result.records)
        counts = store(session, path, sha, result, context.run.run_id)
    with database.session() as session:
        tally = file_tally(session, source, path)
    context.log.info(f"{path}: {counts.accepted} rows stored, {counts.rejected} refused")
    for note in result.notes:  # e.g. read as cp1252: kept, but never silently
        context.log.warning(f"{path}: {note}")
    dates: list[date] = [getattr(r, date_field) for r in result.records]
    metadata = file_metadata(result, counts, sha, dates, preview)
    metadata["parse_notes"] = dg.MetadataValue.md("\n".join(result.notes) or "none")
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[rejection_ratio_result(tally, path), cross_file_result(repeated, path)],
    )


@dg.asset(
    key="station_observations",
    partitions_def=pagasa_files,
    group_name=WAREHOUSE,
    kinds={DATABASE},
    owners=[OWNER],
    check_specs=[
        rejection_ratio_spec("station_observations"),
        cross_file_spec("station_observations"),
    ],
    description=(
        "PAGASA daily station data (NAIA, Port Area, Science Garden), one partition per landing "
        "file (pagasa/<station>_daily.csv). -999 -> NULL, -1 -> 0 mm with rainfall_trace. The "
        "date is PAGASA's climatological day (08:00 that day to 08:00 the next, local). A "
        "re-dropped file replaces that file's rows; refused rows go to ingest_rejections."
    ),
)
def station_observations(
    context: dg.AssetExecutionContext, database: DatabaseResource, landing: LandingZoneResource
) -> dg.MaterializeResult:
    return _ingest(
        context, database, landing, PAGASA, parse_pagasa_csv, store_station_file,
        "observed_on", STATION_PREVIEW, station_repeats,
    )  # fmt: skip


@dg.asset(
    key="flood_events",
    partitions_def=flood_record_files,
    group_name=WAREHOUSE,
    kinds={DATABASE},
    owners=[OWNER],
    check_specs=[rejection_ratio_spec("flood_events"), cross_file_spec("flood_events")],
    description=(
        "CDRRMO Parañaque flood records (the model's labels), one partition per landing file "
        "(flood_records/*.csv) in any known layout: the exports as published (table-from-PDF, "
        "text-from-PDF) or the cleaned columns. Each record keeps its date's evidence and its "
        "printed number. Barangays mapped to the 16 canonical names (or inferred from the "
        "coordinates), depths to MMDA gauge classes; records with no or conflicting dates, "
        "far-away coordinates or no placeable barangay, and files in an unknown layout, go to "
        "ingest_rejections with the reason. A re-dropped file replaces that file's rows."
    ),
)
def flood_events(
    context: dg.AssetExecutionContext, database: DatabaseResource, landing: LandingZoneResource
) -> dg.MaterializeResult:
    return _ingest(
        context, database, landing, CDRRMO, parse_cdrrmo_csv, store_flood_file,
        "event_date", FLOOD_PREVIEW, flood_repeats,
    )  # fmt: skip
