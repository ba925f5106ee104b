"""Asset kinds name the database the code location is configured with (DATABASE_URL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from floodingnaque_pipeline.defs.kinds import database_kind

# Printed by a fresh interpreter: kinds are fixed when the definitions are imported.
_PRINT_KINDS = """
import json
from floodingnaque_pipeline.definitions import defs
print(json.dumps({s.key.to_user_string(): sorted(s.kinds) for s in defs.resolve_all_asset_specs()}))
"""
DATABASE_ASSETS = {"locations", "open_meteo_raw", "weather_data", "flood_events", "flood_risk"}


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("sqlite:///floodingnaque.db", "sqlite"),
        ("postgresql://app:secret@db:5432/floodingnaque", "postgres"),
        ("postgresql+psycopg2://db/floodingnaque", "postgres"),
        ("postgres://db/floodingnaque", "postgres"),
    ],
)
def test_database_kind(url: str, kind: str) -> None:
    assert database_kind(url) == kind


def _kinds_with(database_url: str | None) -> dict[str, list[str]]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    out = subprocess.run(
        [sys.executable, "-c", _PRINT_KINDS], env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_definitions_follow_the_configured_database() -> None:
    default = _kinds_with(None)  # the README's zero-configuration run: SQLite
    postgres = _kinds_with("postgresql://postgres@127.0.0.1:5432/never_connected")
    for key in DATABASE_ASSETS:
        assert "sqlite" in default[key] and "postgres" not in default[key], (key, default[key])
        assert "postgres" in postgres[key] and "sqlite" not in postgres[key], (key, postgres[key])
    assert "api" in default["open_meteo_raw"] and "sklearn" in default["flood_risk"]
