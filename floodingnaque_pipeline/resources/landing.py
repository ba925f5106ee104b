"""LandingZoneResource: the folder where the city drops PAGASA and CDRRMO CSV files."""

import os
from pathlib import Path

import dagster as dg
from pydantic import Field

from floodingnaque_pipeline.landing import check_relative_path, list_landing_files

DEFAULT_LANDING_DIR = "./landing"


class LandingZoneResource(dg.ConfigurableResource):
    """Lists and reads `pagasa/*.csv` and `flood_records/*.csv` below `landing_dir`."""

    landing_dir: str = Field(
        default=DEFAULT_LANDING_DIR,
        description="Folder watched for pagasa/*.csv and flood_records/*.csv "
        "(FLOODINGNAQUE_LANDING_DIR).",
    )

    @property
    def root(self) -> Path:
        return Path(self.landing_dir).expanduser()

    def list_files(self) -> list[str]:
        """Landing-relative paths, e.g. 'pagasa/naia_daily.csv'."""
        return list_landing_files(self.root)

    def path_of(self, relative_path: str) -> Path:
        # Partition keys come from the instance; never let one point outside the landing folder.
        return self.root.joinpath(*check_relative_path(relative_path).parts)

    def read_bytes(self, relative_path: str) -> bytes:
        path = self.path_of(relative_path)
        if not path.is_file():
            raise FileNotFoundError(
                f"landing file {relative_path!r} is gone from {self.root} (removed after the "
                "sensor saw it?); drop it again to ingest it"
            )
        return path.read_bytes()


def landing_from_env() -> LandingZoneResource:
    """FLOODINGNAQUE_LANDING_DIR through dg.EnvVar when set, else ./landing."""
    if os.environ.get("FLOODINGNAQUE_LANDING_DIR"):
        return LandingZoneResource(landing_dir=dg.EnvVar("FLOODINGNAQUE_LANDING_DIR"))
    return LandingZoneResource()
