"""Syncing the monitored locations into the locations table."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from floodingnaque_pipeline.db.models import Location
from floodingnaque_pipeline.db.upsert import UpsertCounts, upsert_rows
from floodingnaque_pipeline.locations import MonitoredLocation


def sync_locations(session: Session, locations: Sequence[MonitoredLocation]) -> UpsertCounts:
    """Upsert by slug and mark them active. Locations not in the list are left as they are
    (an operator may have added or deactivated some by hand)."""
    rows = [(loc.slug, loc.name, loc.latitude, loc.longitude, True) for loc in locations]
    return upsert_rows(
        session.connection(),
        Location.__table__,
        ["slug", "name", "latitude", "longitude", "active"],
        rows,
        key=["slug"],
    )
