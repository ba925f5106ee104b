"""The text-from-PDF CDRRMO export reader on small exports written here: other column sets,
widths and date habits than raw_2025.csv, split dates and conflicting evidence."""

from __future__ import annotations

from datetime import date

from floodingnaque_pipeline.sources.cdrrmo_text import looks_like_text_export, parse_text_export
from floodingnaque_pipeline_tests.test_cdrrmo_text import _numbers, _record


def _export(*lines: str) -> str:
    """Lines as the export writes them: one quoted CSV field per line, '""' for a quote."""
    return "\n".join('"' + line.replace('"', '""') + '"' for line in lines) + "\n"


# Another year's layout: no MONTH, TIME or subsidence column, the time last, depth before the
# location, other widths, "Aug." abbreviated; record 3 prints only its number, record 4's
# location goes on over a page break (\f), record 5 has its year after the number.
OTHER_LAYOUT = _export(
    "*YEAR 2024",
    "#   DATE     BARANGAY   FLOOD   LOCATION    LATITUDE    LONGITUDE    WEATHER           TIME",
    "                        DEPTH                                        DISTURBANCE",
    "San         Evacom",
    "Aug. 2,     Dionisio    Knee     Puregold",
    "1   2024              Level   Compound   14.4759951  121.0006073  Low Pressure Area  1500H",
    "Aug. 2,     Tambo      Waist   Mayuga St. 14.5162085  120.9995381  Low Pressure Area  1530H",
    "2    2024               Level",
    "3",
    "Aug. 4,     Sto. Niño   Gutter   Multinational",
    "4   2024              Level   Cor. C-5   14.4962442  121.0000922  Habagat            0100H",
    "\f                                     Extension",
    "Aug. 4,     Vitalez    Chest   Gat Mendoza  14.5095775  121.0081220  Habagat       0130H",
    "5    2024               Level",
)  # fmt: skip


def test_another_column_layout_is_read_by_content() -> None:
    result = parse_text_export(OTHER_LAYOUT)
    assert _numbers(result) == [1, 2, 3, 4, 5]
    got = {
        e.source_record: (e.event_date, e.barangay, e.depth_class, e.location_text, e.latitude)
        for e in result.records
    }
    assert got == {
        1: (date(2024, 8, 2), "San Dionisio", "knee", "Evacom Puregold Compound", 14.4759951),
        2: (date(2024, 8, 2), "Tambo", "waist", "Mayuga St.", 14.5162085),
        4: (date(2024, 8, 4), "Santo Niño", "gutter", "Multinational Cor. C-5 Extension",
            14.4962442),
        5: (date(2024, 8, 4), "Vitalez", "chest", "Gat Mendoza", 14.5095775),
    }  # fmt: skip
    assert _record(result, 1).weather_disturbance == "Low Pressure Area"
    assert _record(result, 1).date_evidence == "date cell 'Aug. 2, 2024' (lines 5-6)"
    [refused] = result.rejections
    assert (refused.row_number, refused.raw_row) == (9, '"3"')
    assert "no date can be established" in refused.reason


# 2025-like layout with a MONTH column.
_HEADER = (
    "DATE      TIME      MONTH    BARANGAY  DEPTH    INCHES  WEATHER       LATITUDE    LONGITUDE"
)


def test_a_date_split_over_two_lines_is_joined() -> None:
    text = _export(
        "*YEAR 2025",
        _HEADER,
        "May 6,                      San      Gutter",
        '1   2025   1600H   MAY   Antonio   Level   8"   Easterlies   14.4610849   121.0273335',
    )
    [event] = parse_text_export(text).records
    assert (event.event_date, event.barangay, event.depth_class) == (
        date(2025, 5, 6),
        "San Antonio",
        "gutter",
    )
    assert event.date_evidence == "date cell 'May 6, 2025' (lines 3-4) + MONTH cell 'MAY' (line 4)"


