"""PR curves and reliability diagram as PNG data URIs, for Markdown metadata in the UI."""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _pyplot():
    """matplotlib on the Agg backend (no display in the code server or daemon), imported on
    first use: the code location loads without it (issue 21 item 6)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png_markdown(figure: Figure, alt: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    _pyplot().close(figure)
    return png_markdown(buffer.getvalue(), alt)


def png_markdown(png: bytes, alt: str) -> str:
    """A PNG as a Markdown image with a data URI: no file or server needed to show it."""
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"


def pr_curve_md(y: np.ndarray, scores: dict[str, np.ndarray], title: str) -> str:
    """One step curve per scorer (e.g. model, PAGASA rule, 2-day rain) on the same days."""
    from sklearn.metrics import precision_recall_curve

    figure, axes = _pyplot().subplots(figsize=(4.5, 3.5))
    for name, score in scores.items():
        precision, recall, _ = precision_recall_curve(y, score)
        axes.step(recall, precision, where="post", label=name)
    axes.axhline(y.mean(), color="grey", linestyle=":", label="prevalence")
    axes.set(xlabel="recall", ylabel="precision", title=title)
    axes.legend(loc="upper right")
    return _png_markdown(figure, "PR curve")


def reliability_md(y: np.ndarray, probabilities: dict[str, np.ndarray], title: str) -> str:
    from sklearn.calibration import calibration_curve

    figure, axes = _pyplot().subplots(figsize=(4.5, 3.5))
    bins = min(10, max(2, int(y.sum())))
    axes.plot([0, 1], [0, 1], color="grey", linestyle=":")
    for name, p in probabilities.items():
        observed, predicted = calibration_curve(y, p, n_bins=bins, strategy="quantile")
        axes.plot(predicted, observed, marker="o", label=name)
    axes.set(xlabel="predicted probability", ylabel="observed flood share", title=title)
    axes.legend(loc="upper left")
    return _png_markdown(figure, "reliability")
