"""`flood_features`: the daily label + feature table the model trains on."""

import dagster as dg

from floodingnaque_pipeline.db.features import store_features
from floodingnaque_pipeline.db.ml_inputs import (
    events_frame,
    hourly_frame,
    locations_frame,
    record_files,
    station_frame,
)
from floodingnaque_pipeline.defs.constants import ML, OWNER
from floodingnaque_pipeline.defs.kinds import DATABASE
from floodingnaque_pipeline.defs.ml.automation import retrain_daily
from floodingnaque_pipeline.domain.markdown import markdown_table
from floodingnaque_pipeline.ml.evaluate import test_years
from floodingnaque_pipeline.ml.features import build_features
from floodingnaque_pipeline.ml.labels import RecordFile, attach_labels, covered_years, flood_days
from floodingnaque_pipeline.ml.rain_match import agreement_md, fit_on_years_before
from floodingnaque_pipeline.ml.stations import location_sites, station_sites
from floodingnaque_pipeline.resources.database import DatabaseResource

RAIN_MAP_KEY = "rain_quantile_map"  # read by flood_model, stored with each model version


@dg.asset(
    key="flood_features",
    deps=["locations", "weather_data", "station_observations", "flood_events"],
    automation_condition=retrain_daily,
    group_name=ML,
    kinds={DATABASE, "pandas"},
    owners=[OWNER],
    description=(
        "One row per (active location, Manila day): label (flood recorded in that barangay or "
        "within 1.5 km; NULL outside the years a usable CDRRMO file covers) and features known "
        "at the day's issue time, 08:00 Manila: rain over the 1/2/3/7 days before it, "
        "antecedent precipitation index, peak 1 h / 3 h rain, humidity, temperature, season. "
        "Rain from the nearest PAGASA gauge (row R = 08:00 R .. 08:00 R+1 -> day R+1), else "
        "weather_data quantile-mapped to the gauges on the years before the first test year."
    ),
)
def flood_features(
    context: dg.AssetExecutionContext, database: DatabaseResource
) -> dg.MaterializeResult:
    with database.session() as session:
        locations = locations_frame(session)
        hourly = hourly_frame(session)
        observations = station_frame(session)
        events = events_frame(session)
        files = [RecordFile(*counts) for counts in record_files(session)]
    if locations.empty:
        raise dg.Failure("no active locations: materialize the `locations` asset first")
    sites, stations = location_sites(locations), station_sites()
    years = covered_years(files)
    tested = test_years(years)
    rain_map, rain_agreement = fit_on_years_before(
        hourly, observations, sites, stations, min(tested) if tested else None
    )
    rows = build_features(hourly, observations, sites, stations, rain_map)
    rows["label"] = attach_labels(rows, flood_days(events, locations), years)
    with database.session() as session:
        counts, removed = store_features(session, rows, context.run.run_id)
    labelled = rows[rows["label"].notna()]
    sources = rows["rain_source"].value_counts()
    context.log.info(f"{len(rows):,} feature rows, {len(labelled):,} labelled (years {years})")
    return dg.MaterializeResult(
        metadata={
            "rows": dg.MetadataValue.int(len(rows)),
            "labelled_rows": dg.MetadataValue.int(len(labelled)),
            "positive_rows": dg.MetadataValue.int(int((labelled["label"] == 1).sum())),
            "positive_days": dg.MetadataValue.int(
                int(labelled.loc[labelled["label"] == 1, "day"].nunique())
            ),
            "covered_years": dg.MetadataValue.text(", ".join(map(str, years)) or "none"),
            "record_files": dg.MetadataValue.md(_files_table(files)),
            "rain_sources": dg.MetadataValue.md(
                markdown_table(["rain_source", "rows"], [(k, f"{v:,}") for k, v in sources.items()])
            ),
            "served_vs_gauge_rain": dg.MetadataValue.md(agreement_md(rain_agreement)),
            RAIN_MAP_KEY: dg.MetadataValue.json(rain_map.to_json() if rain_map else {}),
            "inserted": dg.MetadataValue.int(counts.inserted),
            "updated": dg.MetadataValue.int(counts.updated),
            "removed": dg.MetadataValue.int(removed),
        }
    )


def _files_table(files) -> str:
    rows = []
    for f in files:
        verdict = "yes" if f.usable else f"no ({f.rejection_ratio:.0%} refused)"
        years = ", ".join(map(str, f.years)) or "-"
        rows.append((f.name, f.accepted, f.rejected, years, verdict))
    return markdown_table(["file", "events", "refused", "years", "labels?"], rows, width=200)
