"""The default monitored locations (barangay centroids), loaded from the package and validated."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

DEFAULT_LOCATIONS_FILE = "locations.csv"


class LocationFileError(ValueError):
    """A locations file row that cannot be used; the message names the row."""


@dataclass(frozen=True)
class MonitoredLocation:
    slug: str
    name: str
    latitude: float
    longitude: float


def parse_locations_csv(text: str, source: str = "locations.csv") -> list[MonitoredLocation]:
    """Parse and validate a `slug,name,latitude,longitude` file; the first bad row raises."""
    reader = csv.DictReader(io.StringIO(text))
    expected = ["slug", "name", "latitude", "longitude"]
    if reader.fieldnames != expected:
        raise LocationFileError(f"{source}: header must be {expected}, got {reader.fieldnames}")
    seen: dict[str, int] = {}
    result: list[MonitoredLocation] = []
    for line_no, row in enumerate(reader, start=2):
        where = f"{source} line {line_no} ({row.get('slug')!r})"
        slug = (row["slug"] or "").strip()
        name = (row["name"] or "").strip()
        if not slug or not name:
            raise LocationFileError(f"{where}: slug and name are required")
        try:
            lat, lon = float(row["latitude"]), float(row["longitude"])
        except (TypeError, ValueError) as exc:
            raise LocationFileError(f"{where}: coordinates are not numbers") from exc
        if not -90 <= lat <= 90:
            raise LocationFileError(f"{where}: latitude {lat} is outside -90..90")
        if not -180 <= lon <= 180:
            raise LocationFileError(f"{where}: longitude {lon} is outside -180..180")
        if slug in seen:
            raise LocationFileError(f"{where}: duplicate slug, first seen on line {seen[slug]}")
        seen[slug] = line_no
        result.append(MonitoredLocation(slug, name, lat, lon))
    return result


def load_default_locations() -> list[MonitoredLocation]:
    text = resources.files("floodingnaque_pipeline.data").joinpath(DEFAULT_LOCATIONS_FILE)
    return parse_locations_csv(text.read_text(encoding="utf-8"), DEFAULT_LOCATIONS_FILE)
