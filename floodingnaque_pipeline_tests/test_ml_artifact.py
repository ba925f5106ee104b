"""Model artifacts: skops bytes round-trip; tampered or foreign-typed bytes never load."""

from __future__ import annotations

import numpy as np
import pytest
import skops.io as sio

from floodingnaque_pipeline.ml import artifact
from floodingnaque_pipeline.ml.inner import pipeline


class Foreign:
    """Any type outside sklearn/numpy/scipy, e.g. one an attacker's pickle would smuggle in."""


def test_round_trip_and_refusals() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 3))
    y = (x[:, 0] + rng.normal(scale=0.3, size=120) > 1).astype(int)
    model = pipeline(1.0).fit(x, y)
    data, sha = artifact.dump(model)
    loaded = artifact.load(data, sha)
    assert np.allclose(loaded.predict_proba(x), model.predict_proba(x))

    with pytest.raises(artifact.UntrustedArtifact, match="sha256"):
        artifact.load(data[:-1] + bytes([data[-1] ^ 1]), sha)
    foreign, foreign_sha = artifact.dump(Foreign())
    assert sio.get_untrusted_types(data=foreign)  # a type outside the allow-list
    with pytest.raises(artifact.UntrustedArtifact, match="allow-list"):
        artifact.load(foreign, foreign_sha)
