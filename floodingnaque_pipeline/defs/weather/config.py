"""Run config shared by the weather assets: which moment counts as "now"."""

from datetime import UTC, datetime

import dagster as dg
from pydantic import Field


def utc_now() -> datetime:
    return datetime.now(UTC)


class IngestConfig(dg.Config):
    as_of: str | None = Field(
        default=None,
        description="ISO timestamp to treat as 'now' (replaying a missed tick); default: now.",
    )

    def now(self) -> datetime:
        if not self.as_of:
            return utc_now()
        moment = datetime.fromisoformat(self.as_of)
        if moment.tzinfo is None:
            raise ValueError(f"as_of {self.as_of!r} needs a UTC offset, e.g. +08:00")
        return moment.astimezone(UTC)
