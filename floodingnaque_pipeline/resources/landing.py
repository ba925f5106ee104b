"""LandingZoneResource: the folder where the city drops PAGASA and CDRRMO CSV files."""

import os
from pathlib import Path

import dagster as dg
from pydantic import Field

from floodingnaque_pipeline.landing import DEFAULT_MAX_BYTES

DEFAULT_LANDING_DIR = "./landing"


class LandingZoneResource(dg.ConfigurableResource):
    """Where `pagasa/*.csv` and `flood_records/*.csv` land, and how big one may be (the
    ingest reads them through `floodingnaque_pipeline.label_ingest`)."""

    landing_dir: str = Field(
        default=DEFAULT_LANDING_DIR,
        description="Folder watched for pagasa/*.csv and flood_records/*.csv "
        "(FLOODINGNAQUE_LANDING_DIR).",
    )

    max_bytes: int = Field(
        default=DEFAULT_MAX_BYTES,
        description="Files larger than this are refused whole (FLOODINGNAQUE_LANDING_MAX_BYTES).",
    )

    @property
    def root(self) -> Path:
        return Path(self.landing_dir).expanduser()


def landing_from_env() -> LandingZoneResource:
    """FLOODINGNAQUE_LANDING_DIR (via dg.EnvVar) and FLOODINGNAQUE_LANDING_MAX_BYTES if set."""
    limit = os.environ.get("FLOODINGNAQUE_LANDING_MAX_BYTES")
    extra = {"max_bytes": int(limit)} if limit else {}
    if os.environ.get("FLOODINGNAQUE_LANDING_DIR"):
        return LandingZoneResource(landing_dir=dg.EnvVar("FLOODINGNAQUE_LANDING_DIR"), **extra)
    return LandingZoneResource(**extra)
