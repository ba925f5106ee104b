"""The converter never overwrites, never follows a link, refuses an oversized export with advice
that helps (issue 22 item 5), and reports refusals grouped by cause (issue 19 item 4)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from floodingnaque_pipeline.sources.cdrrmo_convert import CONVERT_MAX_BYTES

RAW_2025 = "flood_records/raw_2025.csv"


def _convert(export: Path, out_dir: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "floodingnaque_pipeline.sources.cdrrmo_convert",
               str(export), "-o", str(out_dir)]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_a_hand_corrected_cleaned_file_is_never_overwritten(
    shared_data: Path, tmp_path: Path
) -> None:
    export = shared_data / RAW_2025
    assert _convert(export, tmp_path).returncode == 0
    cleaned = tmp_path / "raw_2025_cleaned.csv"
    converted = cleaned.read_bytes()
    corrected = converted + b"999,2025-07-21,7,21,2025,Tambo,,,,,,typed by hand,,\n"
    cleaned.write_bytes(corrected)

    again = _convert(export, tmp_path)
    assert again.returncode == 0, again.stderr
    assert cleaned.read_bytes() == corrected  # the analyst's work is untouched
    assert "raw_2025_cleaned.csv exists (kept as it is)" in again.stdout
    assert (tmp_path / "raw_2025_cleaned.new.csv").read_bytes() == converted

    third = _convert(export, tmp_path)  # both names taken: refuse, write nothing
    assert third.returncode == 2 and "never overwrites" in third.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "raw_2025_cleaned.csv", "raw_2025_cleaned.new.csv",
        "raw_2025_refused.md", "raw_2025_refused.new.md",
    ]  # fmt: skip
    assert cleaned.read_bytes() == corrected


def test_a_planted_symlink_is_never_followed(shared_data: Path, tmp_path: Path) -> None:
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_bytes(b"precious\n")
    (out / "raw_2025_cleaned.csv").symlink_to(victim)
    (out / "raw_2025_refused.md").symlink_to(tmp_path / "created_through_link.md")  # dangling
    done = _convert(shared_data / RAW_2025, out)
    assert done.returncode == 0, done.stderr
    assert victim.read_bytes() == b"precious\n"
    assert not (tmp_path / "created_through_link.md").exists()
    assert (out / "raw_2025_cleaned.csv").is_symlink()
    assert (out / "raw_2025_cleaned.new.csv").stat().st_size > 1000


def test_an_oversized_export_is_refused_with_advice_that_helps(tmp_path: Path) -> None:
    export = tmp_path / "raw_2019_2025.csv"
    export.write_bytes(b'"1"\n' * (CONVERT_MAX_BYTES // 4 + 1))
    done = _convert(export, tmp_path)
    assert done.returncode == 2
    assert f"over the converter's limit of {CONVERT_MAX_BYTES:,}" in done.stderr
    assert "split it into one file per year" in done.stderr
    assert "cdrrmo_convert" not in done.stderr  # not the tool that is already running
    assert [p.name for p in tmp_path.iterdir()] == [export.name]


def test_the_report_groups_refusals_by_cause_with_counts(shared_data: Path, tmp_path: Path) -> None:
    # flood_records_2023.csv: 161 refusals, almost all dates filled down by hand.
    assert _convert(shared_data / "flood_records/flood_records_2023.csv", tmp_path).returncode == 0
    report = (tmp_path / "flood_records_2023_refused.md").read_text(encoding="utf-8")
    sections = [line for line in report.splitlines() if line.startswith("## ")]
    assert sections == [
        "## 156 records: date <date> not backed by the month/day columns",
        "## 5 records: missing date",
    ]
    assert "Where: lines 3-158" in report
    assert report.count("filled down from an earlier row") == 1  # the reason once, not 156 times
    # raw_2025: the same cause with different details lists each record under one heading.
    assert _convert(shared_data / RAW_2025, tmp_path).returncode == 0
    report = (tmp_path / "raw_2025_refused.md").read_text(encoding="utf-8")
    assert "## 10 records: conflicting dates" in report
    assert "## 4 records: no date can be established" in report
    section = report.split("## 4 records: no date can be established", 1)[1].split("\n## ")[0]
    assert "- line 115: record 23: " in section and "- line 272: record 67: " in section
    assert report.count("no date can be established") == 5  # the heading and its 4 records


def test_the_readme_no_longer_says_to_edit_the_cleaned_file_in_place() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Converting an export for hand correction", 1)[1].split("\n## ")[0]
    assert "Fix them\nthere" not in section and "_cleaned.new.csv" in section
