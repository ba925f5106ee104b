"""PAGASA station days -> the rain a location got in the 24 h before a day's issue time.

Alignment (ml/issue.py): the PAGASA row dated R holds the 24 h from 08:00 local on R to 08:00
on R+1 (sources/pagasa.py), which is exactly the window that closes at the issue time of day
R+1. So the row dated R feeds day R+1, never day R: e.g. Typhoon Paeng's NAIA 178 mm on the
row dated 2022-10-29 is known at 08:00 on 2022-10-30 and is a feature of that day, not of
2022-10-29 (whose afternoon it mostly describes).

"Covers the day": the nearest station within MAX_STATION_KM whose rainfall that day is not
missing (a trace counts as 0 mm). Otherwise the next nearest, otherwise no station value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from floodingnaque_pipeline.domain.geo import haversine_km
from floodingnaque_pipeline.ml.issue import gauge_day
from floodingnaque_pipeline.sources.pagasa import load_stations

MAX_STATION_KM = 25.0  # Science Garden (~17-20 km away) still beats ERA5's 0.25° cells
STATION_DAILY_COLUMNS = ["location_id", "day", "rain_mm", "humidity_pct", "temperature_c",
                         "station"]  # fmt: skip


@dataclass(frozen=True)
class Site:
    key: str  # location id or station slug
    latitude: float
    longitude: float


def location_sites(locations: pd.DataFrame) -> list[Site]:
    """locations: id, latitude, longitude (the active locations)."""
    return [Site(str(r.id), r.latitude, r.longitude) for r in locations.itertuples()]


def station_sites() -> list[Site]:
    return [Site(s.slug, s.latitude, s.longitude) for s in load_stations()]


def stations_by_distance(location: Site, stations: Sequence[Site]) -> list[str]:
    distances = [
        (float(haversine_km(location.latitude, location.longitude, s.latitude, s.longitude)), s.key)
        for s in stations
    ]
    return [slug for km, slug in sorted(distances) if km <= MAX_STATION_KM]


def station_daily(
    observations: pd.DataFrame, locations: Sequence[Site], stations: Sequence[Site]
) -> pd.DataFrame:
    """observations: station, observed_on, rainfall_mm, tmax_c, tmin_c, relative_humidity_pct.
    Returns one row per (location, day) that some gauge covers, tagged with that gauge."""
    if observations.empty:
        return pd.DataFrame(columns=STATION_DAILY_COLUMNS)
    obs = observations[observations["rainfall_mm"].notna()].copy()
    obs["day"] = gauge_day(obs["observed_on"])  # row R -> day R+1 (docstring)
    obs["temperature_c"] = (obs["tmax_c"] + obs["tmin_c"]) / 2
    obs = obs.rename(columns={"rainfall_mm": "rain_mm", "relative_humidity_pct": "humidity_pct"})
    by_station = {slug: frame.set_index("day") for slug, frame in obs.groupby("station")}
    parts = []
    for location in locations:
        chosen: pd.DataFrame | None = None
        for slug in stations_by_distance(location, stations):
            if slug not in by_station:
                continue
            frame = by_station[slug][["rain_mm", "humidity_pct", "temperature_c", "station"]]
            # combine_first: the nearer gauge keeps its days, the farther one fills the gaps.
            chosen = frame if chosen is None else chosen.combine_first(frame)
        if chosen is not None:
            parts.append(chosen.reset_index().assign(location_id=int(location.key)))
    if not parts:
        return pd.DataFrame(columns=STATION_DAILY_COLUMNS)
    return pd.concat(parts, ignore_index=True)[STATION_DAILY_COLUMNS]
