"""The analysts' converter: export -> cleaned layout + refusal report, and the round trip of a
hand-corrected file back through the reader."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from floodingnaque_pipeline.sources.cdrrmo import parse_cdrrmo_csv
from floodingnaque_pipeline.sources.cdrrmo_convert import convert
from floodingnaque_pipeline.sources.cdrrmo_fields import FloodEvent
from floodingnaque_pipeline.sources.refusal_report import without_record


def _what(event: FloodEvent) -> tuple[object, ...]:
    return (event.event_date, event.barangay, event.barangay_inferred, event.latitude,
            event.longitude, event.depth_class, event.source_record)  # fmt: skip


@pytest.mark.parametrize("name", ["raw_2022.csv", "raw_2023.csv", "raw_2025.csv"])
def test_converted_file_reads_back_as_the_same_floods(
    shared_data: Path, tmp_path: Path, name: str
) -> None:
    export = shared_data / "flood_records" / name
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "floodingnaque_pipeline.sources.cdrrmo_convert",
            str(export),
            "-o",
            str(tmp_path),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        check=False,
    )
    original = parse_cdrrmo_csv(export.read_bytes(), name)
    assert done.returncode == 0, done.stderr
    assert f"{len(original.records)} accepted, {len(original.rejections)} refused" in done.stdout
    cleaned = (tmp_path / name.replace(".csv", "_cleaned.csv")).read_bytes()
    again = parse_cdrrmo_csv(cleaned, "cleaned.csv")
    assert [_what(e) for e in again.records] == [_what(e) for e in original.records]
    assert all("as converted: " in e.date_evidence for e in again.records)
    # Each refused record is a row of the cleaned file again, still refused (no date yet).
    assert len(again.rejections) == len(original.rejections)
    report = (tmp_path / name.replace(".csv", "_refused.md")).read_text(encoding="utf-8")
    for rejection in original.rejections:  # grouped by cause now (issue 19 item 4): the reason
        assert without_record(rejection.reason)[:200] in report  # is there, maybe once a group
        assert str(rejection.row_number) in report


def test_a_refused_record_fixed_by_hand_is_accepted(shared_data: Path, tmp_path: Path) -> None:
    cleaned, _, result = convert(shared_data / "flood_records" / "raw_2023.csv", tmp_path)
    refused = {r.row_number for r in result.rejections}
    assert refused, "raw_2023.csv has a record the reader refuses"
    rows = list(csv.DictReader(io.StringIO(cleaned.read_text(encoding="utf-8"))))
    fixed = 0
    for row in rows:
        if row["date_evidence"].startswith("REFUSED"):
            # The analyst looks the record up and types in what the PDF garbled.
            row |= {"date": "2023-07-12", "month": "7", "day": "12", "year": "2023",
                    "latitude": "14.4750", "longitude": "121.0015"}  # fmt: skip
            fixed += 1
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    again = parse_cdrrmo_csv(out.getvalue().encode("utf-8"), "fixed.csv")
    assert again.rejections == [] and len(again.records) == len(result.records) + fixed
