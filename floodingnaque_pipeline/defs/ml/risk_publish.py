"""flood_risk's analyst outputs: the Issue read from the decisions and the database, then the
map, bulletin and summary (rendering lives in alerts/, which knows nothing of Dagster)."""

import json
from datetime import datetime, time, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from floodingnaque_pipeline.alerts.bulletin import bulletin_html, summary
from floodingnaque_pipeline.alerts.formats import atom_feed, cap_alert, risk_geojson
from floodingnaque_pipeline.alerts.issue import (
    LEVEL_NAMES,
    BarangayRisk,
    DayRecord,
    FloodHistory,
    Issue,
)
from floodingnaque_pipeline.alerts.publish import bulletin_dir, issue_stem, write_whole
from floodingnaque_pipeline.alerts.risk_map import history_png, risk_map_png
from floodingnaque_pipeline.db.ml_inputs import events_frame, hourly_frame
from floodingnaque_pipeline.db.predictions import daily_levels, previous_issue_levels
from floodingnaque_pipeline.domain.time import MANILA, MANILA_TZ_NAME
from floodingnaque_pipeline.ml.labels import flood_days
from floodingnaque_pipeline.ml.risk import Decision


def _history(events: pd.DataFrame, locations: pd.DataFrame) -> FloodHistory:
    if events.empty:
        return FloodHistory(0, "")
    days = pd.to_datetime(events["event_date"])
    first, last = days.min().year, days.max().year
    years = str(first) if first == last else f"{first}–{str(last)[-2:]}"
    per_location: dict[int, int] = {}
    for location_id, _day in flood_days(events, locations):
        per_location[location_id] = per_location.get(location_id, 0) + 1
    return FloodHistory(int(days.dt.normalize().nunique()), years, per_location)


RECENT_DAYS = 14


def _window_rain(hourly: pd.DataFrame) -> dict[tuple[int, object], float]:
    """Observed rain per (location, window day): hours whose end falls in (08:00 D, 08:00
    D+1] Manila, as the model counts them; one value per hour whatever the source."""
    if hourly.empty:
        return {}
    hours = hourly.groupby(["location_id", "observed_at"])["precipitation_mm"].max().reset_index()
    local = pd.to_datetime(hours["observed_at"], utc=True).dt.tz_convert(MANILA_TZ_NAME)
    hours["day"] = (local - pd.Timedelta(hours=8) - pd.Timedelta(microseconds=1)).dt.date
    sums = hours.groupby(["location_id", "day"])["precipitation_mm"].sum(min_count=1)
    return {(int(loc), day): float(v) for (loc, day), v in sums.items() if pd.notna(v)}


def _recent(session: Session, locations: pd.DataFrame, events: pd.DataFrame,
            issued_at: datetime) -> list[DayRecord]:  # fmt: skip
    today = issued_at.astimezone(MANILA).date()
    first = today - timedelta(days=RECENT_DAYS)
    start = datetime.combine(first, time(8), MANILA)
    rain = _window_rain(hourly_frame(session, start, issued_at))
    levels = daily_levels(session, first)
    flooded = {(loc, day.date()) for loc, day in flood_days(events, locations)}
    return [
        DayRecord(
            int(r.id),
            r.name,
            day,
            rain.get((int(r.id), day)),
            levels.get((int(r.id), day)),
            (int(r.id), day) in flooded,
        )  # fmt: skip
        for r in locations.itertuples()
        for day in (first + timedelta(days=n) for n in range(RECENT_DAYS))
    ]


def read_issue(
    session: Session,
    decisions: dict[tuple, Decision],
    locations: pd.DataFrame,
    issued_at: datetime,
    serving: str,
    last_observed_hour: datetime | None,
    forecast_issued_at: datetime | None,
) -> Issue:
    events = events_frame(session)
    previous_at, previous = previous_issue_levels(session, issued_at)
    place = {int(r.id): r for r in locations.itertuples()}
    risks = [
        BarangayRisk(
            loc,
            place[loc].name,
            float(place[loc].latitude),
            float(place[loc].longitude),
            day,
            d.level,
            d.probability,
            list(d.reasons),
            dict(d.inputs),
        )  # fmt: skip
        for (loc, day), d in sorted(decisions.items())
    ]
    points = events[["latitude", "longitude"]].dropna()
    recent = _recent(session, locations, events, issued_at)
    return Issue(
        issued_at, serving, risks, previous_at, previous, last_observed_hour,
        forecast_issued_at, _history(events, locations),
        list(zip(points["latitude"], points["longitude"], strict=True)), recent,
    )  # fmt: skip


def bulletin_path(issue: Issue) -> Path:
    return bulletin_dir() / f"{issue_stem(issue.issued_at)}.html"


def most_severe(issue: Issue) -> list[BarangayRisk]:
    """Per barangay at Alert or Critical, its most severe (then earliest) day: one CAP alert."""
    chosen: dict[int, BarangayRisk] = {}
    for risk in sorted(issue.risks, key=lambda r: (-r.level, r.day)):
        if risk.level > 0:
            chosen.setdefault(risk.location_id, risk)
    return sorted(chosen.values(), key=lambda r: r.location_id)


def publish(issue: Issue) -> tuple[Path, bytes, list[Path]]:
    """This issue's bulletin (its hour's re-issue replaces it), GeoJSON and CAP alerts, and
    the Atom feed of the current alerts beside them. Returns the bulletin, map PNG and files."""
    png = risk_map_png(issue)
    path = write_whole(bulletin_path(issue), bulletin_html(issue, png, history_png(issue)))
    folder, stem = path.parent, issue_stem(issue.issued_at)
    geojson = risk_geojson(issue.issued_at, issue.serving, issue.risks)
    files = [write_whole(folder / f"{stem}.geojson", json.dumps(geojson, ensure_ascii=False))]
    entries = []
    for risk in most_severe(issue):
        identifier = f"floodingnaque-{stem}-{risk.location_id}"
        cap = folder / "cap" / f"{identifier}.xml"
        files.append(write_whole(cap, cap_alert(risk, issue.issued_at, issue.serving, identifier)))
        title = f"{LEVEL_NAMES[risk.level]}: {risk.name}, {risk.day:%a %d %b}"
        entries.append((identifier, title, f"cap/{cap.name}"))
    feed = atom_feed(entries, issue.issued_at, "urn:floodingnaque:alerts", "Parañaque flood alerts")
    files.append(write_whole(folder / "alerts.atom", feed))
    return path, png, files


__all__ = ["bulletin_path", "most_severe", "publish", "read_issue", "summary"]
