"""The text-from-PDF CDRRMO export reader on the real raw_2025.csv, checked by hand against the
printed text (exports in other layouts: test_cdrrmo_text_layouts.py)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from floodingnaque_pipeline.sources.cdrrmo import parse_cdrrmo_csv
from floodingnaque_pipeline.sources.cdrrmo_fields import FloodEvent
from floodingnaque_pipeline.sources.cdrrmo_text import looks_like_text_export, parse_text_export
from floodingnaque_pipeline.sources.records import ParseResult

_NUMBERED = re.compile(r"^record (\d+): ")


def _raw_2025(shared_data: Path) -> str:
    return (shared_data / "flood_records" / "raw_2025.csv").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def parsed_2025(shared_data: Path) -> ParseResult[FloodEvent]:
    return parse_text_export(_raw_2025(shared_data))


def _numbers(result: ParseResult[FloodEvent]) -> list[int]:
    accepted = [e.source_record for e in result.records]
    refused = [int(m.group(1)) for r in result.rejections if (m := _NUMBERED.match(r.reason))]
    return sorted(n for n in accepted + refused if n is not None)


def _record(result: ParseResult[FloodEvent], number: int) -> FloodEvent:
    [event] = [e for e in result.records if e.source_record == number]
    return event


def _refusal(result: ParseResult[FloodEvent], number: int) -> str:
    [reason] = [r.reason for r in result.rejections if r.reason.startswith(f"record {number}: ")]
    return reason


# --- the real 2025 export ----------------------------------------------------------------------


def test_every_printed_record_number_ends_accepted_or_refused_once(
    shared_data: Path, parsed_2025: ParseResult[FloodEvent]
) -> None:
    # The file's last anchor line starts with "385"; numbers run 1, 2, 3 ... without gaps.
    assert _numbers(parsed_2025) == list(range(1, 386))
    assert all(r.row_number is not None and r.reason for r in parsed_2025.rejections)
    text = _raw_2025(shared_data)
    lines = text.split("\n")
    for rejection in parsed_2025.rejections:
        # raw_row is the record's own physical lines, starting at row_number.
        first = rejection.raw_row.split("\n")[0]
        assert lines[rejection.row_number - 1] == first


@pytest.mark.parametrize(("number", "line"), [(23, 115), (67, 272), (265, 1750), (380, 2533)])
def test_lines_holding_only_a_number_are_refused_for_want_of_a_date(
    parsed_2025: ParseResult[FloodEvent], number: int, line: int
) -> None:
    [rejection] = [r for r in parsed_2025.rejections if r.row_number == line]
    assert rejection.raw_row == f'"{number}"'
    assert rejection.reason.startswith(f"record {number}: no date can be established")


def test_conflicting_evidence_is_refused_naming_both_clues(
    parsed_2025: ParseResult[FloodEvent],
) -> None:
    # Record 206: reported 0300H July 22, "Subsided as of 1310H, July 21 2025" - a day before.
    reason = _refusal(parsed_2025, 206)
    assert "date cell 'July 22, 2025' (lines 1289-1291)" in reason
    assert "subsidence remark 'Subsided as of 1310H, July 21 2025'" in reason
    # Record 214: subsided "24 July 2026", a year after the report: refused, not corrected.
    assert "24 July 2026" in _refusal(parsed_2025, 214)
    for rejection in parsed_2025.rejections:
        if "conflicting" in rejection.reason:
            assert rejection.reason.count("'") >= 4  # two quoted clues


def test_a_subsidence_days_after_the_report_is_no_conflict(
    parsed_2025: ParseResult[FloodEvent],
) -> None:
    # Record 70: reported 2225H July 19, "Subsided as of 1550H, 23 July 2025".
    assert _record(parsed_2025, 70).event_date == date(2025, 7, 19)


# (number, first line, date, barangay, depth, latitude, longitude, location, disturbance), read
# off the printed text by hand.
HAND_CHECKED = [
    (1, 9, date(2025, 5, 6), "San Antonio", "gutter", 14.461084936317045, 121.02733352014849,
     "Dr. A. Santos Ave. infront of Fourth Estate (Northbound", "Easterlies"),
    (2, 18, date(2025, 5, 6), "San Antonio", "gutter", 14.464863417205555, 121.01964668077106,
     "Dr. A. Santos Ave. corner San Antonio Ave.", "Easterlies"),
    (6, 38, date(2025, 5, 12), "Santo Niño", "chest", 14.499879060866066, 121.0097883882997,
     "Sitio Libjo", "Easterlies"),
    # Location continued at the top of the next page ("Ave. corner" / "Russia St.").
    (7, 41, date(2025, 5, 12), "Don Bosco", "gutter", 14.486468830290727, 121.02712297682294,
     "Doña Soledad Ave. corner Russia St.", "Easterlies"),
    (57, 230, date(2025, 6, 8), "Don Galo", "gutter", 14.503858197230143, 120.9908283562313,
     "Sto. Niño de Coastal", "Southwest Monsoon"),
    # Date "July 21," / "2025" wrapped; latitude two lines above the longitude; the disturbance
    # ends on the next page.
    (80, 347, date(2025, 7, 21), "Moonwalk", "gutter", 14.492863350749726, 121.00388782822002,
     "Multinational Gate 2", "Southwest Monsoon Enchanced by Tropical Storm Crising"),
    (277, 1810, date(2025, 8, 16), "San Martin de Porres", "knee", 14.50424642965824,
     121.03893944061659, "Iba St.", "Southwest Monsoon"),
    (293, 1894, date(2025, 8, 16), "Marcelo Green", "knee", 14.470934893848796,
     121.04008490257138, "Creekville", "Southwest Monsoon"),
    # Date "September" / "6, 2025".
    (331, 2167, date(2025, 9, 6), "San Antonio", "knee", 14.461084936317045, 121.02733352014849,
     "Dr. A. Santos Ave. infront of Fourth Estate (Northbound", "Southwest Monsoon"),
    # Date "September" / "361    26, 2025": the day and year follow the record number.
    (361, 2397, date(2025, 9, 26), "Vitalez", "gutter", 14.468809635724792, 121.02286236389642,
     "Urma Drive", 'Southwest Monsoon enchanced by Typhoon "Opong"'),
    (385, 2568, date(2025, 10, 6), "Moonwalk", "knee", 14.492684755208328, 121.01840739464016,
     "Airport Village", "Due to Localized Thunderstorms"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("number", "line", "day", "barangay", "depth", "lat", "lon", "location", "disturbance"),
    HAND_CHECKED,
)
def test_hand_checked_records(
    parsed_2025: ParseResult[FloodEvent],
    number: int,
    line: int,
    day: date,
    barangay: str,
    depth: str,
    lat: float,
    lon: float,
    location: str,
    disturbance: str,
) -> None:
    event = _record(parsed_2025, number)
    assert (event.row_number, event.event_date, event.barangay) == (line, day, barangay)
    assert not event.barangay_inferred
    assert (event.depth_class, event.latitude, event.longitude) == (depth, lat, lon)
    assert (event.location_text, event.weather_disturbance) == (location, disturbance)


def test_date_evidence_names_the_printed_cells(parsed_2025: ParseResult[FloodEvent]) -> None:
    assert _record(parsed_2025, 1).date_evidence == (
        "date cell 'May 6, 2025' (lines 16-17) + MONTH cell 'MAY' (line 17)"
    )
    assert _record(parsed_2025, 331).date_evidence.startswith(
        "date cell 'September 6, 2025' (lines 2170-2172)"
    )
    assert all(e.date_evidence.startswith("date cell ") for e in parsed_2025.records)


def test_a_barangay_cell_printed_across_two_rows_serves_both(
    parsed_2025: ParseResult[FloodEvent],
) -> None:
    # "San" above anchor 128, "Dionisio" below it, nothing in row 129; same for "Sun" / "Valley"
    # around anchor 131 and the row of record 132 (Capiral, Sun Valley in records 234/235).
    for number, name in [(128, "San Dionisio"), (129, "San Dionisio"), (131, "Sun Valley"),
                         (132, "Sun Valley")]:  # fmt: skip
        event = _record(parsed_2025, number)
        assert (event.barangay, event.barangay_inferred) == (name, False)


def test_parse_cdrrmo_csv_routes_raw_2025_to_this_reader(
    shared_data: Path, parsed_2025: ParseResult[FloodEvent]
) -> None:
    path = shared_data / "flood_records" / "raw_2025.csv"
    assert looks_like_text_export(path.read_text(encoding="utf-8"))
    result = parse_cdrrmo_csv(path.read_bytes(), path.name)
    assert result.rows_seen == 385
    assert {e.source_record for e in result.records} <= {
        e.source_record for e in parsed_2025.records
    }
    assert {r.row_number for r in parsed_2025.rejections} <= {
        r.row_number for r in result.rejections
    }


@pytest.mark.parametrize("name", ["raw_2022.csv", "raw_2023.csv", "flood_records_2022.csv"])
def test_other_layouts_are_not_taken_for_the_text_export(shared_data: Path, name: str) -> None:
    text = (shared_data / "flood_records" / name).read_text(encoding="utf-8-sig")
    assert not looks_like_text_export(text)
