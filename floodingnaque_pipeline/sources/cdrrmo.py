"""CDRRMO Parañaque flood records (cleaned CSV layout) -> `FloodEvent` labels.

Decisions, each taken after reading flood_records_2022.csv / _2023.csv:

* Dates come only from the ISO `date` column and must agree with the `year`/`month`/`day`
  columns. An empty date is rejected ("missing date"), never guessed from neighbouring rows. A
  date whose month/day cells are empty is rejected too: in the 2023 file rows 7-162 all carry
  2023-05-20 with empty month/day, i.e. the date was filled down by the cleaning step, while their
  remarks ("AS OF 1820H 02 SEPT", "28 SEPT", "21 OCT") and the raw export (31 May, 7 June,
  12 July, 24 August ...) show other days. Accepting them would plant ~150 false labels on one day.
* Depth is normalised to the MMDA gauge classes (`DEPTH_INCHES`). Unrecognised depths ("14.49
  level half", "N/A above", ...: 8 of 109 rows in 2022, 1 of 162 in 2023) are PDF-extraction
  debris, too common to throw the flood away: the event is kept with depth None.
* Coordinates must lie in `BBOX` (Parañaque plus ~3-5 km; the real records span lat
  14.446..14.532, lon 120.985..121.045); outside -> rejected. Non-numeric -> rejected. Only one of
  the pair present -> both treated as absent.
* Barangay: `canonical_barangay`; if empty/unmappable, the nearest centroid within
  `INFER_MAX_KM` is used and `barangay_inferred=True`; with no usable coordinates -> rejected.
* The raw PDF export (`raw_*.csv`, header starting `,*YEAR 2022`) is refused as a whole
  ("unrecognized layout"): a record spans 2-4 lines and the date cell sits mid-group, so rows
  cannot be reassembled without guessing.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import date

from floodingnaque_pipeline.sources.barangays import canonical_barangay, nearest_barangay
from floodingnaque_pipeline.sources.csv_files import decode_utf8, header_problem, whole_file
from floodingnaque_pipeline.sources.records import ParseResult, Rejection

COLUMNS = (
    "record_num", "date", "month", "day", "year", "barangay", "location", "latitude", "longitude",
    "flood_depth", "weather_disturbance", "remarks", "time_reported", "time_subsided",
)  # fmt: skip
BBOX = (14.40, 14.56, 120.95, 121.08)  # lat_min, lat_max, lon_min, lon_max
INFER_MAX_KM = 3.0
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
_RAW_LAYOUT = re.compile(r"^\s*\*?\s*YEAR\s+\d{4}", re.IGNORECASE)


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
    row_number: int  # 1-based line where the row starts; the header is line 1


class _RowError(ValueError):
    pass


def normalise_depth(text: str | None) -> str | None:
    """'Half-Knee', 'knee deep', 'WAIST LEVEL' -> MMDA class name; None when unrecognised."""
    words = re.sub(r"[^a-z]+", " ", (text or "").lower()).split()
    key = "-".join(w.replace("tyre", "tire") for w in words if w not in _DEPTH_FILLER)
    return key if key in DEPTH_INCHES else None


def _header_problem(header: list[str]) -> str | None:
    names = [h.strip().lower() for h in header]
    if any(_RAW_LAYOUT.match(h) for h in header) or len(set(names) & set(COLUMNS)) < 4:
        return (
            "unrecognized layout (not the cleaned CDRRMO columns; raw PDF exports such as "
            f"raw_*.csv are not parsed): header {','.join(h.strip() for h in header)[:120]!r}"
        )
    problem = header_problem(header, COLUMNS, str.lower)
    return f"unexpected header: {problem}" if problem else None


def _part(row: dict[str, str], column: str) -> int | None:
    raw = row[column].strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise _RowError(f"{column} {raw!r} is not a number") from None
    if not math.isfinite(value) or value != int(value):
        raise _RowError(f"{column} {raw!r} is not a whole number")
    return int(value)


def _event_date(row: dict[str, str]) -> date:
    raw = row["date"].strip()
    if not raw:
        raise _RowError("missing date (date column empty; not guessed from neighbouring rows)")
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise ValueError
        day = date.fromisoformat(raw)
    except ValueError:
        raise _RowError(f"impossible date {raw!r} (expected YYYY-MM-DD)") from None
    parts = {c: _part(row, c) for c in ("year", "month", "day")}
    actual = {"year": day.year, "month": day.month, "day": day.day}
    if any(v is not None and v != actual[c] for c, v in parts.items()):
        shown = "/".join("?" if v is None else str(v) for v in parts.values())
        raise _RowError(f"date {raw} disagrees with year/month/day columns ({shown})")
    if parts["month"] is None or parts["day"] is None:
        raise _RowError(
            f"date {raw} not backed by the month/day columns (empty; filled down from an "
            "earlier row?), so the event day is unknown"
        )
    return day


def _coordinates(row: dict[str, str]) -> tuple[float | None, float | None]:
    lat_raw, lon_raw = row["latitude"].strip(), row["longitude"].strip()
    if not lat_raw or not lon_raw:
        return None, None  # half a coordinate is not a location
    try:
        lat, lon = float(lat_raw), float(lon_raw)
    except ValueError:
        raise _RowError(f"coordinates ({lat_raw!r}, {lon_raw!r}) are not numbers") from None
    lat_min, lat_max, lon_min, lon_max = BBOX
    if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
        raise _RowError(
            f"coordinates ({lat}, {lon}) are outside Parañaque "
            f"(lat {lat_min}..{lat_max}, lon {lon_min}..{lon_max})"
        )
    return lat, lon


def _barangay(raw: str, lat: float | None, lon: float | None) -> tuple[str, bool]:
    if name := canonical_barangay(raw):
        return name, False
    shown = f"barangay {raw!r} not recognised" if raw else "barangay empty"
    if lat is None or lon is None:
        raise _RowError(f"{shown} and no coordinates")
    nearest = nearest_barangay(lat, lon, max_km=INFER_MAX_KM)
    if nearest is None:
        raise _RowError(
            f"{shown} and coordinates ({lat}, {lon}) are over {INFER_MAX_KM:g} km "
            "from every barangay centroid"
        )
    return nearest[0], True


def _event(row: dict[str, str], line_no: int) -> FloodEvent:
    if not any(v.strip() for v in row.values()):
        raise _RowError("empty row")
    event_date = _event_date(row)
    lat, lon = _coordinates(row)
    barangay, inferred = _barangay(row["barangay"].strip(), lat, lon)
    depth = normalise_depth(row["flood_depth"])
    return FloodEvent(
        event_date=event_date,
        barangay=barangay,
        barangay_inferred=inferred,
        location_text=row["location"].strip() or None,
        latitude=lat,
        longitude=lon,
        depth_class=depth,
        depth_in=DEPTH_INCHES[depth] if depth else None,
        weather_disturbance=row["weather_disturbance"].strip() or None,
        row_number=line_no,
    )


def parse_cdrrmo_csv(content: bytes, file_name: str) -> ParseResult[FloodEvent]:
    """Parse one cleaned CDRRMO file. Every non-blank data row ends as a record or a rejection.

    `file_name` is accepted for symmetry with the PAGASA parser and for future per-file
    layouts; the layout itself is recognised from the header, not the name.
    """
    text = decode_utf8(content)
    if text is None:
        return whole_file("file is not UTF-8 encoded")
    if not text.strip():
        return whole_file("empty file")
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except csv.Error as exc:
        return whole_file(f"unreadable header: {exc}")
    if problem := _header_problem(header):
        return whole_file(problem)
    names = [h.strip().lower() for h in header]
    result: ParseResult[FloodEvent] = ParseResult()
    last_line = reader.line_num
    while True:
        try:
            fields = next(reader, None)
        except csv.Error as exc:  # e.g. a field over the csv module's size limit
            start = last_line + 1
            reason = f"malformed CSV from this line to the end of the file: {exc}"
            result.rejections.append(Rejection(start, lines[start - 1][:500], reason))
            break
        if fields is None:
            break
        start, last_line = last_line + 1, reader.line_num
        if not any(f.strip() for f in fields) and len(fields) <= 1:
            continue  # blank line: not a data row
        # Quoted fields may span lines; report the whole physical extent of the row.
        raw_row = "\n".join(lines[start - 1 : last_line])
        try:
            if len(fields) != len(names):
                raise _RowError(
                    f"expected {len(names)} fields, got {len(fields)} (truncated or malformed row)"
                )
            event = _event(dict(zip(names, fields, strict=True)), start)
        except _RowError as exc:
            result.rejections.append(Rejection(start, raw_row, str(exc)))
            continue
        result.records.append(event)
    if not result.records and not result.rejections:
        return whole_file("no data rows (header only)")
    return result
