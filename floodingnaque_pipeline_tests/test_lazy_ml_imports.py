"""Issue 21 item 6: importing the code location loads no ML library; every run worker (the
hourly tick's included) imports it before its first step, so each one loaded costs every run.
The libraries load inside the steps that need them, which still work."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from floodingnaque_pipeline.ml.artifact import dump, load
from floodingnaque_pipeline.ml.inner import pipeline

HEAVY = ("sklearn", "scipy", "matplotlib", "skops")


def loaded_after(module: str) -> list[str]:
    probe = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", probe], check=True,
                         capture_output=True, text=True).stdout.strip()  # fmt: skip
    return [m for m in out.split(",") if m]


def test_the_code_location_imports_without_ml_libraries() -> None:
    assert loaded_after("floodingnaque_pipeline.definitions") == []


def test_the_probe_sees_a_module_that_does_load_them() -> None:
    # the probe itself can fail: a module importing sklearn at the top is caught
    assert "sklearn" in loaded_after("sklearn.linear_model")


def test_a_lazily_built_model_still_round_trips_through_the_artifact() -> None:
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    model = pipeline(1.0).fit(x, np.array([0, 0, 1, 1]))
    data, digest = dump(model)
    again = load(data, digest)
    assert np.allclose(again.predict_proba(x), model.predict_proba(x))
