"""LandingZoneResource: the folder where the city drops PAGASA and CDRRMO CSV files."""

import os
from pathlib import Path

import dagster as dg
from pydantic import Field

from floodingnaque_pipeline.landing import read_landing_file

DEFAULT_LANDING_DIR = "./landing"
DEFAULT_MAX_BYTES = 100 * 1024 * 1024  # a decade of daily station rows is ~1 MB


class LandingZoneResource(dg.ConfigurableResource):
    """Lists and reads `pagasa/*.csv` and `flood_records/*.csv` below `landing_dir`."""

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

    def read_bytes(self, relative_path: str) -> bytes:
        """Raises FileNotFoundError when the file is gone, LandingFileRefused for a symlink,
        a non-regular file or one over `max_bytes`."""
        try:
            return read_landing_file(self.root, relative_path, self.max_bytes)
        except FileNotFoundError:
            raise FileNotFoundError(
                f"landing file {relative_path!r} is gone from {self.root} (removed after the "
                "sensor saw it?); drop it again to ingest it"
            ) from None


def landing_from_env() -> LandingZoneResource:
    """FLOODINGNAQUE_LANDING_DIR (via dg.EnvVar) and FLOODINGNAQUE_LANDING_MAX_BYTES if set."""
    limit = os.environ.get("FLOODINGNAQUE_LANDING_MAX_BYTES")
    extra = {"max_bytes": int(limit)} if limit else {}
    if os.environ.get("FLOODINGNAQUE_LANDING_DIR"):
        return LandingZoneResource(landing_dir=dg.EnvVar("FLOODINGNAQUE_LANDING_DIR"), **extra)
    return LandingZoneResource(**extra)
