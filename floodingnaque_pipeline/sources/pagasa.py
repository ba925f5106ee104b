"""PAGASA daily station CSV (ClimDatPh export) -> `StationObservation` records.

Layout: `YEAR,MONTH,DAY,RAINFALL,TMAX,TMIN,RH,WIND_SPEED,WIND_DIRECTION`, one row per day and
station; the station is named only by the file (`naia_daily.csv`, `port_area_daily.csv`, ...).
`-999` (in any numeric spelling, e.g. `-999.0`) means missing -> None; RAINFALL `-1` means a
trace (< 0.1 mm) -> 0.0 with `rainfall_trace=True`.

Which day a value belongs to: PAGASA's climatological day runs 08:00 -> 08:00 local (00 UTC
synoptic hour). In these exports the row dated D holds the 24 h that *start* at 08:00 on D and
end at 08:00 on D+1. We checked the other reading (08:00 D-1 .. 08:00 D) against the data and it
does not hold: Science Garden has 217.4 mm on 2024-07-23, 323.9 mm on 2024-07-24 and 3.6 mm on
2024-07-25, yet PAGASA announced at 15:30 on 24 July 2024 (Typhoon Carina) that the station had
already beaten its 455 mm 24-hour record; with the D-1 reading at most ~327 mm could have fallen
in those 24 h. Typhoon Paeng (heavy rain over Metro Manila through Saturday 2022-10-29) likewise
sits on the 10-29 rows (NAIA 178 mm), not on 10-30 (6.5 mm). We store the date exactly as given;
consumers aligning it with calendar-day or hourly data must remember the 8-hour offset.

Pure module: no Dagster, no database. Bad input never raises; it becomes `Rejection`s.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import PurePath

from floodingnaque_pipeline.sources.csv_files import (
    header_problem,
    implausible_date,
    parse_bytes,
    whole_file,
    whole_file_refusal,
)
from floodingnaque_pipeline.sources.records import ParseResult, Rejection

STATIONS_FILE = "pagasa_stations.csv"
COLUMNS = ("YEAR", "MONTH", "DAY", "RAINFALL", "TMAX", "TMIN", "RH", "WIND_SPEED", "WIND_DIRECTION")
MISSING = -999.0
TRACE = -1.0
# The ClimDatPh exports we receive (and shared/data) start on 2020-01-01 at all three stations;
# a row dated earlier is a typed year (1900, 2002 for 2022), not history. Older exports, if the
# city ever gets them, need this bound lowered on purpose.
FIRST_YEAR = 2020
# Physical plausibility bounds (inclusive). Generous: they catch unit slips and typos, not
# records (the Philippine 24 h rainfall record is ~1,100 mm, Baguio 1911).
BOUNDS: dict[str, tuple[float, float]] = {
    "RAINFALL": (0.0, 2000.0),
    "TMAX": (0.0, 50.0),
    "TMIN": (0.0, 50.0),
    "RH": (0.0, 100.0),
    "WIND_SPEED": (0.0, 100.0),
    "WIND_DIRECTION": (0.0, 360.0),
}


@dataclass(frozen=True)
class PagasaStation:
    slug: str
    name: str
    latitude: float
    longitude: float
    elevation_m: float


@dataclass(frozen=True)
class StationObservation:
    station: str  # PagasaStation.slug
    observed_on: date  # climatological day as given (08:00 on this date -> 08:00 next day)
    rainfall_mm: float | None
    rainfall_trace: bool
    tmax_c: float | None
    tmin_c: float | None
    relative_humidity_pct: float | None
    wind_speed_ms: float | None
    wind_direction_deg: float | None
    row_number: int  # 1-based line in the file; the header is line 1


def load_stations() -> list[PagasaStation]:
    text = resources.files("floodingnaque_pipeline.data").joinpath(STATIONS_FILE)
    rows = csv.DictReader(io.StringIO(text.read_text(encoding="utf-8")))
    return [
        PagasaStation(
            r["slug"],
            r["name"],
            float(r["latitude"]),
            float(r["longitude"]),
            float(r["elevation_m"]),
        )
        for r in rows
    ]


def _file_key(name: str) -> str:
    """'Port_Area Daily.CSV' -> 'port-area': tolerant of case, dash, underscore and space."""
    stem = PurePath(name.replace("\\", "/")).name.lower()
    stem = re.sub(r"\.csv$", "", stem)
    stem = re.sub(r"[\s_\-]+", "-", stem).strip("-")
    return re.sub(r"-daily$", "", stem)


def _named_in(key: str, station: PagasaStation) -> bool:
    """The station's slug or name, as whole words, anywhere in the file key."""
    tokens = f"-{key}-"
    return any(f"-{w}-" in tokens for w in {station.slug, _file_key(station.name)})


def station_for_file(file_name: str) -> PagasaStation | None:
    """The registry's station (data/pagasa_stations.csv) that the file name names, as whole
    words anywhere in it: naia_daily.csv, naia_2024.csv and 2024-NAIA.csv are NAIA. None when
    no station or more than one is named."""
    key = _file_key(file_name)
    stations = load_stations()
    if exact := [s for s in stations if s.slug == key]:
        return exact[0]
    named = [s for s in stations if _named_in(key, s)]
    return named[0] if len(named) == 1 else None


class _RowError(ValueError):
    pass


def _split(line: str) -> list[str]:
    try:
        return next(csv.reader([line]), [])
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise _RowError(f"malformed CSV line: {exc}") from None


