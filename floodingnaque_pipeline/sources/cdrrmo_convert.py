"""Convert a CDRRMO export (any layout the reader knows) into the cleaned CSV layout.

    python -m floodingnaque_pipeline.sources.cdrrmo_convert raw_2023.csv [-o OUT_DIR]

Writes `<name>_cleaned.csv` (the canonical columns plus `date_evidence` and `source_record`)
and `<name>_refused.md` (each refused record: its number, lines, reason and printed text). A
refused record is also a row of the cleaned file, with an empty date and its printed text in
`remarks`, so an analyst fixes it in place (fill in date, month, day, year and the cells) and
drops the corrected file into landing/flood_records/ instead of the export. Pure: no Dagster.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

from floodingnaque_pipeline.sources.cdrrmo import COLUMNS, EVIDENCE_COLUMNS, parse_cdrrmo_csv
from floodingnaque_pipeline.sources.cdrrmo_fields import FloodEvent
from floodingnaque_pipeline.sources.records import ParseResult, Rejection

HEADER = (*COLUMNS, *EVIDENCE_COLUMNS)


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


def _record_number(rejection: Rejection) -> str:
    found = re.search(r"record #?(\d+)", rejection.reason)
    return found.group(1) if found else ""


def _refused_row(rejection: Rejection) -> dict[str, object]:
    number = _record_number(rejection)
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
    for rejection in result.rejections:
        where = "whole file" if rejection.row_number is None else f"line {rejection.row_number}"
        lines += [f"## {where}", "", f"Reason: {rejection.reason}", ""]
        if rejection.raw_row:
            lines += ["```", rejection.raw_row, "```", ""]
    return "\n".join(lines).rstrip() + "\n"


def convert(source: Path, out_dir: Path) -> tuple[Path, Path, ParseResult[FloodEvent]]:
    result = parse_cdrrmo_csv(source.read_bytes(), source.name)
    out_dir.mkdir(parents=True, exist_ok=True)
    cleaned = out_dir / f"{source.stem}_cleaned.csv"
    report = out_dir / f"{source.stem}_refused.md"
    cleaned.write_text(cleaned_csv(result), encoding="utf-8")
    report.write_text(refused_report(source.name, result), encoding="utf-8")
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
    cleaned, report, result = convert(args.export, args.out_dir or args.export.parent)
    print(f"{len(result.records)} accepted, {len(result.rejections)} refused")
    print(f"wrote {cleaned}\nwrote {report}")
    return 0 if result.records else 1


if __name__ == "__main__":
    sys.exit(main())
