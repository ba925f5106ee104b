"""flood_risk's analyst outputs: the Issue read from the decisions and the database, then the
map, bulletin and summary (rendering lives in alerts/, which knows nothing of Dagster)."""

from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from floodingnaque_pipeline.alerts.bulletin import bulletin_html, summary
from floodingnaque_pipeline.alerts.issue import BarangayRisk, FloodHistory, Issue
from floodingnaque_pipeline.alerts.publish import bulletin_dir, issue_stem, write_whole
from floodingnaque_pipeline.alerts.risk_map import risk_map_png
from floodingnaque_pipeline.db.ml_inputs import events_frame
from floodingnaque_pipeline.db.predictions import previous_issue_levels
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
    return Issue(
        issued_at, serving, risks, previous_at, previous, last_observed_hour,
        forecast_issued_at, _history(events, locations),
        list(zip(points["latitude"], points["longitude"], strict=True)),
    )  # fmt: skip


def bulletin_path(issue: Issue) -> Path:
    return bulletin_dir() / f"{issue_stem(issue.issued_at)}.html"


def publish(issue: Issue) -> tuple[Path, bytes]:
    """The bulletin file of this issue (its hour's re-issue replaces it) and the map PNG."""
    png = risk_map_png(issue)
    path = write_whole(bulletin_path(issue), bulletin_html(issue, png))
    return path, png


__all__ = ["bulletin_path", "publish", "read_issue", "summary"]