def _number(column: str, raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise _RowError(f"non-numeric {column} {raw.strip()!r}") from None
    if not math.isfinite(value):
        raise _RowError(f"non-numeric {column} {raw.strip()!r}")
    return value


def _integer(column: str, raw: str) -> int:
    value = _number(column, raw)
    if value != int(value):
        raise _RowError(f"{column} {raw.strip()!r} is not a whole number")
    return int(value)


def _measure(column: str, raw: str) -> float | None:
    value = _number(column, raw)
    if value == MISSING:
        return None
    low, high = BOUNDS[column]
    if not low <= value <= high:
        raise _RowError(f"{column} {value:g} outside physical range {low:g}..{high:g}")
    return value


def _observation(
    station: str, row: dict[str, str], line_no: int, today: date | None
) -> StationObservation:
    y, m, d = (_integer(c, row[c]) for c in ("YEAR", "MONTH", "DAY"))
    try:
        observed_on = date(y, m, d)
    except ValueError:
        raise _RowError(f"impossible date {y:04d}-{m:02d}-{d:02d}") from None
    if problem := implausible_date(observed_on, FIRST_YEAR, "PAGASA station", today):
        raise _RowError(problem)
    rain_raw = _number("RAINFALL", row["RAINFALL"])
    trace = rain_raw == TRACE
    if trace:
        rain: float | None = 0.0
    elif rain_raw < 0 and rain_raw != MISSING:
        raise _RowError(
            f"negative RAINFALL {rain_raw:g} (only -1 = trace and -999 = missing are allowed)"
        )
    else:
        rain = _measure("RAINFALL", row["RAINFALL"])
    tmax, tmin = _measure("TMAX", row["TMAX"]), _measure("TMIN", row["TMIN"])
    if tmax is not None and tmin is not None and tmin > tmax:
        raise _RowError(f"TMIN {tmin:g} is above TMAX {tmax:g}")
    return StationObservation(
        station=station,
        observed_on=observed_on,
        rainfall_mm=rain,
        rainfall_trace=trace,
        tmax_c=tmax,
        tmin_c=tmin,
        relative_humidity_pct=_measure("RH", row["RH"]),
        wind_speed_ms=_measure("WIND_SPEED", row["WIND_SPEED"]),
        wind_direction_deg=_measure("WIND_DIRECTION", row["WIND_DIRECTION"]),
        row_number=line_no,
    )


def parse_pagasa_csv(
    content: bytes, file_name: str, *, today: date | None = None
) -> ParseResult[StationObservation]:
    """Parse one whole station file held in memory (tests, small files); see `iter_pagasa`."""
    station = station_for_file(file_name)
    if station is None:
        return whole_file(_unknown_station(file_name))
    return parse_bytes(content, lambda lines: iter_pagasa(lines, station, today=today))


def _unknown_station(file_name: str) -> str:
    stations = load_stations()
    key = _file_key(file_name)
    named = [s.slug for s in stations if _named_in(key, s)]
    if len(named) > 1:
        return f"PAGASA station file name {file_name!r} names {len(named)} stations: {named}"
    known = ", ".join(s.slug.replace("-", "_") for s in stations)
    return (
        f"unknown PAGASA station file name {file_name!r}: the name must contain one station "
        f"of the registry ({known}; e.g. naia_2024.csv); a new station is a row in "
        f"floodingnaque_pipeline/data/{STATIONS_FILE}"
    )


def iter_pagasa_file(
    lines: Iterable[str], file_name: str, *, today: date | None = None
) -> Iterator[StationObservation | Rejection]:
    """`iter_pagasa` for the station the file name names, or the file refused whole."""
    station = station_for_file(file_name)
    if station is None:
        yield whole_file_refusal(_unknown_station(file_name))
        return
    yield from iter_pagasa(lines, station, today=today)


def iter_pagasa(
    lines: Iterable[str], station: PagasaStation, *, today: date | None = None
) -> Iterator[StationObservation | Rejection]:
    """One station file, line by line. Every non-blank data line ends as a record or a
    rejection; only the days seen so far are remembered (for duplicates), never the rows.

    `today` (default: today in Manila) bounds the dates accepted; tests pass a fixed one."""
    stream = iter(lines)
    header_line = next(stream, None)
    if header_line is None or not header_line.strip():
        if header_line is None or not any(line.strip() for line in stream):
            yield whole_file_refusal("empty file")
            return
    try:
        header = _split(header_line)
    except _RowError as exc:
        yield whole_file_refusal(f"unreadable header: {exc}")
        return
    if problem := header_problem(header, COLUMNS, str.upper):
        yield whole_file_refusal(f"unexpected header: {problem}")
        return
    names = [h.strip().upper() for h in header]
    first_seen: dict[date, int] = {}
    rows = 0
    for line_no, line in enumerate(stream, start=2):
        if not line.strip():
            continue  # blank lines (e.g. a trailing newline) are not data rows
        rows += 1
        try:
            fields = _split(line)
            if len(fields) != len(names):
                raise _RowError(
                    f"expected {len(names)} fields, got {len(fields)} (truncated or malformed line)"
                )
            row = dict(zip(names, fields, strict=True))
            obs = _observation(station.slug, row, line_no, today)
            if (first := first_seen.get(obs.observed_on)) is not None:
                raise _RowError(f"duplicate date {obs.observed_on} (first on line {first})")
        except _RowError as exc:
            yield Rejection(line_no, line, str(exc))
            continue
        first_seen[obs.observed_on] = line_no
        yield obs
    if not rows:
        yield whole_file_refusal("no data rows (header only)")
