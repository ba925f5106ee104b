"""Which days one flood_risk issue covers, and which hours it reads: pure, Manila days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from floodingnaque_pipeline.domain.time import MANILA

HISTORY_DAYS = 9  # the 7-day sum and the API of today need the week before it
DAYS_AHEAD = 1  # today and tomorrow: how far the forecast is trusted for a warning


@dataclass(frozen=True)
class RiskWindow:
    issued_at: datetime  # `now` cut to the hour: re-runs within an hour replace its rows
    today: date  # in Manila
    days: tuple[date, ...]  # the days decided, today first
    start: datetime  # Manila midnight HISTORY_DAYS before today: first observed hour read
    end: datetime  # Manila midnight after the last day: forecast hours read up to here

    def lead_days(self, day: date) -> int:
        return (day - self.today).days


def plan_risk_window(now: datetime) -> RiskWindow:
    today = now.astimezone(MANILA).date()
    days = tuple(today + timedelta(days=n) for n in range(DAYS_AHEAD + 1))
    return RiskWindow(
        issued_at=now.replace(minute=0, second=0, microsecond=0),
        today=today,
        days=days,
        start=datetime.combine(today - timedelta(days=HISTORY_DAYS), time.min, MANILA),
        end=datetime.combine(days[-1] + timedelta(days=1), time.min, MANILA),
    )
