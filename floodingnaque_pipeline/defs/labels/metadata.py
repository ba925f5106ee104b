"""Materialization metadata of a stored label file: counts, top refusals, span, preview."""

from collections.abc import Sequence

import dagster as dg

from floodingnaque_pipeline.db.labels import FileLoadCounts
from floodingnaque_pipeline.domain.markdown import markdown_table
from floodingnaque_pipeline.label_ingest import StoredLabelFile


def top_reasons_md(top: Sequence[tuple[int, str, int | None]], other_reasons: int) -> str:
    """top: (rows, reason, first line) as counted by the database (`db.labels.top_reasons`)."""
    if not top:
        return "No rows refused."
    rows = [(n, reason, "whole file" if first is None else first) for n, reason, first in top]
    tail = (
        f"\n\n…and {other_reasons} other reason(s); all rows are in `ingest_rejections`."
        if other_reasons
        else ""
    )
    return markdown_table(["rows", "reason", "first line"], rows) + tail


def refusal_headline(
    counts: FileLoadCounts, top: Sequence[tuple[int, str, int | None]], other_reasons: int
) -> str:
    """Why a file was refused whole, in one line: its one reason, or its commonest ones."""
    if counts.rejected == 1 and top:
        return top[0][1]
    reasons = "; ".join(f"{reason} ({n} rows)" for n, reason, _ in top[:3])
    more = len(top) - 3 + other_reasons
    tail = f"; and {more} other reason(s)" if more > 0 else ""
    return f"all {counts.rejected} rows refused: {reasons}{tail}"


def file_metadata(
    stored: StoredLabelFile,
    top: Sequence[tuple[int, str, int | None]],
    other_reasons: int,
    preview_columns: Sequence[str],
) -> dict[str, dg.MetadataValue]:
    counts = stored.counts
    seen = counts.accepted + counts.rejected
    span = f"{stored.first_day} .. {stored.last_day}" if stored.first_day else "no rows accepted"
    preview = [[getattr(r, c) for c in preview_columns] for r in stored.preview]
    return {
        "rows_accepted": dg.MetadataValue.int(counts.accepted),
        "rows_rejected": dg.MetadataValue.int(counts.rejected),
        "rejection_ratio": dg.MetadataValue.float(counts.rejected / seen if seen else 0.0),
        "inserted": dg.MetadataValue.int(counts.inserted),
        "updated": dg.MetadataValue.int(counts.updated),
        "unchanged": dg.MetadataValue.int(counts.unchanged),
        "removed": dg.MetadataValue.int(counts.removed),
        "refused_whole": dg.MetadataValue.bool(counts.refused_whole),
        "rows_kept_from_last_accepted_version": dg.MetadataValue.int(counts.kept_previous),
        "top_rejection_reasons": dg.MetadataValue.md(top_reasons_md(top, other_reasons)),
        "date_span": dg.MetadataValue.text(span),
        "preview": dg.MetadataValue.md(markdown_table(preview_columns, preview)),
        "file_sha256": dg.MetadataValue.text(stored.sha256),
        "parse_notes": dg.MetadataValue.md("\n".join(stored.notes) or "none"),
    }
