"""Convert a CDRRMO export (any layout the reader knows) into the cleaned CSV layout.

    python -m floodingnaque_pipeline.sources.cdrrmo_convert raw_2023.csv [-o OUT_DIR]

Writes `<name>_cleaned.csv` (the canonical columns plus `date_evidence` and `source_record`)
and `<name>_refused.md` (the refusals grouped by cause, with counts and lines). A refused
record is also a row of the cleaned file, with an empty date and its printed text in `remarks`,
so an analyst fixes it in a copy (fill in date, month, day, year and the cells) and drops the
corrected file into landing/flood_records/ instead of the export.

It never overwrites and never follows a link: an output name that exists (a hand-corrected file,
a planted symlink) is kept, and `<name>_cleaned.new.csv` / `<name>_refused.new.md` are written
instead (created with O_EXCL | O_NOFOLLOW); when those exist too, it refuses. Exports over
CONVERT_MAX_BYTES are refused before they are read. Pure: no Dagster.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from pathlib import Path

from floodingnaque_pipeline.sources.cdrrmo import (
    COLUMNS,
    EVIDENCE_COLUMNS,
    PDF_EXPORT_MAX_CHARS,
    parse_cdrrmo_csv,
)
from floodingnaque_pipeline.sources.cdrrmo_fields import FloodEvent
from floodingnaque_pipeline.sources.records import ParseResult, Rejection
from floodingnaque_pipeline.sources.refusal_report import grouped_markdown, record_number

HEADER = (*COLUMNS, *EVIDENCE_COLUMNS)
# The PDF layouts are read whole: the reader's own limit, in bytes (a character is >= 1 byte).
CONVERT_MAX_BYTES = PDF_EXPORT_MAX_CHARS


class ConvertRefused(RuntimeError):
    """The export is not converted; the message says why and what to do."""


def _event_row(event: FloodEvent) -> dict[str, object]:
    day = event.event_date
    return {
        "record_num": event.source_record or "",
        "date": day.isoformat(),
        "month": day.month,
        "day": day.day,
        "year": day.year,
        # An inferred barangay is left empty: re-reading infers it again, and flags it.
        "barangay": "" if event.barangay_inferred else event.barangay,
        "location": event.location_text or "",
        "latitude": "" if event.latitude is None else repr(event.latitude),
        "longitude": "" if event.longitude is None else repr(event.longitude),
        "flood_depth": event.depth_class or "",
        "weather_disturbance": event.weather_disturbance or "",
        "date_evidence": event.date_evidence,
        "source_record": event.source_record or "",
    }


def _refused_row(rejection: Rejection) -> dict[str, object]:
    number = record_number(rejection.reason)
    return {
        "record_num": number,
        "remarks": " | ".join(line.strip() for line in rejection.raw_row.splitlines() if line),
        "date_evidence": f"REFUSED (line {rejection.row_number}): {rejection.reason}",
        "source_record": number,
    }


def cleaned_csv(result: ParseResult[FloodEvent]) -> str:
    """Accepted and refused records in file order, as the cleaned layout."""
    ordered = [(e.row_number, _event_row(e)) for e in result.records]
    ordered += [(r.row_number or 0, _refused_row(r)) for r in result.rejections]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(row for _, row in sorted(ordered, key=lambda pair: pair[0]))
    return buffer.getvalue()


def refused_report(name: str, result: ParseResult[FloodEvent]) -> str:
    days = sorted({e.event_date for e in result.records})
    lines = [
        f"# {name}: {len(result.records)} records accepted, {len(result.rejections)} refused",
        "",
        f"Flood days ({len(days)}): " + ", ".join(d.isoformat() for d in days),
        "",
    ]
    if not result.rejections:
        lines.append("No record was refused.")
    lines += grouped_markdown(result.rejections)
    return "\n".join(lines).rstrip() + "\n"


def _create_new(path: Path) -> tuple[Path, int] | None:
    """`path` created empty, or None when the name is taken (a file, a link, dangling or not:
    O_EXCL with O_CREAT never follows one)."""
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        return path, os.open(path, flags, 0o644)
    except FileExistsError:
        return None


def _open_output(out_dir: Path, stem: str, suffix: str) -> tuple[Path, int]:
    wanted = out_dir / f"{stem}{suffix}"  # e.g. raw_2023_cleaned.csv
    spare = wanted.with_name(f"{wanted.stem}.new{wanted.suffix}")  # raw_2023_cleaned.new.csv
    created = _create_new(wanted) or _create_new(spare)
    if created is None:
        raise ConvertRefused(
            f"{wanted.name} and {spare.name} both exist in {out_dir}; nothing written (the "
            "converter never overwrites). Compare and merge them, then move one away and run "
            "it again"
        )
    return created


def convert(source: Path, out_dir: Path) -> tuple[Path, Path, ParseResult[FloodEvent]]:
    size = source.stat().st_size
    if size > CONVERT_MAX_BYTES:
        raise ConvertRefused(
            f"{source.name} is {size:,} bytes, over the converter's limit of "
            f"{CONVERT_MAX_BYTES:,} (one year's PDF export is under 200 kB). It is probably "
            "several years, or the whole report, in one file: split it into one file per year "
            "and convert each; landing/flood_records/ refuses it as it is, too"
        )
    result = parse_cdrrmo_csv(source.read_bytes(), source.name)
    out_dir.mkdir(parents=True, exist_ok=True)
    report_text = refused_report(source.name, result)
    texts = {"_cleaned.csv": cleaned_csv(result), "_refused.md": report_text}
    opened: list[tuple[Path, int]] = []
    try:
        for suffix in texts:
            opened.append(_open_output(out_dir, source.stem, suffix))
    except ConvertRefused:
        for path, descriptor in opened:  # ours, created empty a moment ago
            os.close(descriptor)
            path.unlink()
        raise
    for (_, descriptor), text in zip(opened, texts.values(), strict=True):
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    (cleaned, _), (report, _) = opened
    return cleaned, report, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m floodingnaque_pipeline.sources.cdrrmo_convert",
        description="Convert a CDRRMO flood-record export into the cleaned CSV layout.",
    )
    parser.add_argument("export", type=Path, help="the CSV as published (any known layout)")
    parser.add_argument("-o", "--out-dir", type=Path, help="default: beside the export")
    args = parser.parse_args(argv)
    if not args.export.is_file():
        parser.error(f"{args.export} is not a file")
    try:
        cleaned, report, result = convert(args.export, args.out_dir or args.export.parent)
    except ConvertRefused as refused:
        print(f"not converted: {refused}", file=sys.stderr)
        return 2
    print(f"{len(result.records)} accepted, {len(result.rejections)} refused")
    for path in (cleaned, report):
        kept = path.with_name(path.name.replace(".new.", ".")) if ".new." in path.name else path
        if kept != path:  # never overwritten: the analyst's corrections may be in it
            print(f"{kept.name} exists (kept as it is); wrote {path} instead: compare and merge")
        else:
            print(f"wrote {path}")
    return 0 if result.records else 1


if __name__ == "__main__":
    sys.exit(main())
