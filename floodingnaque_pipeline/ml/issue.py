"""When the risk for day D is issued, and which data day D's feature row may use.

Issue time of Manila day D: 08:00 Asia/Manila on D, the moment PAGASA's climatological day
closes. Day D's features use only data available then:
- "daily rain" of day D is the rain of the 24 h ending at the issue time (08:00 on D-1 to
  08:00 on D). PAGASA's row dated D-1 (08:00 D-1 .. 08:00 D) is exactly that window, so a
  gauge row dated R feeds day R+1; an hourly row (observed_at = END of its hour) feeds the
  day whose issue time closes the window it falls in. Longer windows (2, 3, 7 days, API) end
  at the same instant.
- Rain after 08:00 on D (including the PAGASA row dated D) belongs to day D+1's features.
- Serving ahead of the issue time (tomorrow's risk, or today's before 08:00) fills the
  not-yet-observed hours of the window with forecast hours; nothing later is read.
The label stays the Manila calendar day D ("a flood was recorded on D").
"""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd

from floodingnaque_pipeline.domain.time import MANILA_TZ_NAME

ISSUE_HOUR = 8  # local; the end of PAGASA's climatological day


def issue_time(day: date) -> pd.Timestamp:
    """The UTC instant at which the risk of Manila day `day` is issued."""
    local = pd.Timestamp(datetime.combine(day, time(ISSUE_HOUR)), tz=MANILA_TZ_NAME)
    return local.tz_convert("UTC")


def window_day(observed_at: pd.Series) -> pd.Series:
    """The feature day of an hourly row: the day whose issue time closes its 24 h window.
    observed_at is the hour's end, so 08:00 local still belongs to that morning's day."""
    start = pd.to_datetime(observed_at, utc=True) - pd.Timedelta(hours=1 + ISSUE_HOUR)
    local = start.dt.tz_convert(MANILA_TZ_NAME).dt.tz_localize(None).dt.normalize()
    return local + pd.Timedelta(days=1)


def gauge_day(observed_on: pd.Series) -> pd.Series:
    """PAGASA row dated R (08:00 R .. 08:00 R+1) -> the feature day R+1 it closes on."""
    return pd.to_datetime(observed_on) + pd.Timedelta(days=1)
