"""PR curve and reliability diagram as PNG data URIs, for Markdown metadata in the UI."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")  # no display in the code server or daemon
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.calibration import calibration_curve  # noqa: E402
from sklearn.metrics import precision_recall_curve  # noqa: E402


def _png_markdown(figure: plt.Figure, alt: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    plt.close(figure)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"![{alt}](data:image/png;base64,{encoded})"


def pr_curve_md(y: np.ndarray, model: np.ndarray, baseline: np.ndarray) -> str:
    figure, axes = plt.subplots(figsize=(4.5, 3.5))
    for name, score in (("model", model), ("PAGASA rule", baseline)):
        precision, recall, _ = precision_recall_curve(y, score)
        axes.step(recall, precision, where="post", label=name)
    axes.axhline(y.mean(), color="grey", linestyle=":", label="prevalence")
    axes.set(xlabel="recall", ylabel="precision", title="Held-out days: precision-recall")
    axes.legend(loc="upper right")
    return _png_markdown(figure, "PR curve")


def reliability_md(y: np.ndarray, p: np.ndarray) -> str:
    figure, axes = plt.subplots(figsize=(4.5, 3.5))
    bins = min(10, max(2, int(y.sum())))
    observed, predicted = calibration_curve(y, p, n_bins=bins, strategy="quantile")
    axes.plot([0, 1], [0, 1], color="grey", linestyle=":")
    axes.plot(predicted, observed, marker="o")
    axes.set(xlabel="predicted probability", ylabel="observed flood share",
             title="Held-out days: reliability")  # fmt: skip
    return _png_markdown(figure, "reliability")
