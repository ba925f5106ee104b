"""Open-Meteo ensemble members and previous runs (archived forecasts) -> plain rows. No Dagster.

Same time convention as sources/open_meteo.py: with timezone=GMT the hour T's precipitation sums
(T - 1 h, T], so T is the end of the hour (valid_at). Ensemble: `precipitation` is the control
run (member 0), `precipitation_memberNN` member NN. Previous Runs: `precipitation_previous_dayN`
is what the run of N days before said for that hour (null before the archive starts).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from floodingnaque_pipeline.sources.open_meteo import (
    Coordinate,
    _check_numeric,
    _TimesOfResponse,
    parse_error_reason,
    plain_decimal,
)
from floodingnaque_pipeline.sources.records import SourceParseError

LEAD_DAYS = tuple(range(1, 8))
PREVIOUS_RUN_VARIABLES = tuple(f"precipitation_previous_day{d}" for d in LEAD_DAYS)
_MEMBER = re.compile(r"^precipitation(?:_member(\d+))?$")


class MemberRain(NamedTuple):
    location_id: int
    member: int
    valid_at: object  # datetime, UTC, end of the hour
    precipitation_mm: float


class ArchivedRain(NamedTuple):
    location_id: int
    valid_at: object
    lead_day: int
    precipitation_mm: float


def _coords_params(coords: Sequence[Coordinate]) -> dict[str, str]:
    if not coords:
        raise ValueError("at least one coordinate is required")
    return {
        "latitude": ",".join(plain_decimal(c.latitude) for c in coords),
        "longitude": ",".join(plain_decimal(c.longitude) for c in coords),
        "timezone": "GMT",
        "timeformat": "iso8601",
    }


def ensemble_params(coords: Sequence[Coordinate], model: str, days: int = 3) -> dict[str, str]:
    return _coords_params(coords) | {
        "hourly": "precipitation",
        "models": model,
        "forecast_days": str(days),
    }


def previous_runs_params(coords: Sequence[Coordinate], start: date, end: date) -> dict[str, str]:
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    return _coords_params(coords) | {
        "hourly": ",".join(PREVIOUS_RUN_VARIABLES),
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
    }


def _objects(payload: object, coords: Sequence[Coordinate]) -> list[object]:
    reason = parse_error_reason(payload)
    if reason is not None:
        raise SourceParseError(f"Open-Meteo returned an error: {reason}")
    objects = [payload] if isinstance(payload, dict) else payload
    if not isinstance(objects, list):
        raise SourceParseError(f"expected a JSON object or list, got {type(payload).__name__}")
    if len(objects) != len(coords):
        raise SourceParseError(
            f"response holds {len(objects)} location(s) but {len(coords)} were requested"
        )
    return objects


def _hourly(obj: object, coord: Coordinate, times: _TimesOfResponse) -> tuple[dict, dict, list]:
    where = coord.label
    if not isinstance(obj, dict):
        raise SourceParseError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    if obj.get("utc_offset_seconds", 0) != 0:
        raise SourceParseError(f"{where}: utc_offset_seconds is not 0 (request timezone=GMT)")
    hourly, units = obj.get("hourly"), obj.get("hourly_units")
    if not isinstance(hourly, dict) or not isinstance(units, dict):
        raise SourceParseError(f"{where}: response has no 'hourly' / 'hourly_units' block")
    raw_times = hourly.get("time")
    if not isinstance(raw_times, list):
        raise SourceParseError(f"{where}: field 'hourly.time' is missing or not a list")
    return hourly, units, times.parse(raw_times, units.get("time"), where)


def _column(hourly: dict, units: dict, var: str, n: int, where: str) -> list[float | None]:
    values = hourly.get(var)
    if not isinstance(values, list) or len(values) != n:
        raise SourceParseError(f"{where}: field 'hourly.{var}' is missing or not {n} values long")
    if units.get(var) != "mm":
        raise SourceParseError(f"{where}: field 'hourly.{var}' has unit {units.get(var)!r}, not mm")
    _check_numeric(values, where, var)
    if any(v is not None and v < 0 for v in values):
        raise SourceParseError(f"{where}: field 'hourly.{var}' holds negative rain")
    return values


def parse_ensemble(payload: object, coords: Sequence[Coordinate]) -> list[MemberRain]:
    """Every member's hourly rain (null hours left out); SourceParseError on a malformed body."""
    rows: list[MemberRain] = []
    times = _TimesOfResponse()
    for obj, coord in zip(_objects(payload, coords), coords, strict=True):
        hourly, units, valid = _hourly(obj, coord, times)
        members = {int(m.group(1) or 0): k for k in hourly if (m := _MEMBER.match(k))}
        if 0 not in members or len(members) < 2:
            raise SourceParseError(
                f"{coord.label}: no ensemble members in the response (expected 'precipitation' "
                "and 'precipitation_memberNN'; is the URL the ensemble API?)"
            )
        for member, var in sorted(members.items()):
            values = _column(hourly, units, var, len(valid), coord.label)
            rows += [
                MemberRain(coord.location_id, member, t, v)
                for t, v in zip(valid, values, strict=True)
                if v is not None
            ]
    return rows


def parse_previous_runs(payload: object, coords: Sequence[Coordinate]) -> list[ArchivedRain]:
    """Hourly rain per lead day 1..7 (null hours, e.g. before the archive began, left out)."""
    rows: list[ArchivedRain] = []
    times = _TimesOfResponse()
    for obj, coord in zip(_objects(payload, coords), coords, strict=True):
        hourly, units, valid = _hourly(obj, coord, times)
        for lead, var in zip(LEAD_DAYS, PREVIOUS_RUN_VARIABLES, strict=True):
            values = _column(hourly, units, var, len(valid), coord.label)
            rows += [
                ArchivedRain(coord.location_id, t, lead, v)
                for t, v in zip(valid, values, strict=True)
                if v is not None
            ]
    return rows
