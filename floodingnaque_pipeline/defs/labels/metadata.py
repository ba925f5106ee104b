"""Materialization metadata of a stored label file: counts, top refusals, span, preview."""

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

import dagster as dg

from floodingnaque_pipeline.db.labels import FileLoadCounts
from floodingnaque_pipeline.sources.records import ParseResult

PREVIEW_ROWS = 10
TOP_REASONS = 5


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")[:80]


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def top_reasons_md(result: ParseResult[Any]) -> str:
    if not result.rejections:
        return "No rows refused."
    counts = Counter(r.reason for r in result.rejections)
    first_row: dict[str, int | str] = {}
    for r in result.rejections:
        first_row.setdefault(r.reason, "whole file" if r.row_number is None else r.row_number)
    rows = [(n, reason, first_row[reason]) for reason, n in counts.most_common(TOP_REASONS)]
    more = len(counts) - len(rows)
    tail = f"\n\n…and {more} other reason(s); all rows are in `ingest_rejections`." if more else ""
    return _table(["rows", "reason", "first line"], rows) + tail


def file_metadata(
    result: ParseResult[Any],
    counts: FileLoadCounts,
    file_sha256: str,
    dates: Sequence[date],
    preview_columns: Sequence[str],
) -> dict[str, dg.MetadataValue]:
    span = f"{min(dates)} .. {max(dates)}" if dates else "no rows accepted"
    preview = [[getattr(r, c) for c in preview_columns] for r in result.records[:PREVIEW_ROWS]]
    return {
        "rows_accepted": dg.MetadataValue.int(counts.accepted),
        "rows_rejected": dg.MetadataValue.int(counts.rejected),
        "rejection_ratio": dg.MetadataValue.float(
            counts.rejected / (counts.accepted + counts.rejected) if result.rows_seen else 0.0
        ),
        "inserted": dg.MetadataValue.int(counts.inserted),
        "updated": dg.MetadataValue.int(counts.updated),
        "unchanged": dg.MetadataValue.int(counts.unchanged),
        "removed": dg.MetadataValue.int(counts.removed),
        "top_rejection_reasons": dg.MetadataValue.md(top_reasons_md(result)),
        "date_span": dg.MetadataValue.text(span),
        "preview": dg.MetadataValue.md(_table(preview_columns, preview)),
        "file_sha256": dg.MetadataValue.text(file_sha256),
    }
