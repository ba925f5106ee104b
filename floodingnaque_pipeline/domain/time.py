"""The one time zone of the platform: Parañaque's. Every source dates its records in it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

MANILA_TZ_NAME = "Asia/Manila"  # for APIs that take a name (Dagster partitions, pandas)
MANILA = ZoneInfo(MANILA_TZ_NAME)
