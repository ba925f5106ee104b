"""PAGASA daily station parser: the three real files, and files broken on purpose."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from floodingnaque_pipeline.sources.pagasa import (
    StationObservation,
    load_stations,
    parse_pagasa_csv,
    station_for_file,
)
from floodingnaque_pipeline.sources.records import ParseResult

HEADER = "YEAR,MONTH,DAY,RAINFALL,TMAX,TMIN,RH,WIND_SPEED,WIND_DIRECTION"
GOOD_ROWS = ["2020,1,1,0.5,29.1,24.1,83,2,250", "2020,1,2,-1,31.7,23.9,65,4,90"]

REAL_FILES = [
    ("naia_daily.csv", "naia", 1827, date(2024, 12, 31)),
    ("port_area_daily.csv", "port-area", 1400, date(2023, 10, 31)),
    ("science_garden_daily.csv", "science-garden", 1827, date(2024, 12, 31)),
]


def _parse(text: str, name: str = "naia_daily.csv") -> ParseResult[StationObservation]:
    return parse_pagasa_csv(text.encode("utf-8"), name)


def _assert_whole_file(result: ParseResult[StationObservation], *needles: str) -> None:
    assert result.records == []
    assert len(result.rejections) == 1
    rejection = result.rejections[0]
    assert rejection.row_number is None and rejection.raw_row == ""
    for needle in needles:
        assert needle in rejection.reason


@pytest.mark.parametrize(("file_name", "slug", "days", "last_day"), REAL_FILES)
def test_real_station_files_parse_completely(
    shared_data: Path, file_name: str, slug: str, days: int, last_day: date
) -> None:
    path = shared_data / "pagasa" / file_name
    result = parse_pagasa_csv(path.read_bytes(), file_name)

    assert result.rejections == []
    assert len(result.records) == days
    assert {r.station for r in result.records} == {slug}
    assert result.records[0].observed_on == date(2020, 1, 1)
    assert result.records[-1].observed_on == last_day
    # Consecutive, gap-free days: the count equals the calendar span.
    assert (last_day - date(2020, 1, 1)).days + 1 == days
    assert result.records[0].row_number == 2

    # Independent count of sentinels straight from the file.
    with path.open(encoding="utf-8", newline="") as handle:
        raw = list(csv.DictReader(handle))
    missing_rain = sum(float(r["RAINFALL"]) == -999 for r in raw)
    trace_rain = sum(float(r["RAINFALL"]) == -1 for r in raw)
    missing_rh = sum(float(r["RH"]) == -999 for r in raw)
    assert sum(r.rainfall_mm is None for r in result.records) == missing_rain
    assert sum(r.rainfall_trace for r in result.records) == trace_rain
    assert sum(r.relative_humidity_pct is None for r in result.records) == missing_rh
    assert all(r.rainfall_mm == 0.0 for r in result.records if r.rainfall_trace)
    assert missing_rain > 0 and trace_rain > 0  # the real files do exercise both sentinels


def test_values_and_sentinels_are_decoded() -> None:
    text = "\n".join([HEADER, *GOOD_ROWS, "2020,1,3,-999.0,-999,-999,-999,-999,-999"]) + "\n"
    result = _parse(text)
    assert result.rejections == []
    first, trace, missing = result.records
    assert first == StationObservation("naia", date(2020, 1, 1), 0.5, False, 29.1, 24.1, 83.0,
                                       2.0, 250.0, 2)  # fmt: skip
    assert (trace.rainfall_mm, trace.rainfall_trace) == (0.0, True)
    assert missing.rainfall_mm is None and missing.rainfall_trace is False
    assert missing.tmax_c is None and missing.wind_direction_deg is None


def test_station_lookup_from_file_names() -> None:
    assert [s.slug for s in load_stations()] == ["naia", "port-area", "science-garden"]
    naia = station_for_file("naia_daily.csv")
    assert naia is not None and naia.elevation_m == 21 and naia.latitude == pytest.approx(14.5047)
    for name in ("port_area_daily.csv", "Port-Area_Daily.CSV", "landing/pagasa/port area.csv"):
        station = station_for_file(name)
        assert station is not None and station.slug == "port-area", name
    garden = station_for_file("SCIENCE GARDEN DAILY.csv")
    assert garden is not None and garden.slug == "science-garden"
    assert station_for_file("sangley_point_daily.csv") is None


def test_a_station_is_found_anywhere_in_the_name_by_the_registry() -> None:
    # issue 21: naia_2024.csv was refused because only three exact names were accepted
    for name, slug in [("naia_2024.csv", "naia"), ("pagasa/2024-NAIA.csv", "naia"),
                       ("Port Area 2023 daily.csv", "port-area"),
                       ("science_garden_2020-2024.csv", "science-garden")]:  # fmt: skip
        station = station_for_file(name)
        assert station is not None and station.slug == slug, name
    assert station_for_file("naia_and_port_area.csv") is None  # two stations: which one?
    assert station_for_file("naiads.csv") is None  # a word, not a part of one
    result = _parse("\n".join([HEADER, *GOOD_ROWS]), "naia_vs_port_area.csv")
    _assert_whole_file(result, "names 2 stations", "naia_vs_port_area.csv")


def test_unknown_station_file_is_refused_whole() -> None:
    result = _parse("\n".join([HEADER, *GOOD_ROWS]), "sangley_point_daily.csv")
    _assert_whole_file(result, "unknown PAGASA station", "sangley_point_daily.csv")


@pytest.mark.parametrize(
    "content",
    [
        ("\n".join([HEADER, *GOOD_ROWS]) + "\n").encode("utf-16"),  # with BOM
        ("\n".join([HEADER, *GOOD_ROWS]) + "\n").encode("utf-16-le"),  # no BOM: NULs
    ],
    ids=["utf16-bom", "utf16-le"],  # Latin-1 is read with a note: test_encodings.py
)
def test_wrong_encoding_is_refused_whole(content: bytes) -> None:
    _assert_whole_file(parse_pagasa_csv(content, "naia_daily.csv"), "not UTF-8 encoded")


def test_utf8_bom_is_accepted() -> None:
    content = ("\n".join([HEADER, *GOOD_ROWS]) + "\n").encode("utf-8-sig")
    assert len(parse_pagasa_csv(content, "naia_daily.csv").records) == 2


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty file"),
        ("\n \n", "empty file"),
        (HEADER + "\n", "no data rows"),
        (HEADER.replace(",RH", ""), "missing column(s) RH"),
        (HEADER + ",SUNSHINE", "unknown/extra column(s) 'SUNSHINE'"),
        (HEADER.replace("TMAX", "T_MAX"), "missing column(s) TMAX"),
    ],
    ids=["empty", "blank-lines", "header-only", "missing-column", "extra-column", "renamed"],
)
def test_whole_file_problems(text: str, needle: str) -> None:
    rows = "" if needle in ("empty file", "no data rows") else "\n" + "\n".join(GOOD_ROWS)
    _assert_whole_file(_parse(text + rows), needle)


@pytest.mark.parametrize(
    ("bad_row", "needle"),
    [
        ("2020,1,3,0,30,24,140,2,90", "RH 140 outside physical range 0..100"),
        ("2020,1,3,-5,30,24,80,2,90", "negative RAINFALL -5"),
        ("2020,2,30,0,30,24,80,2,90", "impossible date 2020-02-30"),
        ("2020,1,3,abc,30,24,80,2,90", "non-numeric RAINFALL 'abc'"),
        ("2020,1,3,nan,30,24,80,2,90", "non-numeric RAINFALL 'nan'"),
        ("2020,1,3,0,30,24,80,2,400", "WIND_DIRECTION 400 outside"),
        ("2020,1,3,0,20,24,80,2,90", "TMIN 24 is above TMAX 20"),
        ("2020,1,2,0,30,24,80,2,90", "duplicate date 2020-01-02 (first on line 3)"),
        ("2020,1,3,0,30,2", "expected 9 fields, got 6"),
    ],
    ids=["rh-140", "neg-rain", "feb-30", "text", "nan", "wind-dir", "tmin>tmax", "dup", "short"],
)
def test_bad_rows_are_rejected_with_reason(bad_row: str, needle: str) -> None:
    text = "\n".join([HEADER, *GOOD_ROWS, bad_row, "2020,1,4,0,30,24,80,2,90"]) + "\n"
    result = _parse(text)
    assert [r.observed_on.day for r in result.records] == [1, 2, 4]
    [rejection] = result.rejections
    assert rejection.row_number == 4 and rejection.raw_row == bad_row
    assert needle in rejection.reason


def test_truncated_last_line_is_rejected_not_dropped() -> None:
    text = "\n".join([HEADER, *GOOD_ROWS, "2020,1,3,12.5,30.1"])  # no trailing newline
    result = _parse(text)
    assert len(result.records) == 2
    [rejection] = result.rejections
    assert rejection.row_number == 4 and "expected 9 fields, got 5" in rejection.reason


def test_every_non_blank_line_is_accounted_for() -> None:
    rows = [*GOOD_ROWS, "", "2020,13,1,0,30,24,80,2,90", "x", "2020,1,5,0,30,24,80,2,90", ""]
    result = _parse("\n".join([HEADER, *rows]))
    assert result.rows_seen == sum(1 for r in rows if r.strip()) == 5
    assert [r.row_number for r in result.rejections] == [5, 6]
