"""One issue of flood_risk as the analyst's outputs read it (map, bulletin, GeoJSON, CAP)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from floodingnaque_pipeline.domain.time import MANILA

LEVEL_NAMES = {0: "Safe", 1: "Alert", 2: "Critical"}
LEVEL_COLOURS = {0: "#2e7d32", 1: "#f39c12", 2: "#c0392b"}


@dataclass(frozen=True)
class BarangayRisk:
    location_id: int
    name: str
    latitude: float
    longitude: float
    day: date  # the Manila calendar day the risk is for
    level: int  # 0 Safe, 1 Alert, 2 Critical
    probability: float | None
    reasons: list[str]  # as stored with the row
    why: dict  # the row's structured inputs: rain so far, forecast rain, propensity, rule, ...


@dataclass(frozen=True)
class FloodHistory:
    """Recorded flood days: the city's, and per barangay how many of them reached it."""

    city_days: int
    years: str  # e.g. "2022–23"
    per_location: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DayRecord:
    """One barangay's past day: its window's observed rain, the level its same-day issues
    reached (None: never issued), and whether a flood was recorded there."""

    location_id: int
    name: str
    day: date
    rain_mm: float | None
    level: int | None
    flooded: bool


@dataclass(frozen=True)
class Issue:
    issued_at: datetime
    serving: str  # "model <version>" or "PAGASA rules"
    risks: list[BarangayRisk]
    previous_issued_at: datetime | None = None
    previous_levels: dict[tuple[int, date], int] = field(default_factory=dict)
    last_observed_hour: datetime | None = None
    forecast_issued_at: datetime | None = None
    history: FloodHistory = field(default_factory=lambda: FloodHistory(0, ""))
    past_flood_points: list[tuple[float, float]] = field(default_factory=list)  # (lat, lon)
    recent: list[DayRecord] = field(default_factory=list)  # the last days, per barangay

    @property
    def days(self) -> list[date]:
        return sorted({r.day for r in self.risks})

    def changes(self) -> list[tuple[BarangayRisk, int | None]]:
        """Rows whose level differs from the previous issue's (None: not in it)."""
        return [
            (r, self.previous_levels.get((r.location_id, r.day)))
            for r in self.risks
            if self.previous_levels.get((r.location_id, r.day)) != r.level
        ]


def manila(moment: datetime | None) -> str:
    """'2026-12-04 08:00 (Manila)', or 'none' — every time an analyst reads is Manila time."""
    if moment is None:
        return "none"
    return f"{moment.astimezone(MANILA):%Y-%m-%d %H:%M} (Manila)"
