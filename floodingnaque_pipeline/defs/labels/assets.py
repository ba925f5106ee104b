"""`station_observations` and `flood_events`: one landing file per partition, one transaction.

A refused row is data, not a failure: the run succeeds, the refusal is stored in
`ingest_rejections` and the rejection-ratio check reports it. A file refused whole (wrong
header, Excel bytes, header only, every row bad) keeps the rows of its last accepted version,
stores its refusal, and then fails the run with the reason as the headline (tagged
`floodingnaque/refused`, so the landing sensor does not retry the same bytes). A database error
is a failure too: the file's transaction rolls back, so nothing of that file version is written.
"""

from collections.abc import Sequence

import dagster as dg

from floodingnaque_pipeline.db.labels import file_tally, top_reasons
from floodingnaque_pipeline.defs.constants import OWNER, WAREHOUSE
from floodingnaque_pipeline.defs.kinds import DATABASE
from floodingnaque_pipeline.defs.labels.checks import (
    cross_file_result,
    cross_file_spec,
    refused_whole_evaluation,
    rejection_ratio_result,
    rejection_ratio_spec,
)
from floodingnaque_pipeline.defs.labels.metadata import file_metadata, refusal_headline
from floodingnaque_pipeline.defs.labels.partitions import flood_record_files, pagasa_files
from floodingnaque_pipeline.label_ingest import (
    FLOODS,
    STATIONS,
    FileChangedError,
    LabelKind,
    ingest_label_file,
)
from floodingnaque_pipeline.landing_state import REFUSED_TAG, SHA256_TAG
from floodingnaque_pipeline.resources.database import DatabaseResource
from floodingnaque_pipeline.resources.landing import LandingZoneResource

STATION_PREVIEW = ("observed_on", "rainfall_mm", "rainfall_trace", "tmax_c", "tmin_c",
                   "relative_humidity_pct")  # fmt: skip
FLOOD_PREVIEW = ("row_number", "event_date", "barangay", "barangay_inferred", "depth_class",
                 "weather_disturbance")  # fmt: skip


def _ingest(
    context: dg.AssetExecutionContext,
    database: DatabaseResource,
    landing: LandingZoneResource,
    kind: LabelKind,
    preview: Sequence[str],
) -> dg.MaterializeResult:
    path = context.partition_key
    try:
        with database.session() as session:  # the file's one transaction
            stored = ingest_label_file(
                session, kind, landing.root, path, max_bytes=landing.max_bytes,
                expected_sha256=context.run.tags.get(SHA256_TAG), run_id=context.run.run_id,
            )  # fmt: skip
    except FileChangedError as changed:  # rolled back: the file's stored rows are kept
        raise dg.Failure(str(changed)) from None
    except FileNotFoundError:
        raise dg.Failure(
            f"landing file {path!r} is gone from {landing.root} (removed after the sensor saw "
            "it?); drop it again to ingest it"
        ) from None
    with database.session() as session:
        tally = file_tally(session, kind.source, path)
        top, other_reasons = top_reasons(session, kind.source, path)
    counts = stored.counts
    context.log.info(f"{path}: {counts.accepted} rows stored, {counts.rejected} refused")
    for note in stored.notes:  # e.g. read as cp1252: kept, but never silently
        context.log.warning(f"{path}: {note}")
    for reason in stored.long_reasons:  # stored cut to 1,000 characters
        context.log.warning(f"{path}: refusal in full: {reason}")
    metadata = file_metadata(stored, top, other_reasons, preview)
    if counts.refused_whole:
        headline = refusal_headline(counts, top, other_reasons)
        _fail_refused(context, path, headline, counts.kept_previous, metadata)
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[
            rejection_ratio_result(tally, path),
            cross_file_result(stored.repeats, path),
        ],
    )


def _fail_refused(
    context: dg.AssetExecutionContext,
    path: str,
    reason: str,
    kept: int,
    metadata: dict[str, dg.MetadataValue],
) -> None:
    """Called after the file's transaction committed (the refusal is stored, the last accepted
    rows untouched): the run must look refused, with the reason as its headline."""
    keeps = (
        f"the {kept:,} rows of its last accepted version are kept"
        if kept
        else "nothing of it is stored"
    )
    context.log_event(refused_whole_evaluation(context.asset_key, path, reason))
    # Tagged before failing: the landing sensor settles a refused run instead of retrying it.
    context.instance.add_run_tags(context.run.run_id, {REFUSED_TAG: "true"})
    raise dg.Failure(
        description=f"{path} refused whole: {reason}. {keeps.capitalize()}; fix the file and "
        "drop it again.",
        metadata=metadata,
        allow_retries=False,
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
    return _ingest(context, database, landing, STATIONS, STATION_PREVIEW)


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
    return _ingest(context, database, landing, FLOODS, FLOOD_PREVIEW)
