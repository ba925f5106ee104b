"""The CDRRMO table-from-PDF export reader: the real raw_2022 / raw_2023 exports (compared with
the cleaned copies and with what the printed export says), and small tables written here with
other column orders, missing columns, conflicts and page debris."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest

from floodingnaque_pipeline.sources.cdrrmo import parse_cdrrmo_csv
from floodingnaque_pipeline.sources.cdrrmo_fields import FloodEvent
from floodingnaque_pipeline.sources.cdrrmo_table import (
    looks_like_table_export,
    parse_table_export,
)
from floodingnaque_pipeline.sources.records import ParseResult

# Flood days of raw_2023.csv, read by hand from the printed date blocks ("20 May 2023",
# "29" over "JULY", "1 and 2" over "SEPTEMBER", "20-21" over "OCTOBER": each day of a range).
DAYS_2023 = {
    date(2023, 5, 20), date(2023, 5, 31), date(2023, 6, 7), date(2023, 7, 12),
    date(2023, 7, 29), date(2023, 8, 22), date(2023, 8, 24), date(2023, 9, 1), date(2023, 9, 2),
    date(2023, 9, 28), date(2023, 10, 20), date(2023, 10, 21),
}  # fmt: skip


def _raw(shared_data: Path, year: int) -> str:
    return (shared_data / "flood_records" / f"raw_{year}.csv").read_text(encoding="utf-8")


def _printed_numbers(text: str) -> list[int]:
    """Record numbers as printed in the first column ('#'), read with the csv module alone."""
    return [int(r[0]) for r in csv.reader(io.StringIO(text)) if r and r[0].strip().isdigit()]


def _number_of_rejection(raw_row: str) -> int:
    numbers = [int(r[0]) for r in csv.reader(io.StringIO(raw_row)) if r and r[0].isdigit()]
    assert len(numbers) == 1, raw_row  # the refused record's own lines, its number row among them
    return numbers[0]


def _by_number(result: ParseResult[FloodEvent]) -> dict[int, FloodEvent]:
    return {
        e.source_record: e
        for e in result.records
        if e.source_record is not None and e.range_day == 0  # the first day of a range
    }


@pytest.mark.parametrize("year", [2022, 2023])
def test_every_printed_number_ends_accepted_or_refused_once(shared_data: Path, year: int) -> None:
    text = _raw(shared_data, year)
    result = parse_table_export(text)
    printed = _printed_numbers(text)
    assert printed == list(range(1, len(printed) + 1))  # sequential in the export

    accepted = [e.source_record for e in result.records if e.range_day == 0]  # a day each
    refused = [_number_of_rejection(r.raw_row) for r in result.rejections]
    assert sorted(accepted + refused) == printed  # each exactly once, none lost
    lines = text.splitlines()
    for rejection in result.rejections:
        assert rejection.reason.strip()
        assert rejection.row_number is not None
        assert rejection.raw_row.split("\n")[0] == lines[rejection.row_number - 1]
    for event in result.records:
        assert event.event_date.year == year
        assert f"*YEAR {year}" in event.date_evidence and event.date_evidence.count("line ") >= 2
        assert lines[event.row_number - 1]  # the record's first physical line


def test_raw_2022_gives_the_cleaned_copys_flood_days(shared_data: Path) -> None:
    folder = shared_data / "flood_records"
    raw = parse_cdrrmo_csv((folder / "raw_2022.csv").read_bytes(), "raw_2022.csv")
    cleaned = parse_cdrrmo_csv(
        (folder / "flood_records_2022.csv").read_bytes(), "flood_records_2022.csv"
    )
    assert len(raw.records) == 109 and not raw.rejections
    assert {e.event_date for e in raw.records} == {e.event_date for e in cleaned.records}

    # Pairs differ only where the cleaning shifted a block's last record onto the next day:
    # records 59, 68 and 85 print "10 September", "19 Octobober", "29 Octobober" on their own
    # rows, while the cleaned copy gives each the date of the record after it.
    ours, theirs = _by_number(raw), _by_number(cleaned)
    differing = {n for n in theirs if (ours[n].event_date, ours[n].barangay) !=
                 (theirs[n].event_date, theirs[n].barangay)}  # fmt: skip
    assert differing == {59, 68, 85}
    for number in differing:
        assert theirs[number].event_date == ours[number + 1].event_date
        assert theirs[number].barangay == ours[number].barangay
    # The cleaned copy lost the dates of 86 and 109; the export prints them ('30 Octobober').
    assert {86, 109} - theirs.keys() == {86, 109}
    assert ours[86].event_date == ours[109].event_date == date(2022, 10, 30)
    # 87 prints no date of its own; the records on both sides print '30 Octobober 2022'.
    assert ours[87].event_date == date(2022, 10, 30) and "block date" in ours[87].date_evidence


def test_raw_2023_dates_come_from_the_merged_date_blocks(shared_data: Path) -> None:
    result = parse_table_export(_raw(shared_data, 2023))
    events = _by_number(result)
    assert {e.event_date for e in result.records} == DAYS_2023
    # Records 1-6 come before the printed "20 May 2023" of their block (next to record 7).
    assert {events[n].event_date for n in range(1, 7)} == {date(2023, 5, 20)}
    # 24-25 (Typhoon Betty) precede "31 May 2023"; 44 (LPA) follows "June 7" but is 12 July.
    assert events[24].event_date == events[25].event_date == date(2023, 5, 31)
    assert "TYPHOON BETTY" in events[24].date_evidence
    assert events[39].event_date == date(2023, 6, 7)
    assert events[44].event_date == date(2023, 7, 12)
    # A day-only cell with the month in its own column; a remark settling the block.
    assert events[74].event_date == date(2023, 7, 29)
    assert events[107].event_date == date(2023, 9, 28) and "28 SEPT" in events[107].date_evidence
    assert events[96].event_date == date(2023, 9, 1) and "range 1-2" in events[96].date_evidence
    assert events[162].event_date == date(2023, 10, 20)
    # Latitude on the number row, longitude two rows below it.
    assert (events[121].latitude, events[121].longitude) == (14.46772194, 121.0141733)
    [refused] = result.rejections  # record 45 prints its longitude in the latitude column too
    assert _number_of_rejection(refused.raw_row) == 45 and "outside Parañaque" in refused.reason


def test_raw_exports_are_routed_to_this_reader(shared_data: Path) -> None:
    folder = shared_data / "flood_records"
    for year in (2022, 2023):
        content = (folder / f"raw_{year}.csv").read_bytes()
        routed = parse_cdrrmo_csv(content, "any-name.csv")
        assert routed.records and all("title row" in e.date_evidence for e in routed.records)
        assert routed.records == parse_table_export(content.decode()).records
        cleaned = (folder / f"flood_records_{year}.csv").read_bytes()
        assert not looks_like_table_export(cleaned.decode())
        by_cleaned_reader = parse_cdrrmo_csv(cleaned, "x.csv").records
        assert all(re.match(r"date cell '\d{4}-", e.date_evidence) for e in by_cleaned_reader)
    assert not looks_like_table_export((folder / "raw_2025.csv").read_text(encoding="utf-8"))


def _table(*rows: str) -> ParseResult[FloodEvent]:
    text = "\n".join(rows) + "\n"
    assert looks_like_table_export(text)
    return parse_table_export(text)


def test_other_column_order_without_month_or_remarks_and_a_total_line() -> None:
    result = _table(
        ",*YEAR 2024 ,,,,,",
        "# ,BARANGAY ,LONGITUDE ,LATITUDE ,WEATHER ,DATE ,FLOOD",
        ",,,,DISTURBANCE ,,DEPTH",
        ",San,,,,,Knee",
        '1,,121.0011419,14.47513822,Habagat,"July 3, 2024",',
        ",Dionisio,,,,,Level",
        ",,,,,,Gutter",
        "2,Tambo,,,Habagat,,",
        ",,120.9905,14.5208,,,Level",
        "3,,121.0092,14.4999,Habagat,,Waist",
        ",,,,,,Level",
        "TOTAL,,,,,,3",
    )
    assert not result.rejections
    first, second, third = result.records
    assert {e.event_date for e in result.records} == {date(2024, 7, 3)}
    assert "date cell 'July 3, 2024' (line 5)" in first.date_evidence
    assert "block date 'July 3, 2024' (line 5)" in second.date_evidence
    assert (first.barangay, first.latitude, first.longitude) == ("San Dionisio", 14.47513822,
                                                                 121.0011419)  # fmt: skip
    assert (second.latitude, second.longitude, second.depth_class) == (14.5208, 120.9905, "gutter")
    assert (third.barangay, third.barangay_inferred, third.depth_in) == ("Santo Niño", True, 37)
    assert [e.row_number for e in result.records] == [4, 7, 10]
    assert first.weather_disturbance == "Habagat" and third.location_text is None


def test_block_and_remark_that_disagree_are_refused_naming_both() -> None:
    result = _table(
        ",*YEAR 2023 ,,,,,",
        "# ,DATE ,MONTH ,BARANGAY ,LATITUDE ,LONGITUDE ,REMARKS",
        "1,20 May 2023,MAY,Tambo,14.5208,120.9905,Subsided as of 1400H",
        ",,,,,,SUBSIDED",
        "2,,,Tambo,14.5209,120.9906,AS OF 1820H",
        ",,,,,,02 SEPT",
    )
    [accepted] = result.records
    assert accepted.event_date == date(2023, 5, 20)
    [refused] = result.rejections
    assert (refused.row_number, refused.raw_row.split("\n")[1][:2]) == (4, "2,")
    assert "block date '20 May 2023' (line 3)" in refused.reason
    assert "remark 'SUBSIDED AS OF 1820H 02 SEPT' (line 4)" in refused.reason


def test_record_between_two_blocks_needs_evidence_to_join_one() -> None:
    result = _table(
        ",*YEAR 2023 ,,,,",
        "# ,DATE ,BARANGAY ,LATITUDE ,LONGITUDE ,WEATHER",
        "1,3 June,Tambo,14.5208,120.9905,Habagat",
        "2,,Tambo,14.5209,120.9906,Habagat",
        "3,9 June,Tambo,14.5210,120.9907,Habagat",
        "4,,Tambo,14.5211,120.9908,Typhoon Egay",
        "5,12 June,Tambo,14.5212,120.9909,Typhoon Egay",
    )
    # Records 1, 3 and 5 print dates: the file may print each block's date at its top, which
    # puts 4 with '9 June', while its weather (Typhoon Egay) ties it to '12 June': refused.
    assert [(e.source_record, e.event_date.day) for e in result.records] == [
        (1, 3), (3, 9), (5, 12),
    ]  # fmt: skip
    second, fourth = result.rejections
    assert second.row_number == 4 and second.raw_row == "2,,Tambo,14.5209,120.9906,Habagat"
    assert "'3 June' (line 3)" in second.reason and "'9 June' (line 5)" in second.reason
    assert "'12 June' (line 7)" in fourth.reason and "top, middle or bottom" in fourth.reason


def test_weather_places_the_border_record_of_two_blocks_printed_mid_block() -> None:
    rows = (
        ",*YEAR 2023 ,,,,",
        "# ,DATE ,BARANGAY ,LATITUDE ,LONGITUDE ,WEATHER",
        "1,,Tambo,14.5208,120.9905,Habagat",
        "2,3 June,Tambo,14.5209,120.9906,Habagat",
        "3,,Tambo,14.5210,120.9907,Habagat",
        "4,,Tambo,14.5211,120.9908,Typhoon Egay",
        "5,9 June,Tambo,14.5212,120.9909,{fifth}",
        "6,,Tambo,14.5213,120.9910,Typhoon Egay",
    )
    # Dates printed mid-block: 3 and 4 may end the first block or start the second. Each
    # record's weather is the same as one block's and surely not the other's: it decides.
    result = _table(*(r.format(fifth="Typhoon Egay") for r in rows))
    assert not result.rejections
    assert [(e.source_record, e.event_date.day) for e in result.records] == [
        (1, 3), (2, 3), (3, 3), (4, 9), (5, 9), (6, 9),
    ]  # fmt: skip
    third = result.records[2]
    assert "weather disturbance 'Habagat' puts it in the block of record #2" in (
        third.date_evidence
    )
    # A table prints the weather cell whole: 'Habagat Egay' is another than 'Habagat' (the
    # text layout, which may add a word to a cell, cannot tell: test_cdrrmo_failure_classes).
    result = _table(*(r.format(fifth="Habagat Egay") for r in rows))
    assert next(e for e in result.records if e.source_record == 3).event_date.day == 3


def test_one_exporter_breaks_an_even_blocks_middle_one_way() -> None:
    dates = {2: "3 June", 4: "9 June", 7: "12 June"}
    rows = [f"{n},{dates.get(n, '')},Tambo,14.52{n},120.99{n},Habagat" for n in range(1, 9)]
    result = _table(",*YEAR 2023 ,,,,", "# ,DATE ,BARANGAY ,LATITUDE ,LONGITUDE ,WEATHER", *rows)
    # Printed mid-block on records 2, 4 and 7 of eight: every cut of a file whose even blocks
    # print on their lower middle record puts 6 with 7, and so does every cut of one printing
    # on the upper; only a file mixing both ways (1-2|3-6|7-8) would put it with 4.
    sixth = next(e for e in result.records if e.source_record == 6)
    assert sixth.event_date == date(2023, 6, 12)
    assert "the file prints a block's date at its middle or upper middle" in sixth.date_evidence
    # 3 and 5 lie between blocks in one of the two: refused, with the reason.
    refused = sorted(r.raw_row.split(",")[0] for r in result.rejections)
    assert refused == ["3", "5"]
    assert all("no date can be established" in r.reason for r in result.rejections)


def test_page_debris_bare_number_rows_and_repeated_numbers() -> None:
    result = _table(
        ",*YEAR 2022 ,,,,",
        ",,,,,FLOOD",
        "# ,DATE ,MONTH ,BARANGAY ,LOCATION ,DEPTH",
        ",14 Mar 2022,MARCH,SAN,EVACOM,KNEE",
        "1,,,,,",
        ",,,DIONISIO,INTERSECTION,LEVEL",
        ",*YEAR 2022 ,,,,",
        ",,,,,FLOOD",
        "# ,DATE ,MONTH ,BARANGAY ,LOCATION ,DEPTH",
        "2,14 Mar 2022,MARCH,VITALEZ,BANANA,GUTTER",
        "2,15 Mar 2022,MARCH,TAMBO,SEASIDE,GUTTER",
        "3,,,,,",
    )
    first, second = result.records
    assert (first.event_date, first.barangay, first.depth_class) == (
        date(2022, 3, 14), "San Dionisio", "knee",
    )  # fmt: skip
    assert first.location_text == "EVACOM INTERSECTION"  # the page header did not join it
    assert (second.source_record, second.barangay) == (2, "Vitalez")
    repeated, undated = result.rejections
    assert "record number 2 printed again (first at line 10)" in repeated.reason
    assert repeated.row_number == 11
    # Record 3 follows the last printed date, '15 Mar 2022', but has no barangay or coordinates.
    assert undated.row_number == 12 and "barangay empty and no coordinates" in undated.reason


def test_missing_date_everywhere_is_refused_not_guessed() -> None:
    result = _table(",*YEAR 2023 ,,", "# ,DATE ,BARANGAY", "1,,Tambo", "2,(Saturday),Tambo")
    assert not result.records
    assert [r.row_number for r in result.rejections] == [3, 4]
    assert all("no date can be established" in r.reason for r in result.rejections)


@pytest.mark.parametrize(
    "text",
    [
        "# ,DATE ,MONTH\n1,14 Mar 2022,MARCH\n",  # no title row
        ",*YEAR 2024 ,,,\n# ,DATE ,MONTH\n",  # header only
        ",*YEAR 2024 ,,,\nDATE ,MONTH ,BARANGAY\n14 Mar 2022,MARCH,TAMBO\n",  # no '#' column
        '"*YEAR 2025"\n"DATE      MONTH       LOCATION"\n',  # the text-from-PDF export
    ],
)
def test_other_layouts_are_not_taken_for_a_table_export(text: str) -> None:
    assert not looks_like_table_export(text)


def test_unnamed_number_column_free_worded_header_and_numeric_dates() -> None:
    result = _table(
        ",*YEAR 2023 ,,,,",
        ",DATE ,BARANGAY ,TYPE OF WEATHER DISTURBANCE ,LAT ,LONG",
        "1,5/20/2023,Tambo,Habagat,14.5208,120.9905",
        "2,13/6/2023,Tambo,Habagat,14.5209,120.9906",
        "3,,Tambo,Habagat,14.5210,120.9907",
    )
    assert not result.rejections
    first, second, third = result.records
    assert (first.event_date, second.event_date) == (date(2023, 5, 20), date(2023, 6, 13))
    assert "date cell (m/d/y) '5/20/2023'" in first.date_evidence
    assert "date cell (d/m/y) '13/6/2023'" in second.date_evidence
    assert third.event_date == second.event_date and "block date (d/m/y)" in third.date_evidence
    assert first.weather_disturbance == "Habagat" and first.longitude == 120.9905


def test_raw_2023_with_columns_reordered_and_remarks_dropped_reads_the_same(
    shared_data: Path,
) -> None:
    """Another year's export: same kind of table, other column order, no REMARKS column."""
    text = _raw(shared_data, 2023)
    rows = list(csv.reader(io.StringIO(text)))
    header = [" ".join(r[i] for r in rows[1:4] if r[i].strip()).upper() for i in range(10)]
    remarks = next(i for i, name in enumerate(header) if "REMARKS" in name)
    order = [9, 8, 3, 4, 0, 6, 5, 2, 1]  # LONGITUDE, LATITUDE, ..., '#' in the middle, ... DATE
    assert remarks not in order and sorted([*order, remarks]) == list(range(10))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([[r[i] for i in order] for r in rows])

    original, moved = parse_table_export(text), parse_table_export(out.getvalue())
    # 161 records; the 13 in the "1 and 2" and "20-21" blocks label two days each. Without
    # the remarks, a record whose weather and the file's way of printing dates disagree is
    # refused (with the reason), never given another date.
    assert len(original.records) == 161 + 13
    assert len(moved.records) >= len(original.records) // 2
    assert {(e.source_record, e.event_date, e.barangay, e.latitude, e.longitude, e.depth_class)
            for e in moved.records} <= {
        (e.source_record, e.event_date, e.barangay, e.latitude, e.longitude, e.depth_class)
        for e in original.records
    }  # fmt: skip
    reasons = ("no date can be established", "outside Parañaque")  # record 45's coordinates
    assert all(any(r in refused.reason for r in reasons) for refused in moved.rejections)
    assert not any("remark" in e.date_evidence for e in moved.records)
