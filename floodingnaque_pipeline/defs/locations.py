"""The `locations` asset: the monitored barangays, synced from the package's data file."""

from pathlib import Path

import dagster as dg
from pydantic import Field

from floodingnaque_pipeline.db.locations import sync_locations
from floodingnaque_pipeline.defs.constants import OWNER, WAREHOUSE
from floodingnaque_pipeline.defs.kinds import DATABASE
from floodingnaque_pipeline.domain.markdown import markdown_table
from floodingnaque_pipeline.locations import load_default_locations, parse_locations_csv
from floodingnaque_pipeline.resources.database import DatabaseResource


class LocationsConfig(dg.Config):
    locations_file: str | None = Field(
        default=None,
        description="CSV (slug,name,latitude,longitude) to sync instead of the 16 defaults.",
    )


@dg.asset(
    key="locations",
    group_name=WAREHOUSE,
    kinds={DATABASE},
    owners=[OWNER],
    description=(
        "Monitored locations (Parañaque barangay centroids). Synced by slug from the package's "
        "data/locations.csv; a bad row (coordinates out of range, duplicate slug) fails the run "
        "with the row named."
    ),
)
def locations(
    context: dg.AssetExecutionContext, config: LocationsConfig, database: DatabaseResource
) -> dg.MaterializeResult:
    if config.locations_file:
        path = Path(config.locations_file)
        monitored = parse_locations_csv(path.read_text(encoding="utf-8"), path.name)
    else:
        monitored = load_default_locations()
    with database.session() as session:
        counts = sync_locations(session, monitored)
    context.log.info(
        f"synced {len(monitored)} locations: {counts.inserted} new, {counts.updated} changed"
    )
    preview = markdown_table(
        ["slug", "name", "lat", "lon"],
        [(m.slug, m.name, m.latitude, m.longitude) for m in monitored],
    )
    return dg.MaterializeResult(
        metadata={
            "rows": dg.MetadataValue.int(len(monitored)),
            "inserted": dg.MetadataValue.int(counts.inserted),
            "updated": dg.MetadataValue.int(counts.updated),
            "unchanged": dg.MetadataValue.int(counts.unchanged),
            "database": dg.MetadataValue.text(database.display_url),
            "preview": dg.MetadataValue.md(preview),
        }
    )
