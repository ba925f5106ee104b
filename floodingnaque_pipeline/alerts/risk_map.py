"""The risk map: every barangay at its centroid coloured by level, past flood records faint,
today and tomorrow side by side. Points only: no boundary file is shipped, none is invented."""

from __future__ import annotations

import io

from floodingnaque_pipeline.alerts.issue import LEVEL_COLOURS, LEVEL_NAMES, Issue, manila


def risk_map_png(issue: Issue) -> bytes:
    # lazy: the code location loads without matplotlib (issue 21 item 6)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    days = issue.days or [issue.issued_at.date()]
    figure, axes = plt.subplots(1, len(days), figsize=(5.2 * len(days), 5.6), squeeze=False)
    for axis, day in zip(axes[0], days, strict=True):
        if issue.past_flood_points:
            lat, lon = zip(*issue.past_flood_points, strict=True)
            axis.scatter(lon, lat, s=8, c="#7f8c8d", alpha=0.25, linewidths=0)
        for risk in (r for r in issue.risks if r.day == day):
            axis.scatter(risk.longitude, risk.latitude, s=160, c=LEVEL_COLOURS[risk.level],
                         edgecolors="black", linewidths=0.6, zorder=3)  # fmt: skip
            axis.annotate(risk.name, (risk.longitude, risk.latitude), fontsize=7,
                          xytext=(5, 4), textcoords="offset points", zorder=4)  # fmt: skip
        axis.set_title(f"{day:%a %d %b %Y}")
        axis.set_xlabel("longitude")
        axis.set_aspect("equal", adjustable="datalim")
        axis.grid(alpha=0.2)
        axis.ticklabel_format(useOffset=False)  # 121.00, not "+1.21e2" beside 0.00
    axes[0][0].set_ylabel("latitude")
    legend = [Line2D([], [], marker="o", ls="", color=LEVEL_COLOURS[level], label=name,
                     markeredgecolor="black", markersize=9)
              for level, name in LEVEL_NAMES.items()]  # fmt: skip
    legend.append(Line2D([], [], marker="o", ls="", color="#7f8c8d", alpha=0.4, markersize=5,
                         label="recorded flood, past years"))  # fmt: skip
    figure.legend(handles=legend, loc="lower center", ncol=4, frameon=False)
    figure.suptitle(f"Flood risk issued {manila(issue.issued_at)}, {issue.serving}")
    figure.tight_layout(rect=(0, 0.06, 1, 0.95))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    plt.close(figure)
    return buffer.getvalue()


def history_png(issue: Issue) -> bytes | None:
    """Per barangay, the last days: observed window rain as bars coloured by the level its
    same-day issues reached (grey: not issued), recorded floods marked. None without days."""
    if not issue.recent:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = sorted({r.name for r in issue.recent})
    columns = 4
    rows = -(-len(names) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 1.9 * rows),
                                sharex=True, sharey=True, squeeze=False)  # fmt: skip
    top = max((r.rain_mm or 0.0) for r in issue.recent) or 1.0
    for axis, name in zip(axes.flat, names, strict=False):
        days = sorted((r for r in issue.recent if r.name == name), key=lambda r: r.day)
        colours = ["#bdc3c7" if r.level is None else LEVEL_COLOURS[r.level] for r in days]
        axis.bar([r.day for r in days], [r.rain_mm or 0.0 for r in days], color=colours)
        flooded = [r.day for r in days if r.flooded]
        axis.scatter(flooded, [top * 1.05] * len(flooded), marker="v", c="black", s=25)
        axis.set_title(name, fontsize=8)
        axis.tick_params(labelsize=6)
    for axis in axes.flat[len(names) :]:
        axis.set_visible(False)
    figure.autofmt_xdate()
    figure.suptitle("Last days: observed window rain (mm), bar colour = level issued that day, "
                    "▼ = flood recorded", fontsize=9)  # fmt: skip
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    plt.close(figure)
    return buffer.getvalue()
