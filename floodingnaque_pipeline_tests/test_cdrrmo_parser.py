"""CDRRMO flood-record parser and barangay mapping: the real 2022/2023 files, the raw PDF
exports, and files broken on purpose."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from floodingnaque_pipeline.locations import load_default_locations
from floodingnaque_pipeline.sources.barangays import canonical_barangay, nearest_barangay
from floodingnaque_pipeline.sources.cdrrmo import (
    COLUMNS,
    DEPTH_INCHES,
    LAYOUTS,
    FloodEvent,
    normalise_depth,
    parse_cdrrmo_csv,
)
from floodingnaque_pipeline.sources.records import ParseResult

CANONICAL = {loc.name for loc in load_default_locations()}
HEADER = ",".join(COLUMNS)
GOOD = "1,2022-03-14,3.0,14.0,2022,DIONISIO,INTERSECTION,14.47513822,121.0011419,knee,Rain,x,,"


def _raw_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _parse(*rows: str, header: str = HEADER) -> ParseResult[FloodEvent]:
    return parse_cdrrmo_csv(("\n".join([header, *rows]) + "\n").encode("utf-8"), "t.csv")


def _only_rejection_reason(result: ParseResult[FloodEvent], whole_file: bool = False) -> str:
    [rejection] = result.rejections
    assert (rejection.row_number is None) is whole_file
    if whole_file:
        assert result.records == [] and rejection.raw_row == ""
    return rejection.reason


@pytest.mark.parametrize("year", [2022, 2023])
def test_real_files_account_for_every_row(shared_data: Path, year: int) -> None:
    path = shared_data / "flood_records" / f"flood_records_{year}.csv"
    raw = _raw_rows(path)
    result = parse_cdrrmo_csv(path.read_bytes(), path.name)

    assert result.rows_seen == len(raw)
    assert {e.barangay for e in result.records} <= CANONICAL
    assert all(e.event_date.year == year for e in result.records)
    by_line = {r.row_number: r.reason for r in result.rejections}
    for line_no, row in enumerate(raw, start=2):
        if not row["date"].strip():
            assert "missing date" in by_line[line_no]
    # Nothing is rejected for a reason the file does not explain.
    for reason in by_line.values():
        assert "date" in reason, reason


def test_2022_labels(shared_data: Path) -> None:
    path = shared_data / "flood_records" / "flood_records_2022.csv"
    raw = _raw_rows(path)
    result = parse_cdrrmo_csv(path.read_bytes(), path.name)
    assert any(r["date"] == "2022-10-29" for r in raw)  # the Paeng floods are in the data
    on_paeng = [e for e in result.records if e.event_date == date(2022, 10, 29)]
    assert len(on_paeng) == sum(r["date"] == "2022-10-29" for r in raw)
    assert len(result.records) == sum(bool(r["date"].strip()) for r in raw)

    by_line = {e.row_number: e for e in result.records}
    assert by_line[2].barangay == "San Dionisio" and not by_line[2].barangay_inferred
    # Loose spellings found in the file land on canonical names.
    spelled = {r["barangay"]: by_line[n].barangay for n, r in enumerate(raw, 2) if n in by_line}
    assert spelled["ANTONIO"] == "San Antonio"
    assert spelled["GREEN"] == "Marcelo Green"
    assert spelled["STO NIÑO"] == "Santo Niño"
    first = by_line[2]
    assert (first.depth_class, first.depth_in, first.latitude) == ("knee", 19, 14.47513822)
    # Debris such as "14.49255767 level half" keeps the flood but not a depth.
    debris = [n for n, r in enumerate(raw, 2) if r["flood_depth"].startswith("14.")]
    assert debris and all(by_line[n].depth_class is None for n in debris if n in by_line)


def test_2023_filled_down_dates_are_refused(shared_data: Path) -> None:
    """Rows 7.. of the 2023 file all say 2023-05-20 with empty month/day: the cleaning step
    filled the date down. Their own remarks give later days, so they must not become labels."""
    path = shared_data / "flood_records" / "flood_records_2023.csv"
    raw = _raw_rows(path)
    result = parse_cdrrmo_csv(path.read_bytes(), path.name)
    by_line = {r.row_number: r.reason for r in result.rejections}
    filled = [n for n, r in enumerate(raw, 2) if r["date"] and not r["month"]]
    assert filled and all("not backed by the month/day" in by_line[n] for n in filled)
    assert any("SEPT" in raw[n - 2]["remarks"] for n in filled)  # the evidence
    kept = [n for n, r in enumerate(raw, 2) if r["date"] and r["month"] and r["day"]]
    assert sorted(e.row_number for e in result.records) == kept


@pytest.mark.parametrize("year", [2022, 2023])
def test_every_real_barangay_spelling_is_placed(shared_data: Path, year: int) -> None:
    rows = _raw_rows(shared_data / "flood_records" / f"flood_records_{year}.csv")
    spellings = {r["barangay"] for r in rows if r["barangay"].strip()}
    unmapped = {s for s in spellings if canonical_barangay(s) is None}
    # The only unmapped spelling names two barangays at once; coordinates decide it.
    assert unmapped <= {"Vitalez Margelo"}


def test_barangay_mapping_and_nearest() -> None:
    for loose, name in [
        ("STO NIÑO", "Santo Niño"),
        ("STO. NINO", "Santo Niño"),
        ("Sto. Nino", "Santo Niño"),
        ("GREEN", "Marcelo Green"),
        ("PORRES", "San Martin de Porres"),
        ("San Martin De", "San Martin de Porres"),
        ("ANTONIO", "San Antonio"),
        ("dionisio", "San Dionisio"),
        ("Brgy. Don Galo", "Don Galo"),
        ("bf homes", "BF Homes"),
    ]:
        assert canonical_barangay(loose) == name, loose
    for name in CANONICAL:
        assert canonical_barangay(name) == name
    for junk in ("", "   ", "Vitalez Margelo", "Makati", "SAN"):
        assert canonical_barangay(junk) is None
    name, km = nearest_barangay(14.5097, 121.0057) or ("", -1.0)
    assert name == "Vitalez" and km < 0.01
    assert nearest_barangay(14.60, 121.10) is None  # ~10 km away (Pasig)


@pytest.mark.parametrize(
    "content",
    [
        b"Incident,When,Where\n1,last night,Tambo\n",  # some other office's sheet
        b",*YEAR 2024 ,,\nNo title words,here,\n1,x,y\n",  # a title, but no named header
    ],
)
def test_unknown_layout_is_refused_whole_naming_the_known_ones(content: bytes) -> None:
    reason = _only_rejection_reason(parse_cdrrmo_csv(content, "flood.csv"), whole_file=True)
    assert "unrecognized layout" in reason
    for name, _recognises, _read in LAYOUTS:
        assert name in reason


def test_depth_spellings() -> None:
    for raw, cls in [("gutter", "gutter"), ("Half-Knee", "half-knee"), ("half knee", "half-knee"),
                     ("knee deep", "knee"), ("KNEE LEVEL", "knee"), ("half tyre", "half-tire"),
                     ("Tire", "tire"), ("waist", "waist"), ("Chest-deep", "chest")]:  # fmt: skip
        assert normalise_depth(raw) == cls, raw
    for raw in ("", None, "14.49255767 level half", "N/A above", "ankle"):
        assert normalise_depth(raw) is None
    assert DEPTH_INCHES["half-tire"] == 13


def test_barangay_inferred_from_coordinates() -> None:
    row = "7,2022-03-14,3,14,2022,,Ireneville,14.5095,121.0056,Half-Knee,,,,"
    [event] = _parse(row).records
    assert (event.barangay, event.barangay_inferred) == ("Vitalez", True)
    assert (event.depth_class, event.depth_in) == ("half-knee", 10)
    assert event.location_text == "Ireneville" and event.weather_disturbance is None


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        (GOOD.replace("2022-03-14,3.0,14.0", ",3.0,14.0"), "missing date"),
        (GOOD.replace("2022-03-14,3.0,14.0", "2022-02-30,2,30"), "impossible date '2022-02-30'"),
        (GOOD.replace("2022-03-14", "14/03/2022"), "impossible date '14/03/2022'"),
        (GOOD.replace("3.0,14.0", "4.0,14.0"), "disagrees with year/month/day"),
        (GOOD.replace("3.0,14.0", ","), "not backed by the month/day"),
        (GOOD.replace("14.47513822,121.0011419", "10.3157,123.8854"), "(10.3157, 123.8854)"),
        (GOOD.replace("14.47513822", "north"), "not numbers"),
        (
            GOOD.replace("DIONISIO", "MAKATI").replace("14.47513822,121.0011419", ","),
            "barangay 'MAKATI' not recognised and no coordinates",
        ),  # fmt: skip
        (GOOD[:40], "expected 14 fields"),
        ("," * 13, "empty row"),
    ],
    ids=[
        "no-date",
        "feb-30",
        "dmy",
        "mismatch",
        "filled",
        "far",
        "nan-coord",
        "unknown",
        "short",
        "commas",
    ],  # fmt: skip
)
def test_bad_rows_are_rejected_with_reason(row: str, needle: str) -> None:
    # The third row is another flood (other coordinates), so it is not a duplicate of the first.
    result = _parse(GOOD, row, GOOD.replace("1,", "3,", 1).replace("121.0011419", "121.002"))
    assert len(result.records) == 2
    [rejection] = result.rejections
    assert rejection.row_number == 3 and rejection.raw_row == row
    assert needle in rejection.reason


def test_quoted_multiline_row_keeps_line_numbers() -> None:
    multi = GOOD.replace("INTERSECTION", '"INTER\nSECTION, A"')
    result = _parse(multi, GOOD[:30])
    assert [e.row_number for e in result.records] == [2]
    assert result.records[0].location_text == "INTER SECTION, A"  # wrapped cells are joined
    assert result.rejections[0].row_number == 4


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ((HEADER + "\n" + GOOD + "\n").encode("utf-16"), "not UTF-8 encoded"),
        ((HEADER + "\n" + GOOD + "\n").encode("utf-16-le"), "not UTF-8 encoded"),
        (b"", "empty file"),
        (b"\n\n", "empty file"),
        ((HEADER + "\n").encode(), "no data rows"),
        ((HEADER + ",notes\n" + GOOD + ",n\n").encode(), "unknown/extra column(s) 'notes'"),
        ((HEADER.replace(",barangay", "") + "\n").encode(), "missing column(s) barangay"),
        (b",*YEAR 2024 ,,,\n# ,DATE ,MONTH\n", "unrecognized layout"),
    ],
    ids=["utf16", "utf16-le", "empty", "blank", "header-only", "extra", "missing", "raw"],
)
def test_whole_file_problems(content: bytes, needle: str) -> None:
    reason = _only_rejection_reason(parse_cdrrmo_csv(content, "x.csv"), whole_file=True)
    assert needle in reason


def test_truncated_last_line_is_rejected_not_dropped() -> None:
    content = (HEADER + "\n" + GOOD + "\n" + GOOD[:55]).encode()
    result = parse_cdrrmo_csv(content, "x.csv")
    assert len(result.records) == 1
    assert result.rejections[0].row_number == 3
    assert "expected 14 fields" in result.rejections[0].reason


def test_identical_records_within_a_file_are_one_flood() -> None:
    other = GOOD.replace("1,2022-03-14", "4,2022-03-14").replace("14.47513822", "14.48")
    result = _parse(GOOD, GOOD.replace("1,", "2,", 1), other, GOOD.replace("1,", "3,", 1))
    assert [e.row_number for e in result.records] == [2, 4]
    assert [(r.row_number, r.raw_row) for r in result.rejections] == [
        (3, GOOD.replace("1,", "2,", 1)),
        (5, GOOD.replace("1,", "3,", 1)),
    ]
    assert all("duplicate of the row at line 2" in r.reason for r in result.rejections)
