"""Building blocks shared by every CDRRMO layout reader: the `FloodEvent` record and the
field rules (coordinates, barangay, depth) that turn reassembled cells into one.

Each reader (cleaned CSV, table-from-PDF export, text-from-PDF export) only reassembles a
record's cells and its date; `build_event` applies the same rules to all of them, so a flood is
judged the same way whichever layout the CDRRMO published that year. Pure: no Dagster, no db.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from floodingnaque_pipeline.sources.barangays import canonical_barangay, nearest_barangay
from floodingnaque_pipeline.sources.csv_files import implausible_date

BBOX = (14.40, 14.56, 120.95, 121.08)  # lat_min, lat_max, lon_min, lon_max
INFER_MAX_KM = 3.0
# City DRRM offices exist since the Philippine DRRM Act (RA 10121, May 2010), so no CDRRMO
# record predates 2010; and the weather the labels are joined with starts in 2015. An earlier
# year (0001, 1900, 2002 typed for 2022) is a typo, not a flood.
FIRST_YEAR = 2010
# MMDA flood gauge: class -> depth in inches.
DEPTH_INCHES: dict[str, int] = {
    "gutter": 8,
    "half-knee": 10,
    "half-tire": 13,
    "knee": 19,
    "tire": 26,
    "waist": 37,
    "chest": 45,
}
_DEPTH_FILLER = {"deep", "level", "lvl", "high", "flood", "flooded", "water", "depth"}


@dataclass(frozen=True)
class FloodEvent:
    event_date: date
    barangay: str  # one of the 16 canonical names
    barangay_inferred: bool  # True when placed by coordinates, not by the barangay cell
    location_text: str | None
    latitude: float | None
    longitude: float | None
    depth_class: str | None  # a key of DEPTH_INCHES
    depth_in: int | None
    weather_disturbance: str | None
    row_number: int  # 1-based physical line where the record starts
    # Where the date came from, e.g. "date cell '2022-03-14'" or "block date '20 May 2023'
    # (line 25)"; an analyst can check every label against the printed export.
    date_evidence: str = ""
    source_record: int | None = None  # the record number printed in the export ('#' column)
    # 0 for a one-day record; a record printed with a range ("1 and 2") gives one event per
    # day, numbered 0, 1 ... so (file, row, range_day) stays unique per stored row.
    range_day: int = 0


class RecordError(ValueError):
    """One record refused; the message is the reason stored in ingest_rejections."""


def normalise_depth(text: str | None) -> str | None:
    """'Half-Knee', 'knee deep', 'WAIST LEVEL' -> MMDA class name; None when unrecognised."""
    words = re.sub(r"[^a-z]+", " ", (text or "").lower()).split()
    key = "-".join(w.replace("tyre", "tire") for w in words if w not in _DEPTH_FILLER)
    return key if key in DEPTH_INCHES else None


def parse_coordinates(lat_raw: str, lon_raw: str) -> tuple[float | None, float | None]:
    """Both numbers inside BBOX, or (None, None) when either cell is empty."""
    lat_raw, lon_raw = lat_raw.strip(), lon_raw.strip()
    if not lat_raw or not lon_raw:
        return None, None  # half a coordinate is not a location
    try:
        lat, lon = float(lat_raw), float(lon_raw)
    except ValueError:
        raise RecordError(f"coordinates ({lat_raw!r}, {lon_raw!r}) are not numbers") from None
    lat_min, lat_max, lon_min, lon_max = BBOX
    if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
        raise RecordError(
            f"coordinates ({lat}, {lon}) are outside Parañaque "
            f"(lat {lat_min}..{lat_max}, lon {lon_min}..{lon_max})"
        )
    return lat, lon


def check_plausible_date(event_date: date, today: date | None = None) -> None:
    """RecordError unless `event_date` lies in FIRST_YEAR .. tomorrow (today: Manila's)."""
    if problem := implausible_date(event_date, FIRST_YEAR, "CDRRMO", today):
        raise RecordError(problem)


def place_barangay(raw: str, lat: float | None, lon: float | None) -> tuple[str, bool]:
    """(canonical name, inferred?): the barangay cell if it maps, else the nearest centroid."""
    raw = raw.strip()
    if name := canonical_barangay(raw):
        return name, False
    shown = f"barangay {raw!r} not recognised" if raw else "barangay empty"
    if lat is None or lon is None:
        raise RecordError(f"{shown} and no coordinates")
    nearest = nearest_barangay(lat, lon, max_km=INFER_MAX_KM)
    if nearest is None:
        raise RecordError(
            f"{shown} and coordinates ({lat}, {lon}) are over {INFER_MAX_KM:g} km "
            "from every barangay centroid"
        )
    return nearest[0], True


def build_event(
    *,
    event_date: date,
    date_evidence: str,
    barangay_text: str,
    location_text: str,
    latitude_text: str,
    longitude_text: str,
    depth_text: str,
    disturbance_text: str,
    row_number: int,
    source_record: int | None,
    range_day: int = 0,
    today: date | None = None,
) -> FloodEvent:
    """One record's cells -> FloodEvent, or RecordError with the reason. `today` (default:
    Manila's) bounds the plausible dates; tests pass a fixed one."""
    check_plausible_date(event_date, today)
    lat, lon = parse_coordinates(latitude_text, longitude_text)
    barangay, inferred = place_barangay(barangay_text, lat, lon)
    depth = normalise_depth(depth_text)
    return FloodEvent(
        event_date=event_date,
        barangay=barangay,
        barangay_inferred=inferred,
        location_text=_squash(location_text),
        latitude=lat,
        longitude=lon,
        depth_class=depth,
        depth_in=DEPTH_INCHES[depth] if depth else None,
        weather_disturbance=_squash(disturbance_text),
        row_number=row_number,
        date_evidence=date_evidence,
        source_record=source_record,
        range_day=range_day,
    )


def _squash(text: str) -> str | None:
    return " ".join(text.split()) or None
