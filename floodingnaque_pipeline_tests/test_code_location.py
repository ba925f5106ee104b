"""The code location loads the way `dagster dev` loads it: from pyproject, with no env vars."""

import os
import subprocess
import sys
from pathlib import Path

from floodingnaque_pipeline_tests.conftest import REPO_ROOT

DESIGN_ASSET_KEYS = {
    "locations", "open_meteo_raw", "owm_raw", "weather_data", "weather_forecast",
    "station_observations", "flood_events", "flood_features", "flood_model", "flood_risk",
}  # fmt: skip
DESIGN_ASSET_KEYS |= {"flood_forecast_backtest"}  # issue 18: the archived-forecast backtest
DESIGN_ASSET_KEYS |= {"open_meteo_ensemble", "archived_forecast_raw"}  # issue 18: forecast pulls


def test_dagster_validates_the_location_from_pyproject(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DAGSTER"))}
    env["DAGSTER_HOME"] = str(tmp_path)
    dagster = Path(sys.executable).with_name("dagster")
    # No -m / -a: the [tool.dagster] table of pyproject.toml is what `dagster dev` reads.
    result = subprocess.run(
        [str(dagster), "definitions", "validate"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation successful" in result.stdout + result.stderr


def test_every_design_asset_key_is_defined() -> None:
    from floodingnaque_pipeline.definitions import defs

    specs = list(defs.resolve_all_asset_specs())
    assert {s.key.to_user_string() for s in specs} == DESIGN_ASSET_KEYS
    for spec in specs:  # the house rule: described, grouped, owned, with kinds
        assert spec.description and spec.group_name and spec.owners and spec.kinds, spec.key
