"""Labels: which (location, day) had a recorded flood, and which days are labelled at all.

Coverage ("covered" day): a day of a calendar year in which a CDRRMO flood-record file was
ingested usably, i.e. it has accepted events in that year and refused at most
MAX_REJECTION_RATIO of its rows (the labels' own rejection-ratio check errors above 50 %). The
CDRRMO keeps one log per year, so a usable file vouches for its whole year: a day of that year
with no record is a negative. Every other day is unlabelled (None), never a negative: e.g. the
2023 file, whose 156 filled-down dates were refused, leaves 2023 unlabelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from floodingnaque_pipeline.domain.geo import haversine_km

NEAR_KM = 1.5
MAX_REJECTION_RATIO = 0.5


@dataclass(frozen=True)
class RecordFile:
    name: str
    accepted: int
    rejected: int
    years: tuple[int, ...]  # calendar years of its accepted events

    @property
    def rejection_ratio(self) -> float:
        total = self.accepted + self.rejected
        return self.rejected / total if total else 1.0

    @property
    def usable(self) -> bool:
        return self.accepted > 0 and self.rejection_ratio <= MAX_REJECTION_RATIO


def covered_years(files: Sequence[RecordFile]) -> list[int]:
    return sorted({year for f in files if f.usable for year in f.years})


def flood_days(events: pd.DataFrame, locations: pd.DataFrame) -> set[tuple[int, pd.Timestamp]]:
    """(location_id, day) where an event names the location's barangay or lies within NEAR_KM.
    events: event_date, barangay, latitude, longitude. locations: id, name, latitude, longitude."""
    positives: set[tuple[int, pd.Timestamp]] = set()
    if events.empty:
        return positives
    days = pd.to_datetime(events["event_date"])
    lat = events["latitude"].to_numpy(float)
    lon = events["longitude"].to_numpy(float)
    for loc in locations.itertuples():
        named = (events["barangay"] == loc.name).to_numpy()
        with np.errstate(invalid="ignore"):
            near = haversine_km(lat, lon, loc.latitude, loc.longitude) <= NEAR_KM  # NaN -> False
        positives.update((int(loc.id), day) for day in days[named | near])
    return positives


def attach_labels(
    features: pd.DataFrame, positives: set[tuple[int, pd.Timestamp]], years: Sequence[int]
) -> pd.Series:
    """1.0 flood, 0.0 covered day without one, NaN outside coverage (whatever happened)."""
    keys = zip(features["location_id"], features["day"], strict=True)
    hit = np.fromiter((k in positives for k in keys), bool, len(features))
    covered = features["day"].dt.year.isin(list(years)).to_numpy()
    # Outside coverage even a recorded flood stays unlabelled: a year with positives but no
    # trustworthy negatives would teach the model that such days always flood.
    return pd.Series(np.where(covered, hit.astype(float), np.nan), index=features.index)