def test_a_date_disagreeing_with_the_month_or_the_title_is_refused() -> None:
    text = _export(
        "*YEAR 2025",
        _HEADER,
        "May 6,                      San      Gutter",
        '1   2025   1600H   JUNE  Antonio   Level   8"   Easterlies   14.4610849   121.0273335',
        "May 7,                      San      Knee",
        '2   2024   1600H   MAY   Antonio   Level   19"  Easterlies   14.4610849   121.0273335',
        "May 8,                      Tambo    Knee",
        '3   2025   1600H   MAY             Level   19"  Easterlies   14.5162085   120.9995381',
    )
    result = parse_text_export(text)
    assert [e.source_record for e in result.records] == [3]
    month, year = (r.reason for r in result.rejections)
    assert month.startswith("record 1: conflicting dates")
    assert "date cell 'May 6, 2025' (lines 3-4)" in month and "MONTH cell 'JUNE' (line 4)" in month
    assert [r.row_number for r in result.rejections] == [3, 5]
    assert "date cell 'May 7, 2024'" in year and "'*YEAR 2025' (line 1)" in year


def test_day_first_dates_and_no_title() -> None:
    # As the 2022 exports print them ("8 June 2022"); the year then comes from the date cells.
    text = _export(
        "DATE        BARANGAY     DEPTH    LATITUDE     LONGITUDE",
        "8 June      Don Bosco    Knee     14.4824325   121.0325770",
        "1    2022",
        "9 June 2022 Baclaran     Waist    14.5314761   120.9969134",
        "2",
        "3    10 June 2022   Tambo   Knee   14.5162085   120.9995381",  # all on the anchor
    )
    result = parse_text_export(text)
    assert [(e.source_record, e.event_date, e.barangay) for e in result.records] == [
        (1, date(2022, 6, 8), "Don Bosco"),
        (2, date(2022, 6, 9), "Baclaran"),
        (3, date(2022, 6, 10), "Tambo"),
    ]


def test_recogniser_wants_one_field_per_line() -> None:
    assert looks_like_text_export(OTHER_LAYOUT)
    cleaned = "record_num,date,month,day,year,barangay\n1,2022-03-14,3,14,2022,TAMBO\n" * 2
    assert not looks_like_text_export(cleaned)
    assert not looks_like_text_export(",*YEAR 2022 ,,,\n,,FLOOD,\n# ,DATE ,MONTH ,BARANGAY\n")


def test_numeric_dates_read_as_the_month_cell_says() -> None:
    text = _export(
        "*YEAR 2025",
        _HEADER,
        '6/5/2025   1600H   MAY   Tambo     Knee    19"  Easterlies   14.5162085   120.9995381',
        "1",
        '6/5/2025   1600H         Tambo     Knee    19"  Easterlies   14.5162085   120.9995381',
        "2",
    )
    first, second = parse_text_export(text).records
    assert first.event_date == date(2025, 5, 6)  # the MONTH cell says May: day/month/year
    assert first.date_evidence.startswith("date cell (d/m/y) '6/5/2025' (line 3)")
    assert second.event_date == date(2025, 6, 5)  # no MONTH cell: month/day/year


def test_a_wrapped_piece_opening_with_the_next_number_is_no_anchor() -> None:
    text = _export(
        "*YEAR 2025",
        _HEADER,
        "May 6,                      San      Gutter",
        '1   2025   1600H   MAY   Antonio   Level   8"   Easterlies   14.4610849   121.0273335',
        "2 Valley 8",
        "May 7,     Creek Drive      Knee",
        '2   2025   1600H   MAY   Level   19"   Easterlies   14.4717532   121.0303960',
    )
    result = parse_text_export(text)
    assert not result.rejections
    second = _record(result, 2)
    assert (second.row_number, second.event_date) == (5, date(2025, 5, 7))
    assert second.location_text == "2 Valley 8 Creek Drive"
    # No barangay printed: placed by its coordinates, and flagged so.
    assert (second.barangay, second.barangay_inferred) == ("San Antonio", True)
